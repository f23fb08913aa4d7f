"""Pre/post-processing shared by the detectors: resizing, score filtering, NMS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kuzet.core.types import Detections, FloatArray, Image, IntArray
from kuzet.detect.base import DetectorOptions

PAD_VALUE = 114


@dataclass(frozen=True, slots=True)
class Resize:
    """How an image was mapped onto the model input: ``model = image * scale + pad``.

    Attributes:
        scale_x: Horizontal scale factor.
        scale_y: Vertical scale factor.
        pad_x: Left padding in model pixels.
        pad_y: Top padding in model pixels.
    """

    scale_x: float
    scale_y: float
    pad_x: float = 0.0
    pad_y: float = 0.0

    def to_image(self, boxes: FloatArray) -> FloatArray:
        """Map (N,4) xyxy boxes from model pixels back to image pixels."""
        out = boxes.astype(np.float32, copy=True)
        out[:, [0, 2]] = (out[:, [0, 2]] - self.pad_x) / self.scale_x
        out[:, [1, 3]] = (out[:, [1, 3]] - self.pad_y) / self.scale_y
        return out


def resize_to(
    image: Image, width: int, height: int, keep_aspect: bool, centre: bool = True
) -> tuple[Image, Resize]:
    """Resize to the model size, stretched or letterboxed.

    Args:
        image: HxWx3 uint8.
        width: Model input width.
        height: Model input height.
        keep_aspect: Letterbox (pad with gray 114) instead of stretching.
        centre: Centre the letterboxed image (else top-left aligned).

    Returns:
        The resized image and the mapping back to image pixels.
    """
    import cv2

    h, w = image.shape[:2]
    if not keep_aspect:
        out = np.asarray(cv2.resize(image, (width, height)), dtype=np.uint8)
        return out, Resize(width / w, height / h)
    scale = min(width / w, height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(image, (nw, nh))
    canvas: Image = np.full((height, width, image.shape[2]), PAD_VALUE, dtype=np.uint8)
    px, py = ((width - nw) // 2, (height - nh) // 2) if centre else (0, 0)
    canvas[py:py + nh, px:px + nw] = resized
    return canvas, Resize(scale, scale, float(px), float(py))


def box_iou(box: FloatArray, boxes: FloatArray) -> FloatArray:
    """IoU of one xyxy box against (N,4) boxes."""
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    result: FloatArray = (inter / np.maximum(area + areas - inter, 1e-9)).astype(np.float32)
    return result


def nms(boxes: FloatArray, scores: FloatArray, iou: float) -> IntArray:
    """Greedy non-maximum suppression.

    Args:
        boxes: (N,4) xyxy.
        scores: (N,) confidences.
        iou: Boxes overlapping a kept box by more than this are dropped.

    Returns:
        Indices of kept boxes, highest score first.

    Example:
        >>> b = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32)
        >>> nms(b, np.array([0.9, 0.8, 0.7], np.float32), 0.5).tolist()
        [0, 2]
    """
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        best = int(order[0])
        keep.append(best)
        if order.size == 1:
            break
        rest = order[1:]
        order = rest[box_iou(boxes[best], boxes[rest]) <= iou]
    return np.asarray(keep, dtype=np.int64)


def batched_nms(
    boxes: FloatArray, scores: FloatArray, class_ids: IntArray, iou: float
) -> IntArray:
    """Per-class NMS (boxes of different classes never suppress each other)."""
    if len(boxes) == 0:
        return np.zeros(0, np.int64)
    span = float(np.max(boxes)) + 1.0
    shifted = boxes + (class_ids.astype(np.float32) * span)[:, None]
    return nms(shifted, scores, iou)


def min_scores_per_class(options: DetectorOptions, class_names: tuple[str, ...]) -> FloatArray:
    """(C,) minimum score per class id from the options."""
    unknown = set(options.class_min_scores) - set(class_names)
    if unknown:
        raise ValueError(f"class_min_scores names unknown classes: {sorted(unknown)}")
    return np.asarray([options.class_min_scores.get(n, options.min_score) for n in class_names],
                      dtype=np.float32)


def select(
    boxes: FloatArray, class_scores: npt.NDArray[np.float32], thresholds: FloatArray
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Best class per candidate, kept when above that class's threshold."""
    class_ids = np.argmax(class_scores, axis=1)
    scores = class_scores[np.arange(len(class_scores)), class_ids]
    keep = scores >= thresholds[class_ids]
    return boxes[keep], scores[keep].astype(np.float32), class_ids[keep].astype(np.int64)


def finish(
    boxes: FloatArray, scores: FloatArray, class_ids: IntArray,
    options: DetectorOptions, class_names: tuple[str, ...],
) -> Detections:
    """Per-class NMS, class-agnostic NMS, top-k; builds ``Detections``."""
    keep = batched_nms(boxes, scores, class_ids, options.iou)
    boxes, scores, class_ids = boxes[keep], scores[keep], class_ids[keep]
    if options.agnostic_iou < 1.0 and len(boxes):
        keep = nms(boxes, scores, options.agnostic_iou)
        boxes, scores, class_ids = boxes[keep], scores[keep], class_ids[keep]
    order = np.argsort(-scores, kind="stable")[: options.max_detections]
    return Detections(xyxy=boxes[order], score=scores[order], class_id=class_ids[order],
                      class_names=class_names)


def clip_boxes(boxes: FloatArray, width: int, height: int) -> FloatArray:
    """Clip xyxy boxes to the image."""
    out = boxes.copy()
    out[:, [0, 2]] = np.clip(out[:, [0, 2]], 0, width)
    out[:, [1, 3]] = np.clip(out[:, [1, 3]], 0, height)
    return out
