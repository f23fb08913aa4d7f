"""``kuzet eval events|counts|tracks|crowd``: measure the pipeline against ground truth.

Every command prints a human summary and, with ``--json``, one JSON object as
the last line of stdout. Errors go to stderr with exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kuzet.cli.output import JsonOpt, emit, fail
from kuzet.core.errors import ConfigError, KuzetError

eval_app = typer.Typer(
    name="eval",
    help="Evaluate events, line counts and people counts against ground truth.",
    no_args_is_help=True,
)

@eval_app.command("events")
def events_cmd(
    video: Annotated[Path, typer.Argument(help="Video file to run through the pipeline.")],
    expected: Annotated[
        Path,
        typer.Option(
            "--expected",
            help="CSV type,start_s,end_s,x1,y1,x2,y2,note (box optional; 0-1 relative "
            "if every box value <= 1, else pixels of the video).",
        ),
    ],
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="YAML config (default: whole-frame default rules)."),
    ] = None,
    camera: Annotated[
        str | None, typer.Option(help="Camera whose rules apply (default: first).")
    ] = None,
    tolerance: Annotated[
        float, typer.Option(help="Seconds of slack around each expected interval.")
    ] = 2.0,
    as_json: JsonOpt = False,
) -> None:
    """Run VIDEO through the pipeline and match its events to the expected CSV."""
    from kuzet.eval.events import EventsRequest, evaluate_events

    try:
        cfg = None
        if config is not None:
            from kuzet.config.load import load_config

            cfg = load_config(config)
        report = evaluate_events(EventsRequest(video, expected, cfg, camera, tolerance))
    except KuzetError as error:
        fail(error)
    summary = report.to_json()
    lines = [
        f"{summary['frames']} frames in {summary['elapsed_s']} s ({summary['fps']} frames/s)",
        f"matched {summary['matched']}, missed {summary['missed']}, "
        f"false alarms {summary['false_alarms']}; precision {summary['precision']}, "
        f"recall {summary['recall']}",
    ]
    lines += [
        f"  {kind}: {row['matched']}/{row['expected']} matched, {row['false_alarms']} false alarms"
        for kind, row in summary["by_type"].items()
    ]
    emit(summary, lines, as_json)


@eval_app.command("counts")
def counts_cmd(  # noqa: PLR0913 (one parameter per command-line option)
    video: Annotated[Path, typer.Argument(help="Video file.")],
    line: Annotated[
        str,
        typer.Option(
            "--line",
            help="x1,y1,x2,y2: 0-1 relative, or pixels of the video if any value > 1. "
            "Crossing from the left of start->end to its right is `in`.",
        ),
    ],
    classes: Annotated[
        list[str] | None,
        typer.Option("--classes", help="Classes to count (repeat or comma-separate)."),
    ] = None,
    fps: Annotated[
        float | None,
        typer.Option(help="Analysis frames per second (default: detect.fps, 5).", min=0.1, max=60),
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(help="Ground-truth CSV with header t_s,class,direction (other columns "
                     "ignored): matched one-to-one in time to the counted crossings."),
    ] = None,
    anchor: Annotated[
        str, typer.Option(help="Point of a box that crosses: bottom (centre) or centre.")
    ] = "bottom",
    tolerance: Annotated[
        float, typer.Option(help="Seconds within which a crossing matches the truth.", min=0)
    ] = 1.5,
    as_json: JsonOpt = False,
) -> None:
    """Count line crossings by class and direction through the pipeline."""
    from kuzet.eval.count_truth import read_truth
    from kuzet.eval.counts import CountsRequest, count_crossings

    names = [c.strip() for item in classes or [] for c in item.split(",") if c.strip()]
    try:
        if anchor not in ("bottom", "centre"):
            raise ConfigError(f"--anchor must be bottom or centre, got {anchor!r}")
        rows = read_truth(truth) if truth is not None else None
        request = CountsRequest(video, line, names or None, fps, anchor, rows, tolerance)
        report = count_crossings(request)
    except KuzetError as error:
        fail(error)
    summary = report.to_json()
    lines = [
        f"{summary['frames']} frames ({summary['fps']} frames/s), {summary['total']} crossings"
    ]
    lines += [f"  {c}: in {n['in']}, out {n['out']}" for c, n in summary["counts"].items()]
    if rows is not None:
        lines += _truth_lines(summary)
    emit(summary, lines, as_json)


def _truth_lines(summary: dict[str, Any]) -> list[str]:
    lines = [
        f"against the truth: {summary['matched']} matched, {summary['missed']} missed, "
        f"{summary['extra']} extra; class right for {summary['class_right']} of "
        f"{summary['matched']} matched"
    ]
    for d, row in summary["by_direction"].items():
        lines.append(f"  {d}: truth {row['truth']}, counted {row['counted']} "
                     f"({row['error_pct']}%)")
    for label, dirs in summary["by_class"].items():
        cells = ", ".join(f"{d} {c['counted']}/{c['truth']} (matched {c['matched']})"
                          for d, c in dirs.items())
        lines.append(f"  {label}: {cells}")
    return lines


@eval_app.command("tracks")
def tracks_cmd(
    folder: Annotated[
        Path,
        typer.Argument(help="MOTChallenge sequence folder: seqinfo.ini, gt/gt.txt and a video "
                       "(frame k = MOT frame k+1) or img1/ frames."),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Track people through the pipeline on a MOT sequence: HOTA, MOTA, IDF1, ID switches."""
    from kuzet.eval.tracks import evaluate_tracks

    try:
        summary = evaluate_tracks(folder)
    except KuzetError as error:
        fail(error)
    lines = [
        f"{summary['sequence']}: {summary['frames']} frames, {summary['gt_tracks']} people, "
        f"{summary['tracks']} tracks",
        f"  HOTA {summary['hota']:.3f}  MOTA {summary['mota']:.3f}  IDF1 {summary['idf1']:.3f}",
        f"  ID switches {summary['id_switches']} ({summary['id_switches_per_100_tracks']} per "
        f"100 tracks), fragmentations {summary['fragmentations']}",
    ]
    emit(summary, lines, as_json)


