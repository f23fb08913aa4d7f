"""``kuzet eval fights``: clip-level fight classification on a labelled folder.

Input folder: ``fight/`` and ``noFight/`` sub-folders of clips (label = folder).
Each clip runs through the live path - decode at the model's rate and 640 px,
PoseEstimator.detect_frame, FightAnalyzer.update - and its score is the model's
aggregate (mean by default) of the window scores. A clip counts as a fight when
that score reaches the model's threshold.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kuzet.core.errors import KuzetError
from kuzet.enrich.pose.movenet import PoseEstimator
from kuzet.fights.analyzer import FightAnalyzer
from kuzet.fights.dataset import list_clips, posed_frames
from kuzet.fights.model import FightModel
from kuzet.fights.training import metrics


@dataclass(frozen=True)
class ClipResult:
    """One clip's verdict and timing."""

    path: Path
    label: int
    score: float
    windows: list[float]
    timing: dict[str, float]


def score_clip(path: Path, pose: PoseEstimator, model: FightModel) -> ClipResult:
    """Run one clip through decode -> pose -> FightAnalyzer and aggregate its windows.

    Raises:
        SourceUnavailable: The clip cannot be opened or decoded.
        KuzetError: No frame decoded.
    """
    analyzer = FightAnalyzer(model)
    timing = {"decode": 0.0, "pose": 0.0, "features_model": 0.0}
    scores: list[float] = []
    frames = 0
    for frame, seen in posed_frames(path, pose, analyzer.fps, timing):
        start = time.perf_counter()
        window = analyzer.update(frame, seen.poses, seen.embedding)
        timing["features_model"] += time.perf_counter() - start
        frames += 1
        if window is not None:
            scores.append(window.score)
    if frames == 0:
        raise KuzetError(f"{path}: no frame could be decoded")
    tail = analyzer.flush()
    if tail is not None:
        scores.append(tail.score)
    score = model.clip_score(np.asarray(scores, np.float64))
    return ClipResult(path, -1, score, scores, timing)


@dataclass(frozen=True)
class FightsReport:
    """Per-clip scores and the summary."""

    folder: Path
    model: FightModel
    results: list[ClipResult]
    skipped: list[tuple[Path, str]]
    elapsed_s: float

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed by ``--json``."""
        labels = np.asarray([r.label for r in self.results], np.int64)
        scores = np.asarray([r.score for r in self.results], np.float64)
        summary = metrics(labels, scores, self.model.threshold)
        n = max(len(self.results), 1)
        breakdown = {
            key: round(1000 * sum(r.timing[key] for r in self.results) / n, 1)
            for key in ("decode", "pose", "features_model")
        }
        summary.update(
            folder=str(self.folder),
            clips=len(self.results),
            skipped=[{"clip": str(p), "reason": why} for p, why in self.skipped],
            threshold=self.model.threshold,
            live_threshold=self.model.live_threshold,
            aggregate=self.model.aggregate,
            ms_per_clip=round(1000 * self.elapsed_s / n, 1),
            ms_breakdown=breakdown,
            per_clip=[{"clip": f"{r.path.parent.name}/{r.path.name}", "label": r.label,
                       "score": round(r.score, 4), "windows": len(r.windows)}
                      for r in self.results],
        )
        return summary


def evaluate_fights(
    folder: Path, model: FightModel | Path | None = None, pose: PoseEstimator | None = None
) -> FightsReport:
    """Score every clip of a ``fight/`` + ``noFight/`` folder.

    Args:
        folder: The labelled folder.
        model: Fight model or its JSON file (default: the shipped one).
        pose: Pose estimator (default: the installed ``movenet-multipose``).

    Raises:
        ConfigError: Missing sub-folders or no clips.
        ModelError: A model is not installed or unreadable.
    """
    clips = list_clips(folder)
    model = model if isinstance(model, FightModel) else FightModel.load(model)
    if pose is None:
        from kuzet.models.paths import require_model

        pose = PoseEstimator(require_model("movenet-multipose"))
    results: list[ClipResult] = []
    skipped: list[tuple[Path, str]] = []
    start = time.perf_counter()
    for clip in clips:
        try:
            result = score_clip(clip.path, pose, model)
        except (KuzetError, OSError) as error:
            skipped.append((clip.path, str(error)))
            continue
        results.append(dataclasses.replace(result, label=clip.label))
    elapsed = time.perf_counter() - start
    if not results:
        raise KuzetError(f"{folder}: no clip could be decoded ({len(skipped)} skipped)")
    return FightsReport(folder, model, results, skipped, elapsed)


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """Human summary of :meth:`FightsReport.to_json`."""
    c = summary["confusion"]
    lines = [
        f"{summary['clips']} clips ({len(summary['skipped'])} skipped), "
        f"{summary['ms_per_clip']} ms/clip {summary['ms_breakdown']}",
        f"accuracy {summary['accuracy']}, precision {summary['precision']}, recall "
        f"{summary['recall']}, F1 {summary['f1']}, ROC AUC {summary['roc_auc']} "
        f"(threshold {summary['threshold']}, clip score = {summary['aggregate']} of windows)",
        f"confusion: tp {c['tp']} fn {c['fn']} / fp {c['fp']} tn {c['tn']}",
    ]
    lines += [f"  skipped {s['clip']}: {s['reason']}" for s in summary["skipped"]]
    return lines
