"""dlib ResNet face embeddings (128-D), aligned with dlib's 5-point shape predictor.

Both models come from the installed ``face_recognition_models`` package (CC0).
Two faces of one person are usually within Euclidean distance 0.6.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kuzet.core.errors import ModelError
from kuzet.core.types import FloatArray, Image

EMBEDDING_SIZE = 128


def _default_paths() -> tuple[Path, Path]:
    from kuzet.models.paths import find_model

    shape, resnet = find_model("dlib-shape-5pt"), find_model("dlib-face-resnet")
    if shape is not None and resnet is not None:
        return shape, resnet
    try:
        import face_recognition_models as frm
    except ImportError as exc:
        raise ModelError("face_recognition_models is not installed: pip install "
                         "face-recognition-models; then run `kuzet models install`") from exc
    return (Path(frm.pose_predictor_five_point_model_location()),
            Path(frm.face_recognition_model_location()))


class FaceEmbedder:
    """Face boxes -> (N,128) float32 descriptors.

    Example:
        >>> emb = FaceEmbedder().embed(frame, faces.xyxy)  # doctest: +SKIP
        >>> emb.shape
        (2, 128)
    """

    def __init__(
        self,
        shape_predictor: Path | None = None,
        recognition_model: Path | None = None,
        jitters: int = 0,
        padding: float = 0.25,
    ) -> None:
        """Load both dlib models once.

        Args:
            shape_predictor: 5-point landmarks ``.dat``; defaults to the installed one.
            recognition_model: ResNet ``.dat``; defaults to the installed one.
            jitters: Random re-samplings averaged per face (slower, slightly better).
            padding: Margin around the aligned face chip (dlib's default 0.25).

        Raises:
            ModelError: A model file is missing.
        """
        import dlib

        default_shape, default_resnet = (shape_predictor, recognition_model)
        if shape_predictor is None or recognition_model is None:
            default_shape, default_resnet = _default_paths()
        shape_path = shape_predictor or default_shape
        resnet_path = recognition_model or default_resnet
        for path in (shape_path, resnet_path):
            if path is None or not Path(path).is_file():
                raise ModelError(f"dlib model {path} does not exist: run `kuzet models install`")
        self.jitters = jitters
        self.padding = padding
        self._shape: Any = dlib.shape_predictor(str(shape_path))
        self._resnet: Any = dlib.face_recognition_model_v1(str(resnet_path))

    def embed(self, image: Image, boxes: FloatArray) -> FloatArray:
        """Descriptors of the faces in ``boxes`` (xyxy pixels) of a BGR frame."""
        import cv2
        import dlib

        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
        if len(boxes) == 0:
            return np.zeros((0, EMBEDDING_SIZE), np.float32)
        rgb = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        shapes = dlib.full_object_detections()
        for x1, y1, x2, y2 in boxes:
            rect = dlib.rectangle(int(x1), int(y1), int(x2), int(y2))
            shapes.append(self._shape(rgb, rect))
        vectors = self._resnet.compute_face_descriptor(rgb, shapes, self.jitters, self.padding)
        return np.asarray([np.asarray(v) for v in vectors], dtype=np.float32)