@eval_app.command("crowd")
def crowd_cmd(
    folder: Annotated[
        Path, typer.Argument(help="Folder with images/ and counts.csv (image,count).")
    ],
    tiles: Annotated[
        bool, typer.Option("--tiles/--full-frame", help="Tiled detection or one full-frame pass.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Count people per image and compare with the annotated counts (MAE, RMSE)."""
    from kuzet.detect import load_object_detector
    from kuzet.detect.tiling import DEFAULT_TILES, FULL_FRAME
    from kuzet.eval.crowd import evaluate_crowd

    try:
        detector = load_object_detector("nanodet")
        report = evaluate_crowd(folder, detector, DEFAULT_TILES if tiles else FULL_FRAME)
    except KuzetError as error:
        fail(error)
    summary = report.to_json()
    lines = [
        f"{len(summary['images'])} images: MAE {summary['mae']}, RMSE {summary['rmse']}, "
        f"mean {summary['mean_count']} vs predicted {summary['mean_predicted']} "
        f"({summary['ms_per_image']} ms/image)"
    ]
    emit(summary, lines, as_json)


@eval_app.command("faces")
def faces_cmd(  # noqa: PLR0913 - typer options
    folder: Annotated[
        Path,
        typer.Argument(
            help="Folder with pairs.csv (image_a,image_b,same) for verification, or with "
            "identities.csv (file,identity; paths relative to it) for --gallery/--probes."
        ),
    ],
    threshold: Annotated[
        float | None,
        typer.Option(help="Same-person distance (default: identity.default_threshold)."),
    ] = None,
    far: Annotated[
        float,
        typer.Option(help="False-accept rate to choose a threshold for.", min=0.0, max=1.0),
    ] = 1e-3,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Deployment YAML whose identity threshold is used."),
    ] = None,
    gallery: Annotated[
        str | None,
        typer.Option(
            help="Identification mode: sub-folder of FOLDER whose identities.csv images are "
            "enrolled (one entry per identity)."
        ),
    ] = None,
    probes: Annotated[
        str,
        typer.Option(help="Sub-folder whose other identities.csv images are searched ('.': all)."),
    ] = ".",
    embedder: Annotated[
        str, typer.Option(help="Face embedder: dlib (shipped) or faceres (model pack).")
    ] = "dlib",
    probe_face_px: Annotated[
        int | None,
        typer.Option(help="Scale each probe down until its face is this wide (CCTV-like).", min=8),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Faces: verification on pairs.csv (TPR/FPR, ROC, TAR@FAR, a threshold), or with
    --gallery, open-set identification (rank-1/5, FNIR at FPIR, false alerts per 1,000).
    """
    from kuzet.eval.faces import evaluate_faces
    from kuzet.eval.identification import evaluate_identification, identification_lines

    try:
        if threshold is None and config is not None:
            from kuzet.config.load import load_config

            threshold = load_config(config).identity.default_threshold
        if gallery is not None:
            found = evaluate_identification(
                folder, gallery, probes, threshold, embedder, probe_face_px
            )
            emit(found, identification_lines(found), as_json)
            return
        summary = evaluate_faces(folder, threshold, far, embedder)
    except KuzetError as error:
        fail(error)
    lines = [
        f"{summary['pairs']} of {summary['pairs_total']} pairs scored "
        f"({summary['same_pairs']} same, {summary['different_pairs']} different); "
        f"{summary['failed_detections']} images without a face "
        f"({summary['pairs_without_face']} pairs left out) in {summary['elapsed_s']} s",
        f"at threshold {summary['threshold']}: TPR {summary['tpr']}, FPR {summary['fpr']}, "
        f"accuracy {summary['accuracy']} (best {summary['best_accuracy']} at "
        f"{summary['best_threshold']})",
        f"ROC AUC {summary['roc_auc']}, TAR@FAR=1e-2 {summary['tar_at_far_1e-2']}, "
        f"TAR@FAR=1e-3 {summary['tar_at_far_1e-3']}",
        f"threshold for FAR <= {summary['far']}: {summary['threshold_at_far']} "
        f"(TPR {summary['tpr_at_far']}, FPR {summary['fpr_at_far']})",
    ]
    emit(summary, lines, as_json)


@eval_app.command("plates")
def plates_cmd(
    folder: Annotated[
        Path,
        typer.Argument(help="openalpr-style NAME.jpg + NAME.txt, or plate crops + labels.csv."),
    ],
    countries: Annotated[
        list[str] | None,
        typer.Option(
            "--countries",
            help="Plate countries (repeat or comma-separate; default: those of --config's "
            "plate-reading cameras, else the plates.countries default).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Deployment YAML whose countries are the default."),
    ] = None,
    views: Annotated[
        int,
        typer.Option(
            "--views",
            min=0,
            help="Simulate a vehicle track per image: N degraded views (far to near, blur, "
            "JPEG), each read, then voted; reports per-frame against per-track exact reads.",
        ),
    ] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Read licence plates and compare with the labels (exact, characters, found, confusions)."""
    from kuzet.eval.plate_tracks import evaluate_plate_tracks, track_lines
    from kuzet.eval.plates import deployment_countries, evaluate_plates, summary_lines

    names = [c.strip().upper() for item in countries or [] for c in item.split(",") if c.strip()]
    try:
        cfg = None
        if config is not None and not names:
            from kuzet.config.load import load_config

            cfg = load_config(config)
        reader, detector = _plate_models(folder, tuple(names) or deployment_countries(cfg))
        if views:
            tracks = evaluate_plate_tracks(folder, reader, detector, views)
        else:
            summary = evaluate_plates(folder, reader, detector).to_json()
    except (KuzetError, ValueError) as error:
        fail(error)
    if views:
        emit(tracks, track_lines(tracks), as_json)
    else:
        emit(summary, summary_lines(summary), as_json)


@eval_app.command("fights")
def fights_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder with fight/ and noFight/ clips.")],
    model: Annotated[
        Path | None, typer.Option("--model", help="Fight model JSON (default: the shipped one).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Classify every clip of FOLDER as fight / no fight (accuracy, F1, ROC AUC, timing)."""
    from kuzet.eval.fights import evaluate_fights, summary_lines

    try:
        report = evaluate_fights(folder, model)
    except KuzetError as error:
        fail(error)
    summary = report.to_json()
    emit(summary, summary_lines(summary), as_json)


def _plate_models(folder: Path, countries: tuple[str, ...]) -> tuple[Any, Any]:
    # The vehicle detector is needed for whole images only, not for plate crops.
    from kuzet.detect import load_object_detector
    from kuzet.enrich.plate.reader import PlateReader
    from kuzet.eval.plates import read_samples

    layout, _samples = read_samples(folder)
    detector = load_object_detector("nanodet") if layout == "images" else None
    return PlateReader(countries=countries), detector


def register(app: typer.Typer) -> None:
    """Add the ``eval`` command group."""
    app.add_typer(eval_app, name="eval")
