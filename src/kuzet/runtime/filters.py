"""Post-detection filters: kept classes, per-class score and area limits."""

from __future__ import annotations

import numpy as np

from kuzet.config.detect import DetectConfig
from kuzet.core.types import Detections


class DetectionFilter:
    """Applies ``DetectConfig.classes``, ``min_score`` and ``filters`` to detections.

    Thresholds are resolved into per-class arrays once, so filtering a batch is a
    few vectorised comparisons.
    """

    def __init__(self, cfg: DetectConfig, class_names: tuple[str, ...]) -> None:
        unknown = sorted(set(cfg.classes) - set(class_names))
        if unknown:
            raise ValueError(f"detect.classes has unknown class names {unknown}; "
                             f"the detector's classes are {list(class_names)}")
        n = len(class_names)
        self.keep = np.zeros(n, bool)
        self.min_score = np.full(n, cfg.min_score, np.float32)
        self.min_area = np.zeros(n, np.float32)
        self.max_area = np.ones(n, np.float32)
        index = {name: i for i, name in enumerate(class_names)}
        for name in cfg.classes:
            self.keep[index[name]] = True
        for name, flt in cfg.filters.items():
            if name not in index:
                raise ValueError(f"detect.filters has unknown class name {name!r}; "
                                 f"the detector's classes are {list(class_names)}")
            i = index[name]
            if flt.min_score is not None:
                self.min_score[i] = flt.min_score
            self.min_area[i] = flt.min_area
            self.max_area[i] = flt.max_area

    def __call__(self, dets: Detections, frame_area: float) -> Detections:
        """Rows that pass every filter (a new ``Detections``)."""
        if not len(dets):
            return dets
        cls = dets.class_id
        rel_area = dets.area / max(frame_area, 1.0)
        mask = (
            self.keep[cls]
            & (dets.score >= self.min_score[cls])
            & (rel_area >= self.min_area[cls])
            & (rel_area <= self.max_area[cls])
        )
        return dets[mask]
