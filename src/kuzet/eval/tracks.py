"""``kuzet eval tracks``: the pipeline's detector and tracker on a MOTChallenge sequence.

Every count, dwell and crossing rests on the tracker; this measures it. A sequence
folder holds ``seqinfo.ini``, ``gt/gt.txt`` (``frame,id,x,y,w,h,conf,...``; conf 0 =
ignore) and a video (frame k of the video is MOT frame k+1) or ``img1/`` frames. The
clip runs through the same pipeline as a camera (detector, motion gating, tracker),
every frame analysed, people only. The metrics are TrackEval's (the MOTChallenge
reference implementation): HOTA, CLEAR (MOTA, ID switches, fragmentations) and
Identity (IDF1).

Ignored ground truth is handled as MOTChallenge does: a tracked box matched to an
ignored box (IoU >= 0.5, one-to-one) is removed before scoring, and ignored boxes
are not scored either.
"""

from __future__ import annotations

import configparser
import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from kuzet.core.errors import ConfigError, SourceUnavailable
from kuzet.eval.defaults import config_with_rules

IGNORE_IOU = 0.5
MAX_GT_ROWS = 2_000_000  # a gt.txt beyond this is not a MOT sequence we can score

# One frame's boxes: ids (n,) and xywh boxes (n, 4) in pixels of the sequence.
FrameBoxes = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Sequence:
    """A MOTChallenge sequence folder."""

    folder: Path
    name: str
    length: int
    fps: float
    width: int
    height: int
    video: Path


def load_sequence(folder: Path) -> Sequence:
    """Read ``seqinfo.ini`` and find the video.

    Raises:
        SourceUnavailable: A file is missing.
        ConfigError: ``seqinfo.ini`` lacks a key or has a bad value.
    """
    ini = folder / "seqinfo.ini"
    if not ini.is_file():
        raise SourceUnavailable(f"{folder}: no seqinfo.ini (is this a MOTChallenge sequence?)")
    parser = configparser.ConfigParser()
    parser.read(ini)
    try:
        info = parser["Sequence"]
        seq = Sequence(folder, info.get("name", folder.name), int(info["seqLength"]),
                       float(info["frameRate"]), int(info["imWidth"]), int(info["imHeight"]),
                       _video(folder))
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"{ini}: [Sequence] needs seqLength, frameRate, imWidth, imHeight "
                          f"as numbers ({exc})") from None
    if not (0 < seq.fps <= 60):
        raise ConfigError(f"{ini}: frameRate {seq.fps:g} is outside 0-60")
    return seq


def _video(folder: Path) -> Path:
    videos = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".mp4", ".avi", ".mkv"})
    if videos:
        return videos[0]
    frames = folder / "img1"
    if frames.is_dir() and any(frames.glob("*.jpg")):
        return frames / "%06d.jpg"  # an image sequence, decoded by FFmpeg
    raise SourceUnavailable(f"{folder}: no video file and no img1/*.jpg frames")


def read_gt(path: Path, length: int) -> tuple[dict[int, FrameBoxes], dict[int, np.ndarray]]:
    """People to score and boxes to ignore, per frame (1-based), from a MOT ``gt.txt``.

    Rows with conf 0 are ignore boxes; so are distractor classes of 9-column
    (MOT16+) files, whose other non-pedestrian classes are left out.

    Raises:
        SourceUnavailable: No such file.
        ConfigError: A malformed row (file and line named).
    """
    if not path.is_file():
        raise SourceUnavailable(f"ground truth not found: {path}")
    scored: dict[int, list[list[float]]] = {}
    ignored: dict[int, list[list[float]]] = {}
    with path.open() as fh:
        for lineno, line in enumerate(fh, 1):
            if lineno > MAX_GT_ROWS:
                raise ConfigError(f"{path}: more than {MAX_GT_ROWS} rows")
            if not line.strip():
                continue
            try:
                row = [float(v) for v in line.split(",")]
                frame, tid, box, conf = int(row[0]), row[1], row[2:6], row[6]
            except (ValueError, IndexError):
                raise ConfigError(f"{path}:{lineno}: expected frame,id,x,y,w,h,conf,...") from None
            kind = _row_kind(row, conf)
            if kind is not None and 1 <= frame <= length:
                target = scored if kind == "person" else ignored
                target.setdefault(frame, []).append([tid, *box])
    return (
        {f: (np.array([r[0] for r in rows]), np.array([r[1:] for r in rows])) for f, rows in
         scored.items()},
        {f: np.array([r[1:] for r in rows]) for f, rows in ignored.items()},
    )


def _row_kind(row: list[float], conf: float) -> str | None:
    # MOT16/17/20 rows have 9 columns, the 8th a class: 1 pedestrian; 2, 7, 8, 12
    # (person on vehicle, static person, distractor, reflection) are ignore regions;
    # other classes are not people and not scored. MOT15 rows have 10 columns, the
    # 8th-10th world coordinates (or -1), and every row is a pedestrian.
    if len(row) == 9 and row[7] != 1:
        return "ignore" if row[7] in _DISTRACTORS else None
    return "person" if conf != 0 else "ignore"


