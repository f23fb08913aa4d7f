"""Face quality: size, sharpness and pose (from CenterFace's 5 landmarks), 0-1 each.

The overall score is the geometric mean of the three, so one bad factor (a
profile view, motion blur, a tiny face) pulls the whole score down.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kuzet.core.types import FloatArray, Image

GOOD_FACE_PX = 80.0  # faces this wide or wider get the full size score
SHARPNESS_HALF = 60.0  # Laplacian variance (on a 64 px face) that scores 0.5
_SIDE = 64


@dataclass(frozen=True, slots=True)
class FaceQuality:
    """Quality factors of one face, each 0-1 (1 is best).

    Attributes:
        size: Face width relative to ``GOOD_FACE_PX``.
        sharpness: Laplacian variance of the face resized to 64 px, squashed to 0-1.
        pose: Frontality from eye/nose/mouth symmetry.
        score: Geometric mean of the three.
    """

    size: float
    sharpness: float
    pose: float

    @property
    def score(self) -> float:
        """Overall 0-1 quality."""
        return float((self.size * self.sharpness * self.pose) ** (1.0 / 3.0))


def sharpness(image: Image, box: FloatArray) -> float:
    """0-1 sharpness of the face in ``box`` (variance of the Laplacian, resolution-normalised)."""
    h, w = image.shape[:2]
    x1, y1 = int(max(0, box[0])), int(max(0, box[1]))
    x2, y2 = int(min(w, box[2])), int(min(h, box[3]))
    if x2 - x1 < 4 or y2 - y1 < 4:
        return 0.0
    gray = cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY)
    gray = cv2.resize(gray, (_SIDE, _SIDE), interpolation=cv2.INTER_AREA)
    var = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    return var / (var + SHARPNESS_HALF)


def pose(landmarks: FloatArray) -> float:
    """0-1 frontality from 5 landmarks (left eye, right eye, nose, mouth left, mouth right).

    Yaw shows as the nose leaving the middle between the eyes (relative to the
    eye distance); pitch as the nose moving off its usual height between eyes
    and mouth; roll is ignored (alignment removes it).
    """
    lm = np.asarray(landmarks, np.float64).reshape(5, 2)
    eyes, nose, mouth = lm[:2].mean(axis=0), lm[2], lm[3:].mean(axis=0)
    eye_dist = float(np.linalg.norm(lm[1] - lm[0]))
    span = float(np.linalg.norm(mouth - eyes))
    if eye_dist < 1e-3 or span < 1e-3:
        return 0.0
    axis = (mouth - eyes) / span
    across = np.array([axis[1], -axis[0]])
    yaw = abs(float((nose - eyes) @ across)) / eye_dist  # 0 frontal, ~0.5 in profile
    pitch = abs(float((nose - eyes) @ axis) / span - 0.55)  # nose ~55 % of the way down
    return float(max(0.0, 1.0 - 2.0 * yaw) * max(0.0, 1.0 - 2.5 * pitch))


def face_quality(image: Image, box: FloatArray, landmarks: FloatArray) -> FaceQuality:
    """Size, sharpness and pose of one face.

    Args:
        image: HxWx3 uint8 BGR the box and landmarks refer to.
        box: (4,) face box xyxy.
        landmarks: (5,2) landmarks in image pixels.

    Returns:
        The quality factors.
    """
    width = float(box[2] - box[0])
    size = min(1.0, max(0.0, width / GOOD_FACE_PX))
    return FaceQuality(size=size, sharpness=sharpness(image, box), pose=pose(landmarks))
