"""`kuzet detect`: run one model on an image or one video frame and show the result."""

from __future__ import annotations

import enum
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import typer

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp"}
CLI_IMAGE_BYTES = 100 * 1024 * 1024  # a local file; the pixel limit is the same as the API's


class Task(enum.StrEnum):
    """What to look for."""

    OBJECTS = "objects"
    FACES = "faces"
    POSE = "pose"
    TEXT = "text"


def read_frame(path: Path, frame: int) -> Any:
    """An image file, or frame ``frame`` (0-based, decode order) of a video, as BGR.

    Raises:
        KuzetError: The file is missing/unreadable or the video has no such frame.
    """
    from kuzet.core.errors import KuzetError

    if not path.is_file():
        raise KuzetError(f"{path}: no such file")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        if frame != 0:
            raise KuzetError(f"{path} is an image: it has only frame 0, not frame {frame}")
        from kuzet.render.decode import ImageLimits, ImageRejected, decode_image

        try:  # the bounded decoder, at full size (detection wants every pixel)
            limits = ImageLimits(max_bytes=CLI_IMAGE_BYTES, max_side=0)
            return decode_image(path.read_bytes(), limits)
        except ImageRejected as error:
            raise KuzetError(f"{path}: {error}") from error
    return _video_frame(path, frame)


def _video_frame(path: Path, frame: int) -> Any:
    import av

    from kuzet.core.errors import KuzetError

    if frame < 0:
        raise KuzetError(f"{path}: frame must be >= 0, got {frame}")
    try:
        with av.open(str(path)) as container:
            for index, decoded in enumerate(container.decode(video=0)):
                if index == frame:
                    return decoded.to_ndarray(format="bgr24")
    except (av.FFmpegError, IndexError) as exc:
        raise KuzetError(f"{path}: cannot decode the video ({exc})") from exc
    raise KuzetError(f"{path}: frame {frame} is beyond the end of the video "
                     f"({index + 1 if 'index' in locals() else 0} frames)")


def _build(task: Task, threads: int, min_score: float | None, model: Path | None) -> Any:
    from kuzet.models.paths import require_model

    if task is Task.OBJECTS:
        from kuzet.detect import DetectorOptions, load_object_detector

        options = DetectorOptions(min_score=0.35 if min_score is None else min_score)
        kind = "yolo" if model is not None else "nanodet"
        return load_object_detector(kind, path=model, threads=threads, options=options).detect
    if task is Task.FACES:
        from kuzet.enrich.face.detector import FaceDetector

        score = 0.5 if min_score is None else min_score
        return FaceDetector(require_model("centerface"), threads, min_score=score).detect
    if task is Task.POSE:
        from kuzet.enrich.pose.movenet import PoseEstimator

        score = 0.15 if min_score is None else min_score
        return PoseEstimator(require_model("movenet-multipose"), threads,
                             min_score=score).detect
    from kuzet.enrich.text.ocr import TextReader

    return TextReader(threads=threads, min_score=0.5 if min_score is None else min_score).read


def _records(found: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = found.to_records()
    if "text" in found.attrs:
        for row, text in zip(rows, found.attrs["text"], strict=True):
            row["text"] = str(text)
    if "keypoints" in found.attrs:
        for row, kps in zip(rows, found.attrs["keypoints"], strict=True):
            row["keypoints"] = [[round(float(v), 3) for v in kp] for kp in kps]
    return rows


def _print(rows: list[dict[str, Any]], counts: Counter[str], latency_ms: float) -> None:
    for row in rows:
        box = ", ".join(f"{v:.0f}" for v in row["box"])
        extra = f"  {row['text']!r}" if "text" in row else ""
        typer.echo(f"{row['label']:<14} {row['score']:.2f}  [{box}]{extra}")
    summary = ", ".join(f"{name}={n}" for name, n in counts.most_common()) or "nothing"
    typer.echo(f"found {sum(counts.values())}: {summary} ({latency_ms:.0f} ms)")


def detect_command(  # noqa: PLR0913 - one parameter per CLI option
    path: Path = typer.Argument(..., help="Image or video file."),
    frame: int = typer.Option(0, "--frame", help="Video frame index (0-based)."),
    task: Task = typer.Option(Task.OBJECTS, "--task", help="What to look for."),
    out: Path | None = typer.Option(None, "--out",
                                    help="Annotated PNG (default <stem>_<task>.png)."),
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is a JSON object."),
    threads: int = typer.Option(2, "--threads", min=1, help="ONNX Runtime threads."),
    min_score: float | None = typer.Option(None, "--min-score", min=0.0, max=1.0,
                                           help="Minimum confidence (task default if unset)."),
    model: Path | None = typer.Option(None, "--model",
                                      help="YOLO v5/v8/11 ONNX export to use for objects."),
) -> None:
    """Detect objects, faces, poses or text on an image or one video frame."""
    import cv2

    from kuzet.core.errors import KuzetError
    from kuzet.render.draw import annotate

    try:
        image = read_frame(path, frame)
        run = _build(task, threads, min_score, model)
        started = time.perf_counter()
        found = run(image)
        latency_ms = (time.perf_counter() - started) * 1000
    except KuzetError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    target = out or Path.cwd() / f"{path.stem}_{task.value}.png"
    cv2.imwrite(str(target), annotate(image, found))
    rows = _records(found)
    counts = Counter(str(r.get("label")) for r in rows)
    _print(rows, counts, latency_ms)
    typer.echo(f"annotated image: {target}")
    if as_json:
        typer.echo(json.dumps({
            "path": str(path), "frame": frame, "task": task.value, "counts": dict(counts),
            "detections": rows, "latency_ms": round(latency_ms, 1), "out": str(target),
        }))


def register(app: typer.Typer) -> None:
    """Add ``kuzet detect`` to the main app."""
    app.command("detect")(detect_command)