_DISTRACTORS = frozenset({2.0, 7.0, 8.0, 12.0})


def iou_xywh(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix (len(a), len(b)) of xywh boxes."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    ax2, ay2 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx2, by2 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    w = np.clip(np.minimum(ax2[:, None], bx2) - np.maximum(a[:, None, 0], b[:, 0]), 0, None)
    h = np.clip(np.minimum(ay2[:, None], by2) - np.maximum(a[:, None, 1], b[:, 1]), 0, None)
    inter = w * h
    union = (a[:, 2] * a[:, 3])[:, None] + b[:, 2] * b[:, 3] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)


def drop_ignored(tracked: FrameBoxes, ignore: np.ndarray | None) -> FrameBoxes:
    """``tracked`` without the boxes matched one-to-one to an ignore box."""
    ids, boxes = tracked
    if ignore is None or len(ignore) == 0 or len(ids) == 0:
        return tracked
    iou = iou_xywh(boxes, ignore)
    rows, cols = linear_sum_assignment(-iou)
    drop = {int(r) for r, c in zip(rows, cols, strict=True) if iou[r, c] >= IGNORE_IOU}
    keep = np.array([i not in drop for i in range(len(ids))], bool)
    return ids[keep], boxes[keep]


def score(gt: dict[int, FrameBoxes], tracked: dict[int, FrameBoxes],
          length: int) -> dict[str, float]:
    """HOTA, MOTA, IDF1, ID switches and fragmentations of ``tracked`` against ``gt``.

    Both map a 1-based frame to (ids, xywh boxes); ignored boxes already removed.
    """
    with contextlib.redirect_stdout(io.StringIO()):  # TrackEval prints optional-dataset notes
        from trackeval.metrics import CLEAR, HOTA, Identity
    empty: FrameBoxes = (np.zeros(0), np.zeros((0, 4)))
    gt_map = _dense_ids(gt)
    tr_map = _dense_ids(tracked)
    data: dict[str, Any] = {"gt_ids": [], "tracker_ids": [], "similarity_scores": []}
    for frame in range(1, length + 1):
        g_ids, g_boxes = gt.get(frame, empty)
        t_ids, t_boxes = tracked.get(frame, empty)
        data["gt_ids"].append(np.array([gt_map[i] for i in g_ids], int))
        data["tracker_ids"].append(np.array([tr_map[i] for i in t_ids], int))
        data["similarity_scores"].append(iou_xywh(g_boxes, t_boxes))
    data.update(
        num_timesteps=length, num_gt_ids=len(gt_map), num_tracker_ids=len(tr_map),
        num_gt_dets=sum(len(x) for x in data["gt_ids"]),
        num_tracker_dets=sum(len(x) for x in data["tracker_ids"]),
    )
    config = {"PRINT_CONFIG": False, "THRESHOLD": 0.5}
    clear = CLEAR(config).eval_sequence(data)
    ident = Identity(config).eval_sequence(data)
    hota = HOTA().eval_sequence(data)
    return {
        "hota": round(float(np.mean(hota["HOTA"])), 4),
        "mota": round(float(clear["MOTA"]), 4),
        "motp": round(float(clear["MOTP"]), 4),
        "idf1": round(float(ident["IDF1"]), 4),
        "id_switches": int(clear["IDSW"]),
        "fragmentations": int(clear["Frag"]),
        "mostly_tracked": int(clear["MT"]),
        "mostly_lost": int(clear["ML"]),
        "gt_tracks": len(gt_map),
        "tracks": len(tr_map),
        "id_switches_per_100_tracks": round(100.0 * int(clear["IDSW"]) / max(len(gt_map), 1), 2),
    }


def _dense_ids(frames: dict[int, FrameBoxes]) -> dict[float, int]:
    ids = sorted({float(i) for ids, _ in frames.values() for i in ids})
    return {i: n for n, i in enumerate(ids)}


def track_sequence(seq: Sequence) -> dict[int, FrameBoxes]:
    """The pipeline's person tracks per 1-based frame, xywh in sequence pixels."""
    from kuzet.eval.runner import run_tracks

    config = config_with_rules([], detect={"fps": seq.fps, "width": seq.width,
                                           "classes": ["person"]})
    out: dict[int, FrameBoxes] = {}
    for index, dets in run_tracks(config, seq.video, (seq.width, seq.height)):
        if dets.track_id is None or not len(dets):
            continue
        person = np.array([dets.class_names[c] == "person" for c in dets.class_id], bool)
        xyxy = dets.xyxy[person].astype(float)
        xywh = np.column_stack([xyxy[:, :2], xyxy[:, 2:] - xyxy[:, :2]])
        out[index + 1] = (dets.track_id[person].astype(float), xywh)
    return out


def evaluate_tracks(folder: Path) -> dict[str, Any]:
    """Run the sequence in ``folder`` through the pipeline and score its person tracks."""
    seq = load_sequence(folder)
    gt, ignore = read_gt(folder / "gt" / "gt.txt", seq.length)
    tracked = {f: drop_ignored(boxes, ignore.get(f)) for f, boxes in track_sequence(seq).items()}
    return {"sequence": seq.name, "frames": seq.length, **score(gt, tracked, seq.length)}
