"""Pose-based behaviour of one camera (fights, aggression, smoking), run only when enabled.

Pose runs once per delivered frame (the camera decodes at ``CameraConfig.decode_fps``,
the pose rate when fights or smoking are on) and its people are shared: the fight
analyser scores windows of them, and, for smoking, a ByteTrack-class tracker gives
them pose-track ids. Models load when the stage is built, i.e. on the pipeline's
first frame inside the camera process (like the face models), never in the parent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kuzet.config.cameras import CameraConfig
from kuzet.config.tracking import TrackingConfig
from kuzet.core.errors import ModelError
from kuzet.core.fight import FightWindow
from kuzet.core.types import Detections, FloatArray, Frame, Image
from kuzet.enrich.pose.movenet import PoseFrame
from kuzet.track import ByteTracker

log = logging.getLogger(__name__)

# Used when neither `fights.threshold` nor the analyser names a default.
FALLBACK_THRESHOLD = 0.5
# Pose people are scored lower than detector boxes (MoveNet: ~0.2 for small people).
POSE_TRACKING = TrackingConfig(high_score=0.3, low_score=0.15, max_lost=1.0, min_hits=2)

PoseFn = Callable[[Image], PoseFrame]


class FightScorer(Protocol):
    """What the stage needs of ``kuzet.fights.analyzer.FightAnalyzer``."""

    fps: float

    def update(
        self, frame: Frame, poses: Detections, embedding: FloatArray | None = None
    ) -> FightWindow | None:
        """Feed one frame's poses (and pose embedding); a window every stride once full."""
        ...

    def reset(self) -> None:
        """Forget the frames seen (a gap in the stream)."""
        ...


@dataclass(frozen=True, slots=True)
class BehaviourOutput:
    """What the stage found on one frame (all None when the stage is off)."""

    poses: Detections | None = None  # tracked, only when smoking is on
    fight: FightWindow | None = None


@dataclass
class BehaviourStats:
    """Cost counters (seconds) for health and benchmarks."""

    frames: int = 0
    pose_s: float = 0.0
    fight_s: float = 0.0
    track_s: float = 0.0
    load_s: float = 0.0
    windows: int = 0  # fight windows scored
    max_score: float = 0.0  # highest window score seen


def load_pose(cam: CameraConfig) -> PoseFn:
    """The MoveNet multipose estimator at the camera's pose size (one thread).

    Raises:
        ModelError: ``movenet-multipose`` is not installed.
    """
    from kuzet.enrich.pose.movenet import PoseEstimator
    from kuzet.models import find_model

    path = find_model("movenet-multipose")
    if path is None:
        raise ModelError("movenet-multipose model missing: run `kuzet models install`")
    fights = cam.fights
    estimator = PoseEstimator(
        Path(path), threads=1, size=fights.pose_size, min_score=fights.pose_min_score
    )
    return estimator.detect_frame


def load_analyzer(cam: CameraConfig) -> FightScorer:
    """The trained fight analyser (``fights.model`` or the shipped model) at ``fights.fps``."""
    from kuzet.fights.analyzer import FightAnalyzer
    from kuzet.fights.model import FightModel

    model = FightModel.load(cam.fights.model)
    trained = int(model.meta.get("pose_size", 256))
    if trained != cam.fights.pose_size:
        log.warning("fights.pose_size is %d but the fight model was trained at %d: its "
                    "motion features will read differently", cam.fights.pose_size, trained)
    analyzer: FightScorer = FightAnalyzer(model=model, fps=cam.fights.fps)
    return analyzer


def analyzer_threshold(cam: CameraConfig, analyzer: FightScorer | None) -> float:
    """``fights.threshold``, else the analyser's (or its model's) default, else 0.5."""
    if cam.fights.threshold is not None:
        return cam.fights.threshold
    for owner in (analyzer, getattr(analyzer, "model", None)):
        value = getattr(owner, "threshold", None)
        if isinstance(value, int | float):
            return float(value)
    return FALLBACK_THRESHOLD


class BehaviourStage:
    """Pose, fight windows and tracked poses of one camera.

    Args:
        cam: The camera's config (``fights``, ``smoking``).
        shape: (height, width) of the analysed frames.
        pose: Pose function; None loads MoveNet when a section is enabled.
        analyzer: Fight analyser; None loads the trained one when fights are enabled.

    Example:
        >>> from kuzet.config.cameras import CameraConfig
        >>> cam = CameraConfig.model_validate({"source": {"url": "a.mp4"}})
        >>> BehaviourStage(cam, (480, 640)).enabled
        False
    """

    def __init__(
        self,
        cam: CameraConfig,
        shape: tuple[int, int],
        pose: PoseFn | None = None,
        analyzer: FightScorer | None = None,
    ) -> None:
        self.stats = BehaviourStats()
        self.enabled = cam.fights.enabled or cam.smoking.enabled
        start = time.perf_counter()
        self._pose = None if not self.enabled else pose or load_pose(cam)
        if cam.fights.enabled and analyzer is None:
            analyzer = load_analyzer(cam)
        self._analyzer = analyzer if cam.fights.enabled else None
        self._tracker = ByteTracker(POSE_TRACKING, shape) if cam.smoking.enabled else None
        self.stats.load_s = time.perf_counter() - start
        self.threshold = analyzer_threshold(cam, self._analyzer)
        self.last_window: FightWindow | None = None

    def update(self, frame: Frame) -> BehaviourOutput:
        """Pose once, then the fight analyser and the pose tracker as enabled."""
        if self._pose is None:
            return BehaviourOutput()
        stats = self.stats
        stats.frames += 1
        t0 = time.perf_counter()
        seen = self._pose(frame.image)
        poses = seen.poses
        t1 = time.perf_counter()
        window = None if self._analyzer is None else self._analyzer.update(
            frame, poses, seen.embedding)
        t2 = time.perf_counter()
        tracked = None if self._tracker is None else self._tracker.update(poses, frame.ts)
        stats.pose_s += t1 - t0
        stats.fight_s += t2 - t1
        if window is not None:
            self.last_window = window
            stats.windows += 1
            stats.max_score = max(stats.max_score, window.score)
        stats.track_s += time.perf_counter() - t2
        return BehaviourOutput(None if tracked is None else tracked.detections, window)
