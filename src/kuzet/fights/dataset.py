"""Fight data sets on disk: ``fight/`` + ``noFight/`` clips, source groups, cached rows.

A data set folder holds ``fight/`` and ``noFight/`` sub-folders of clips
(label = folder). An optional ``videos.txt`` (the Surveillance Camera Fight
Dataset's format) names the source video of each clip; clips cut from one
source form a group so cross-validation never puts one source in both train
and test. Clips it does not name are groups of their own.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kuzet.core.errors import ConfigError, KuzetError
from kuzet.core.types import FloatArray, Frame
from kuzet.enrich.pose.movenet import PoseEstimator, PoseFrame
from kuzet.fights.features import (
    ANALYSIS_WIDTH,
    DEFAULT_FPS,
    FEATURE_VERSION,
    FRAME_NAMES,
    FeatureExtractor,
)
from kuzet.fights.flow import FLOW_WIDTH
from kuzet.models.manifest import sha256_file

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v", ".ts")
CLASS_DIRS = (("fight", 1), ("noFight", 0))


@dataclass(frozen=True)
class Clip:
    """One labelled clip."""

    path: Path
    label: int  # 1 = fight
    group: str  # source video (for group-aware splits)
    extra: bool = False  # an extra negative video: always trained on, never scored


@dataclass
class ClipRows:
    """Per-frame feature rows of one clip plus where the time went (seconds)."""

    ts: FloatArray
    rows: FloatArray
    timing: dict[str, float] = field(default_factory=dict)


def _find_dir(folder: Path, name: str) -> Path | None:
    for child in folder.iterdir() if folder.is_dir() else ():
        if child.is_dir() and child.name.lower() == name.lower():
            return child
    return None


def read_groups(path: Path) -> dict[str, str]:
    """Clip stem -> source, from a ``videos.txt`` (URL lines head each source).

    Lines ``name: start - end`` belong to the URL above them; lines
    ``nofi062 - nofi076 : CamNet Dataset`` name a range of clips.
    """
    groups: dict[str, str] = {}
    source = ""
    item = re.compile(r"^([A-Za-z_]+\d+)\s*:")
    span = re.compile(r"^([A-Za-z_]+)(\d+)\s*-\s*([A-Za-z_]+)(\d+)\s*:\s*(.+)$")
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if line.startswith(("http://", "https://")):
            source = line
        elif m := span.match(line):
            prefix, lo, hi, width = m.group(1), int(m.group(2)), int(m.group(4)), len(m.group(2))
            for n in range(lo, hi + 1):
                groups.setdefault(f"{prefix}{n:0{width}d}", m.group(5).strip())
        elif (m := item.match(line)) and source:
            groups[m.group(1)] = source
    return groups


def list_clips(folder: Path) -> list[Clip]:
    """The labelled clips of a data set folder.

    Raises:
        ConfigError: The folder, ``fight/`` or ``noFight/`` is missing, or has no clips.
    """
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder (expected fight/ and noFight/ clip folders)")
    groups = read_groups(folder / "videos.txt") if (folder / "videos.txt").is_file() else {}
    clips: list[Clip] = []
    for name, label in CLASS_DIRS:
        sub = _find_dir(folder, name)
        if sub is None:
            raise ConfigError(f"{folder}: no {name}/ folder (expected fight/ and noFight/)")
        found = sorted(p for p in sub.iterdir() if p.suffix.lower() in VIDEO_EXTENSIONS)
        if not found:
            raise ConfigError(f"{sub}: no video clips ({', '.join(VIDEO_EXTENSIONS)})")
        clips += [Clip(p, label, groups.get(p.stem, f"clip:{name}/{p.stem}")) for p in found]
    return clips


def list_negatives(folder: Path) -> list[Clip]:
    """Extra no-fight videos (any length) from a folder, for training only.

    Raises:
        ConfigError: Not a folder, or no videos in it.
    """
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder of no-fight videos")
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_EXTENSIONS)
    if not found:
        raise ConfigError(f"{folder}: no videos ({', '.join(VIDEO_EXTENSIONS)})")
    return [Clip(p, 0, f"extra:{p.name}", extra=True) for p in found]


def posed_frames(
    path: Path, pose: PoseEstimator, fps: float, timing: dict[str, float]
) -> Iterator[tuple[Frame, PoseFrame]]:
    """Decode a video at ``fps`` and 640 px (the analysis frames) and run pose on each.

    Adds the seconds spent to ``timing["decode"]`` and ``timing["pose"]`` (created
    when missing), so callers can time their own stage in between.

    Raises:
        SourceUnavailable: The video cannot be opened or decoded.
    """
    from kuzet.config.cameras import SourceConfig
    from kuzet.ingest.source import VideoSource

    source = VideoSource("clip", SourceConfig(url=str(path), pace="fast"), fps, ANALYSIS_WIDTH)
    timing.setdefault("decode", 0.0)
    timing.setdefault("pose", 0.0)
    frames = source.frames()
    while True:
        t0 = time.perf_counter()
        frame = next(frames, None)
        t1 = time.perf_counter()
        timing["decode"] += t1 - t0
        if frame is None:
            return
        seen = pose.detect_frame(frame.image)
        timing["pose"] += time.perf_counter() - t1
        yield frame, seen


def clip_rows(path: Path, pose: PoseEstimator, fps: float = DEFAULT_FPS) -> ClipRows:
    """Decode a clip and measure every analysis frame (the live path, frame by frame).

    Raises:
        SourceUnavailable: The clip cannot be opened or decoded.
    """
    extractor = FeatureExtractor(fps)
    timing = {"decode": 0.0, "pose": 0.0, "features": 0.0}
    ts: list[float] = []
    rows: list[FloatArray] = []
    for frame, seen in posed_frames(path, pose, fps, timing):
        start = time.perf_counter()
        record = extractor.frame_record(frame, seen.poses, seen.embedding)
        timing["features"] += time.perf_counter() - start
        if record is not None:
            ts.append(record.ts)
            rows.append(record.row)
    if not rows:
        raise KuzetError(f"{path}: no frame could be decoded")
    return ClipRows(np.asarray(ts, np.float32), np.stack(rows).astype(np.float32), timing)


class RowCache:
    """Per-clip rows on disk, keyed by file hash + feature version + rate.

    Stored as ``.npz`` without pickles (loaded with ``allow_pickle=False``).
    """

    def __init__(self, folder: Path | None, pose_key: str = "") -> None:
        self.folder = folder
        self.pose_key = pose_key

    def _path(self, digest: str, fps: float) -> Path:
        assert self.folder is not None
        key = hashlib.sha256(
            f"{digest}|v{FEATURE_VERSION}|{fps}|{ANALYSIS_WIDTH}|{FLOW_WIDTH}|{self.pose_key}"
            .encode()
        ).hexdigest()[:32]
        return self.folder / f"{key}.npz"

    def get(self, digest: str, fps: float) -> ClipRows | None:
        """Cached rows or None."""
        if self.folder is None:
            return None
        path = self._path(digest, fps)
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            rows = data["rows"]
            if rows.ndim != 2 or rows.shape[1] != len(FRAME_NAMES):
                return None
            return ClipRows(data["ts"], rows, {})

    def put(self, digest: str, fps: float, rows: ClipRows) -> None:
        """Store rows (best effort: a read-only cache folder is not an error)."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            np.savez(self._path(digest, fps), ts=rows.ts, rows=rows.rows)
        except OSError:
            pass


def extract_all(
    clips: list[Clip],
    pose: PoseEstimator,
    cache: RowCache,
    fps: float = DEFAULT_FPS,
    progress: Callable[[Clip, str], None] | None = None,
) -> tuple[list[tuple[Clip, ClipRows]], list[tuple[Clip, str]]]:
    """Rows of every clip (from the cache when possible).

    Returns:
        (clip, rows) for the clips that decoded, and (clip, reason) for the rest.
    """
    done: list[tuple[Clip, ClipRows]] = []
    failed: list[tuple[Clip, str]] = []
    for clip in clips:
        status = "ok"
        try:
            digest = sha256_file(clip.path)
            rows = cache.get(digest, fps)
            if rows is None:
                rows = clip_rows(clip.path, pose, fps)
                cache.put(digest, fps, rows)
            else:
                status = "cached"
            done.append((clip, rows))
        except (KuzetError, OSError, ValueError) as error:
            status = f"skipped: {error}"
            failed.append((clip, str(error)))
        if progress is not None:
            progress(clip, status)
    return done, failed
