"""MoveNet multipose (up to 6 people, 17 COCO keypoints) on ONNX Runtime.

Input: RGB int32 NHWC, here letterboxed top-left into a ``size`` x ``size``
square (a multiple of 32). Output ``[1,6,56]``: per person 17 x (y, x, score),
then box (ymin, xmin, ymax, xmax) and score, all normalised to the input.

The same run also yields the frame's *embedding*: the MobileNetV2 backbone's last
feature map (1280 channels, stride 32) averaged over the unpadded part of the
input. The fight model uses how fast it changes between frames; reading it costs
no extra inference.
"""

from __future__ import annotations

from dataclasses import dataclass
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
# The backbone tensor behind the embedding (name as converted from the TFJS graph).
BACKBONE_OUTPUT = (
    "StatefulPartitionedCall/center_net_mobile_net_v2fpn_feature_extractor/model_1/"
    "model/out_relu/Relu6/Clip"
)
EMBEDDING_DIM = 1280


@dataclass(frozen=True)
class PoseFrame:
    """One frame's poses and its backbone embedding ((EMBEDDING_DIM,) float32)."""

    poses: Detections
    embedding: FloatArray


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
        self._session = create_session(with_backbone_output(path), threads)
        self._input = self._session.get_inputs()[0].name
        self._outputs = [self._session.get_outputs()[0].name, BACKBONE_OUTPUT]

    def detect(self, image: Image) -> Detections:
        """Estimate poses in a BGR frame."""
        return self.detect_frame(image).poses

    def detect_frame(self, image: Image) -> PoseFrame:
        """Poses and the backbone embedding of a BGR frame (one inference)."""
        import cv2

        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an HxWx3 BGR image, got shape {image.shape}")
        padded, scale = letterbox_top_left(image, self.size)
        rgb = cv2.cvtColor(padded, cv2.COLOR_BGR2RGB).astype(np.int32)[None]
        raw, features = self._session.run(self._outputs, {self._input: rgb})
        found = decode(raw, self.size, scale, self.min_score)
        h, w = image.shape[:2]
        boxes: FloatArray = found.xyxy.copy()
        boxes[:, [0, 2]] = np.clip(boxes[:, [0, 2]], 0, w)
        boxes[:, [1, 3]] = np.clip(boxes[:, [1, 3]], 0, h)
        return PoseFrame(found.with_columns(xyxy=boxes),
                         pooled_embedding(features, (h * scale, w * scale), self.size))


def pooled_embedding(
    features: npt.NDArray[np.float32], content: tuple[float, float], size: int
) -> FloatArray:
    """Mean of an NCHW feature map over the cells that cover the image, not the padding."""
    fh, fw = features.shape[2:]
    rows = max(1, int(np.ceil(content[0]) * fh / size))
    cols = max(1, int(np.ceil(content[1]) * fw / size))
    pooled: FloatArray = features[0, :, :rows, :cols].mean(axis=(1, 2)).astype(np.float32)
    return pooled


def with_backbone_output(path: Path) -> Path | bytes:
    """The model with :data:`BACKBONE_OUTPUT` exposed as a second output.

    Raises:
        ModelError: The file has no such tensor (not the MoveNet multipose we convert).
    """
    import onnx

    from kuzet.core.errors import ModelError

    if not path.is_file():
        return path  # create_session reports the missing file
    model = onnx.load(str(path))
    if BACKBONE_OUTPUT not in {o for node in model.graph.node for o in node.output}:
        raise ModelError(f"{path}: no backbone tensor {BACKBONE_OUTPUT!r}; reinstall the "
                         "models with `kuzet models install --force`")
    model.graph.output.append(
        onnx.helper.make_tensor_value_info(BACKBONE_OUTPUT, onnx.TensorProto.FLOAT, None))
    data: bytes = model.SerializeToString()
    return data
