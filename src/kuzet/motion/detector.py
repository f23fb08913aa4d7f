"""Motion by frame differencing against a running-average background.

Works on a small grayscale copy of the frame (``cfg.downscale_height`` rows),
so it costs well under a millisecond per frame and ignores sensor noise. Boxes
are reported in pixels of the analysed frame.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from kuzet.config.motion import MotionConfig
from kuzet.core.geometry import polygons_mask
from kuzet.core.types import FloatArray, Frame, Image, Motion

# When more than this fraction of the (unmasked) frame changes at once it is a
# global change (lights, auto-exposure, camera shake), not objects: the
# background is reset instead of reporting one frame-sized box.
GLOBAL_CHANGE = 0.5
_BLUR = (5, 5)
_DILATE = np.ones((3, 3), np.uint8)
_DILATE_ITERATIONS = 2


def _no_boxes() -> FloatArray:
    return np.zeros((0, 4), np.float32)


class MotionDetector:
    """Finds moving areas of a camera's frames.

    Args:
        cfg: Threshold, minimum blob area, analysis height, background weight, masks.
        frame_shape: (height, width) of the frames that will be passed to ``detect``.

    Example:
        >>> detector = MotionDetector(MotionConfig(), (480, 640))
        >>> motion = detector.detect(frame)  # doctest: +SKIP
        >>> motion.boxes  # (N,4) xyxy in frame pixels  # doctest: +SKIP
    """

    def __init__(self, cfg: MotionConfig, frame_shape: tuple[int, int]) -> None:
        self.cfg = cfg
        self._setup(frame_shape)

    def _setup(self, frame_shape: tuple[int, int]) -> None:
        h, w = int(frame_shape[0]), int(frame_shape[1])
        if h <= 0 or w <= 0:
            raise ValueError(f"frame_shape must be (height, width) > 0, got {frame_shape}")
        self.frame_shape = (h, w)
        small_h = min(self.cfg.downscale_height, h)
        small_w = max(1, int(round(w * small_h / h)))
        self._small = (small_h, small_w)
        self._scale = np.array([w / small_w, h / small_h] * 2, np.float32)
        masked = polygons_mask([m.points for m in self.cfg.masks], self._small)
        self._keep: npt.NDArray[np.uint8] | None = None
        if masked.any():
            self._keep = np.where(masked, 0, 255).astype(np.uint8)
        self._valid = max(1, int(small_h * small_w - masked.sum()))
        self._min_area = self.cfg.min_area * small_h * small_w
        self._background: npt.NDArray[np.float32] | None = None

    def reset(self) -> None:
        """Forget the background (the next frame becomes it)."""
        self._background = None

    def detect(self, frame: Frame) -> Motion:
        """Moving areas of a frame, compared with the frames before it.

        Args:
            frame: The next frame of the camera.

        Returns:
            Motion with ``boxes`` (N,4) xyxy in frame pixels, empty ``regions``
            (see ``RegionPlanner``) and ``changed_fraction`` of the unmasked area.
        """
        if frame.shape != self.frame_shape:
            self._setup(frame.shape)
        gray = self._prepare(frame.image)
        if self._background is None:
            self._background = gray.astype(np.float32)
            return Motion(_no_boxes(), _no_boxes())
        changed = self._changed_pixels(gray)
        fraction = float(cv2.countNonZero(changed)) / self._valid
        if fraction > GLOBAL_CHANGE:
            self._background = gray.astype(np.float32)
            return Motion(_no_boxes(), _no_boxes(), changed_fraction=fraction)
        cv2.accumulateWeighted(gray, self._background, self.cfg.background_alpha)
        return Motion(self._boxes(changed), _no_boxes(), changed_fraction=fraction)

    def _prepare(self, image: Image) -> npt.NDArray[np.uint8]:
        small_h, small_w = self._small
        resized = cv2.resize(image, (small_w, small_h), interpolation=cv2.INTER_AREA)
        gray = cv2.cvtColor(resized, cv2.COLOR_BGR2GRAY) if resized.ndim == 3 else resized
        return np.asarray(cv2.GaussianBlur(gray, _BLUR, 0), np.uint8)

    def _changed_pixels(self, gray: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        assert self._background is not None
        diff = cv2.absdiff(gray, cv2.convertScaleAbs(self._background))
        _, changed = cv2.threshold(diff, self.cfg.threshold - 1, 255, cv2.THRESH_BINARY)
        if self._keep is not None:
            changed = cv2.bitwise_and(changed, self._keep)
        return np.asarray(changed, np.uint8)

    def _boxes(self, changed: npt.NDArray[np.uint8]) -> FloatArray:
        grown = cv2.dilate(changed, _DILATE, iterations=_DILATE_ITERATIONS)
        if self._keep is not None:
            # Dilation must not leak motion back into a masked area.
            grown = cv2.bitwise_and(grown, self._keep)
        contours, _ = cv2.findContours(grown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes = [cv2.boundingRect(c) for c in contours if cv2.contourArea(c) >= self._min_area]
        if not boxes:
            return _no_boxes()
        xywh = np.array(boxes, np.float32)
        xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
        scaled: FloatArray = (xyxy * self._scale).astype(np.float32)
        return scaled
