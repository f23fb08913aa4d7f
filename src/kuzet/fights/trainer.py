"""``kuzet train fights``: folder -> cached rows -> group CV -> final model + report."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kuzet.enrich.pose.movenet import EMBEDDING_DIM
from kuzet.fights.dataset import Clip, RowCache, extract_all, list_clips, list_negatives
from kuzet.fights.features import (
    ANALYSIS_WIDTH,
    DEFAULT_FPS,
    DEFAULT_STRIDE_S,
    DEFAULT_WINDOW_S,
    FEATURE_NAMES,
    FEATURE_VERSION,
    FRAME_NAMES,
)
from kuzet.fights.flow import FLOW_WIDTH
from kuzet.fights.training import (
    GBM_PARAMS,
    MOTION_C,
    MOTION_COMPONENTS,
    MOTION_WEIGHT,
    build_windows,
    cross_validate,
    feature_importance,
    train_model,
)


@dataclass(frozen=True)
class TrainRequest:
    """What to train on and where the results go."""

    data_dir: Path
    out: Path
    report: Path
    folds: int = 5
    seed: int = 0
    cache_dir: Path | None = None
    kind: str = "gbm"
    threshold: float = 0.5
    aggregate: str = "mean"
    negatives: Path | None = None  # extra no-fight videos (training only)


def default_cache_dir() -> Path:
    """``<user cache>/kuzet/fight-rows`` (outside the repository)."""
    from kuzet.models.paths import user_cache_dir

    return user_cache_dir() / "kuzet" / "fight-rows"


def train_fights(
    req: TrainRequest, progress: Callable[[Clip, str], None] | None = None
) -> dict[str, Any]:
    """Extract (or load cached) rows, cross-validate, fit on all clips, write model + report.

    Returns:
        The training report (also written to ``req.report`` as JSON).

    Raises:
        ConfigError: Bad folder layout or too few clips/groups for the folds.
        ModelError: The pose model is not installed.
    """
    from kuzet.enrich.pose.movenet import PoseEstimator
    from kuzet.models.paths import require_model

    clips = list_clips(req.data_dir)
    if req.negatives is not None:
        clips += list_negatives(req.negatives)
    pose_path = require_model("movenet-multipose")
    pose = PoseEstimator(pose_path)
    cache = RowCache(req.cache_dir, f"{pose_path.name}:{pose_path.stat().st_size}:{pose.size}")
    start = time.perf_counter()
    data, failed = extract_all(clips, pose, cache, DEFAULT_FPS, progress)
    extract_s = time.perf_counter() - start
    settings: dict[str, Any] = {"threshold": req.threshold, "aggregate": req.aggregate,
                                "fps": DEFAULT_FPS, "window_s": DEFAULT_WINDOW_S,
                                "stride_s": DEFAULT_STRIDE_S}
    ws = build_windows(data, DEFAULT_WINDOW_S, DEFAULT_STRIDE_S, DEFAULT_FPS)
    cv = cross_validate(ws, req.kind, req.folds, req.seed, settings)
    timed = [rows.timing for _, rows in data if rows.timing]
    report: dict[str, Any] = {
        "data_dir": req.data_dir.name,
        "clips": {"fight": int((ws.labels[~ws.extra] == 1).sum()),
                  "noFight": int((ws.labels[~ws.extra] == 0).sum()),
                  "extra_negatives": [f"{c.path.name} ({len(r.ts)} frames)"
                                      for c, r in data if c.extra],
                  "skipped": [{"clip": f"{c.path.parent.name}/{c.path.name}", "reason": why}
                              for c, why in failed]},
        "windows": len(ws.x),
        "source_groups": len({g for g, e in zip(ws.groups, ws.extra, strict=True) if not e}),
        "cv": {"scheme": f"StratifiedGroupKFold(n_splits={req.folds}, shuffle=True, "
                         f"random_state={req.seed}) over clips; groups = source video "
                         "(videos.txt), so no source is in both train and test; extra "
                         "negative videos are in every training fold and never scored",
               "folds": req.folds, "seed": req.seed, **cv["metrics"]},
        "model": {"kind": req.kind, "params": GBM_PARAMS if req.kind == "gbm" else {"C": 0.1},
                  "threshold": req.threshold, "clip_score": f"{req.aggregate} of window scores",
                  "sample_weight": "1 / windows of the clip (each clip weighs the same)"},
        "features": {"version": FEATURE_VERSION, "fps": DEFAULT_FPS,
                     "analysis_width": ANALYSIS_WIDTH, "flow_width": FLOW_WIDTH,
                     "window_s": DEFAULT_WINDOW_S, "stride_s": DEFAULT_STRIDE_S,
                     "pose": f"movenet-multipose, input {pose.size}",
                     "per_frame": [*FRAME_NAMES[:-EMBEDDING_DIM],
                                   f"embedding_delta_0000..{EMBEDDING_DIM - 1:04d}"],
                     "window": [*FEATURE_NAMES[:-EMBEDDING_DIM],
                                f"embedding_motion_0000..{EMBEDDING_DIM - 1:04d}"],
                     "motion_head": {"weight": MOTION_WEIGHT, "pca": MOTION_COMPONENTS,
                                     "C": MOTION_C}},
        "timing": _timing(timed, extract_s, len(clips)),
        "environment": {"python": platform.python_version(), "sklearn": _sklearn_version()},
        "held_out_scores": {
            f"{data[i][0].path.parent.name}/{data[i][0].path.name}": round(s, 4)
            for i, s in zip(cv["clips"], cv["scores"], strict=True)},
    }
    settings["live_threshold"] = cv["metrics"]["live"]["live_threshold"]
    report["model"]["live_threshold"] = settings["live_threshold"]
    meta = {k: report[k] for k in ("data_dir", "clips", "windows", "source_groups")}
    meta["cv"] = {k: v for k, v in report["cv"].items() if k != "fold_accuracy"}
    meta["pose_size"] = pose.size  # the motion features depend on it
    model = train_model(ws, req.kind, req.seed, {**settings, "meta": meta})
    report["top_features"] = feature_importance(model)
    model.save(req.out)
    _write_report(req.report, report)
    return report


def _timing(timed: list[dict[str, float]], total_s: float, clips: int) -> dict[str, Any]:
    out: dict[str, Any] = {"extract_s": round(total_s, 1), "clips": clips}
    if timed:
        out["fresh_clips"] = len(timed)
        out["ms_per_clip"] = {k: round(1000 * float(np.mean([t[k] for t in timed])), 1)
                              for k in timed[0]}
    return out


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


def _write_report(path: Path, report: dict[str, Any]) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")

