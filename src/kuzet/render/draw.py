"""Drawing detections on frames: boxes with labels, pose skeletons, face landmarks.

Used by ``kuzet detect``. Never mutates its input.
"""

from __future__ import annotations

import numpy as np

from kuzet.core.types import Detections, Image

# BGR colours, chosen per class id so the same class keeps its colour.
_PALETTE = (
    (56, 56, 255), (151, 157, 255), (31, 112, 255), (29, 178, 255), (49, 210, 207),
    (10, 249, 72), (23, 204, 146), (134, 219, 61), (52, 147, 26), (187, 212, 0),
    (168, 153, 44), (255, 194, 0), (147, 69, 52), (255, 115, 100), (236, 24, 0),
    (255, 56, 132), (133, 0, 82), (255, 56, 203), (200, 149, 255), (199, 55, 255),
)
_SKELETON = (
    (0, 1), (0, 2), (1, 3), (2, 4), (5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11),
    (6, 12), (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
)


def colour(class_id: int) -> tuple[int, int, int]:
    """Stable BGR colour of a class id."""
    return _PALETTE[int(class_id) % len(_PALETTE)]


def _label(detections: Detections, i: int) -> str:
    text = detections.labels[i]
    if "text" in detections.attrs:
        text = str(detections.attrs["text"][i])
    if detections.track_id is not None:
        text = f"#{int(detections.track_id[i])} {text}"
    return f"{text} {float(detections.score[i]):.2f}"


def _draw_label(image: Image, text: str, x: int, y: int, bgr: tuple[int, int, int]) -> None:
    import cv2

    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
    top = max(y - th - base - 2, 0)
    cv2.rectangle(image, (x, top), (x + tw + 2, top + th + base + 2), bgr, -1)
    cv2.putText(image, text, (x + 1, top + th + 1), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (255, 255, 255), 1, cv2.LINE_AA)


def _draw_keypoints(image: Image, keypoints: np.ndarray, min_score: float) -> None:
    import cv2

    for person in keypoints:
        for a, b in _SKELETON:
            if person[a, 2] >= min_score and person[b, 2] >= min_score:
                pa = (int(person[a, 0]), int(person[a, 1]))
                pb = (int(person[b, 0]), int(person[b, 1]))
                cv2.line(image, pa, pb, (0, 255, 255), 2, cv2.LINE_AA)
        for x, y, score in person:
            if score >= min_score:
                cv2.circle(image, (int(x), int(y)), 3, (0, 0, 255), -1, cv2.LINE_AA)


def _draw_landmarks(image: Image, landmarks: np.ndarray) -> None:
    import cv2

    for face in landmarks:
        for x, y in face:
            cv2.circle(image, (int(x), int(y)), 2, (0, 255, 0), -1, cv2.LINE_AA)


def annotate(image: Image, detections: Detections, keypoint_min_score: float = 0.2) -> Image:
    """A copy of ``image`` with boxes, labels, keypoints and landmarks drawn.

    Args:
        image: HxWx3 BGR uint8 (not modified).
        detections: What to draw; ``attrs["keypoints"]`` (N,17,3) and
            ``attrs["landmarks"]`` (N,5,2) are drawn when present.
        keypoint_min_score: Keypoints below this score are not drawn.

    Returns:
        The annotated copy.

    Example:
        >>> out = annotate(frame, detector.detect(frame))  # doctest: +SKIP
    """
    import cv2

    out = np.ascontiguousarray(image.copy())
    thickness = max(1, round(max(image.shape[:2]) / 500))
    for i in range(len(detections)):
        x1, y1, x2, y2 = (int(round(float(v))) for v in detections.xyxy[i])
        bgr = colour(int(detections.class_id[i]))
        cv2.rectangle(out, (x1, y1), (x2, y2), bgr, thickness, cv2.LINE_AA)
        _draw_label(out, _label(detections, i), x1, y1, bgr)
    if "keypoints" in detections.attrs:
        _draw_keypoints(out, np.asarray(detections.attrs["keypoints"]), keypoint_min_score)
    if "landmarks" in detections.attrs:
        _draw_landmarks(out, np.asarray(detections.attrs["landmarks"]))
    return out
