"""The plate text recogniser (PP-OCRv4 rec, CTC) with per-character alternatives.

RapidOCR's ``TextRecognizer`` loads the ONNX model and its dictionary and does
the resizing; its decoder keeps only the greedy string, so the raw CTC output is
decoded here (``kuzet.enrich.plate.ctc``) to keep each character's alternatives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kuzet.core.types import Image
from kuzet.enrich.plate.ctc import Segment, decode
from kuzet.models.paths import model_file

REC_HEIGHT = 48
REC_WIDTH = 320


@dataclass(frozen=True, slots=True)
class OcrRead:
    """One recognised text line.

    Attributes:
        raw: The greedy read, as the recogniser spells it.
        confidence: Mean probability of its characters (0-1).
        segments: Plate characters with their alternatives.
    """

    raw: str
    confidence: float
    segments: tuple[Segment, ...]


def join_reads(lines: list[OcrRead]) -> OcrRead:
    """Lines of a multi-line plate read top to bottom as one read.

    Example:
        >>> join_reads([]).raw
        ''
    """
    segments = tuple(s for line in lines for s in line.segments)
    conf = float(np.mean([s.p for s in segments])) if segments else 0.0
    return OcrRead(" ".join(line.raw for line in lines), conf, segments)


class PlateOcr:
    """Recognise text lines (BGR crops) with per-character alternatives.

    Example:
        >>> PlateOcr().read([crop])[0].raw  # doctest: +SKIP
        '123ABC01'
    """

    def __init__(self, threads: int = 1, batch: int = 4) -> None:
        """Load the recogniser once.

        Args:
            threads: ONNX Runtime intra-op threads.
            batch: Crops per model call.

        Raises:
            ModelError: RapidOCR (which ships the model) is not installed.
        """
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer

        self._rec: Any = TextRecognizer(
            {
                "model_path": str(model_file("ppocr-rec")),
                "intra_op_num_threads": threads,
                "inter_op_num_threads": 1,
                "use_cuda": False,
                "use_dml": False,
                "rec_img_shape": [3, REC_HEIGHT, REC_WIDTH],
                "rec_batch_num": batch,
            }
        )
        self._chars: list[str] = list(self._rec.postprocess_op.character)
        self._batch = batch

    def read(self, crops: list[Image]) -> list[OcrRead]:
        """One read per crop, in order (crops of similar shape are batched)."""
        ratios = [c.shape[1] / max(c.shape[0], 1) for c in crops]
        order = np.argsort(ratios)
        out: list[OcrRead | None] = [None] * len(crops)
        for start in range(0, len(crops), self._batch):
            idx = [int(i) for i in order[start : start + self._batch]]
            max_ratio = max([REC_WIDTH / REC_HEIGHT] + [ratios[i] for i in idx])
            batch = np.stack([self._rec.resize_norm_img(crops[i], max_ratio) for i in idx])
            probs = np.asarray(self._rec.session(batch.astype(np.float32))[0], np.float32)
            for k, i in enumerate(idx):
                raw, segments = decode(probs[k], self._chars)
                conf = float(np.mean([s.p for s in segments])) if segments else 0.0
                out[i] = OcrRead(raw, conf, tuple(segments))
        return [r if r is not None else OcrRead("", 0.0, ()) for r in out]
