"""MoveNet multipose (up to 6 people, 17 COCO keypoints) on ONNX Runtime.

Input: RGB int32 NHWC, here letterboxed top-left into a ``size`` x ``size``
square (a multiple of 32). Output ``[1,6,56]``: per person 17 x (y, x, score),
then box (ymin, xmin, ymax, xmax) and score, all normalised to the input.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from kuzet.core.types import Detections, FloatArray, Image

KEYPOINTS: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)
SKELETON: tuple[tuple[int, int], ...] = (
    (0, 1), (0, 2), (1, 3), (2, 4), (5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11),
    (6, 12), (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
)
PERSON_CLASSES = ("person",)


def letterbox_top_left(image: Image, size: int) -> tuple[Image, float]:
    """Scale the longer side to ``size`` and pad right/bottom with black."""
    import cv2

    h, w = image.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    canvas = np.zeros((size, size, 3), np.uint8)
    canvas[:nh, :nw] = cv2.resize(image, (nw, nh))
    return canvas, scale


def decode(
    raw: npt.NDArray[np.float32], size: int, scale: float, min_score: float
) -> Detections:
    """``[1,6,56]`` -> Detections (class person) with ``attrs["keypoints"]`` (N,17,3).

    Keypoints are (x, y, score) in image pixels; the raw output is (y, x, score).
    """
    people = np.asarray(raw, np.float32).reshape(-1, 56)
    people = people[people[:, 55] >= min_score]
    factor = size / scale
    kps = people[:, :51].reshape(-1, 17, 3)
    keypoints = np.stack([kps[:, :, 1] * factor, kps[:, :, 0] * factor, kps[:, :, 2]], axis=2)
    ymin, xmin, ymax, xmax = (people[:, 51 + i] * factor for i in range(4))
    boxes = np.stack([xmin, ymin, xmax, ymax], axis=1)
    return Detections(xyxy=boxes, score=people[:, 55], class_id=np.zeros(len(people), np.int64),
                      attrs={"keypoints": keypoints.astype(np.float32)},
                      class_names=PERSON_CLASSES)


class PoseEstimator:
    """Multi-person pose: boxes, scores and (N,17,3) keypoints (x, y, score).

    Example:
        >>> poses = PoseEstimator(Path("movenet-multipose.onnx")).detect(frame)  # doctest: +SKIP
        >>> poses.attrs["keypoints"].shape  # doctest: +SKIP
        (3, 17, 3)
    """

    class_names: tuple[str, ...] = PERSON_CLASSES

    def __init__(
        self, path: Path, threads: int = 2, size: int = 256, min_score: float = 0.15
    ) -> None:
        """Load the model once.

        Args:
            path: ``movenet-multipose.onnx``.
            threads: ONNX Runtime intra-op threads.
            size: Input side, a multiple of 32 (larger finds smaller people).
            min_score: Minimum person score (people ~100 px tall in a 768 px
                frame score about 0.2 at size 256).

        Raises:
            ValueError: ``size`` is not a positive multiple of 32.
        """
        from kuzet.models.session import create_session

        if size <= 0 or size % 32:
            raise ValueError(f"size must be a positive multiple of 32, got {size}")
        self.size = size
        self.min_score = min_score
        self._session = create_session(path, threads)
        self._input = self._session.get_inputs()[0].name

    def detect(self, image: Image) -> Detections:
        """Estimate poses in a BGR frame."""
        import cv2

        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an HxWx3 BGR image, got shape {image.shape}")
        padded, scale = letterbox_top_left(image, self.size)
        rgb = cv2.cvtColor(padded, cv2.COLOR_BGR2RGB).astype(np.int32)[None]
        raw = self._session.run(None, {self._input: rgb})[0]
        found = decode(raw, self.size, scale, self.min_score)
        h, w = image.shape[:2]
        boxes: FloatArray = found.xyxy.copy()
        boxes[:, [0, 2]] = np.clip(boxes[:, [0, 2]], 0, w)
        boxes[:, [1, 3]] = np.clip(boxes[:, [1, 3]], 0, h)
        return found.with_columns(xyxy=boxes)
