"""FightAnalyzer: the live-facing, per-camera fight scorer.

The caller runs the pose model once per frame (shared with other analytics)
and feeds frame + poses; every ``stride_s`` seconds, once ``window_s`` seconds
are covered, the analyser returns a :class:`~kuzet.core.fight.FightWindow`
with the model's score. ``kuzet train fights`` and ``kuzet eval fights`` use
this same feature path (:class:`~kuzet.fights.features.FeatureExtractor`).
"""

from __future__ import annotations

from kuzet.core.fight import FightWindow
from kuzet.core.types import Detections, FloatArray, Frame
from kuzet.fights.features import FeatureExtractor, WindowSample
from kuzet.fights.model import FightModel


class FightAnalyzer:
    """Scores sliding windows of one camera for fighting.

    Args:
        model: The fight model; None loads the shipped one.
        fps: Analysis rate (frames are kept by timestamp; feed at least this rate).
            None takes the model's training rate (10).
        window_s: Window length in seconds; None takes the model's (1.0).
        stride_s: Seconds between windows; None takes the model's (0.2).

    Attributes:
        fps: The rate the analyser wants frames at.
        threshold: Default window-score threshold for the live rule (the model's
            ``live_threshold``, else its clip threshold).

    Example:
        >>> analyzer = FightAnalyzer()  # doctest: +SKIP
        >>> for frame in frames:  # doctest: +SKIP
        ...     seen = pose.detect_frame(frame.image)
        ...     window = analyzer.update(frame, seen.poses, seen.embedding)
        ...     if window is not None and window.score >= analyzer.threshold:
        ...         print(window.ts, window.score, window.people)
    """

    def __init__(
        self,
        model: FightModel | None = None,
        fps: float | None = None,
        window_s: float | None = None,
        stride_s: float | None = None,
    ) -> None:
        self.model = model if model is not None else FightModel.load()
        self.fps = float(fps if fps is not None else self.model.fps)
        self.window_s = float(window_s if window_s is not None else self.model.window_s)
        self.stride_s = float(stride_s if stride_s is not None else self.model.stride_s)
        live = self.model.live_threshold
        self.threshold = live if live is not None else self.model.threshold
        self._features = FeatureExtractor(self.fps, self.window_s, self.stride_s)

    def update(
        self, frame: Frame, poses: Detections, embedding: FloatArray | None = None
    ) -> FightWindow | None:
        """Add one frame and its poses; a FightWindow every ``stride_s`` once full.

        Args:
            frame: The camera frame (BGR image, ``ts`` in seconds, ``wall``).
            poses: PoseEstimator output on ``frame.image`` (keypoints in its pixels).
            embedding: The same run's backbone embedding (``PoseFrame.embedding``);
                without it the model's motion head sees no motion.

        Returns:
            The newest window's verdict, or None (frame skipped or no window due).
        """
        return self._verdict(self._features.update(frame, poses, embedding))

    def flush(self) -> FightWindow | None:
        """Score a partial window when the input ended before one full window.

        Returns None when a full window was already produced (or nothing was fed).
        """
        return self._verdict(self._features.partial())

    def _verdict(self, sample: WindowSample | None) -> FightWindow | None:
        if sample is None:
            return None
        score = float(self.model.predict_proba(sample.features[None])[0])
        return FightWindow(ts=sample.ts, wall=sample.wall, score=score,
                           people=len(sample.boxes), boxes=sample.boxes,
                           aggression=sample.aggression)

    def reset(self) -> None:
        """Forget every frame (after a reconnect, a seek or a config change)."""
        self._features.reset()
