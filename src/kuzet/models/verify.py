"""``kuzet models verify``: re-check hashes and, optionally, golden outputs.

Golden check: our converted ONNX models are run on the reference inputs in a
golden folder (``<name>.npz`` + ``golden.json``) and compared with the
reference outputs of another conversion (``compare_golden``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kuzet.models.manifest import check_entry, read_manifest
from kuzet.models.paths import models_dir
from kuzet.models.registry import MODELS

GOLDEN_TOLERANCE = 1e-3
GOLDEN_MODELS = ("nanodet", "movenet-multipose", "faceres")


@dataclass
class VerifyReport:
    """Outcome of a verification.

    Attributes:
        folder: The model folder.
        ok: Names whose files all match their hashes.
        problems: One message per bad or missing file.
        golden: Model name -> max abs diff against the golden outputs.
        golden_errors: Model name -> why the golden check could not run.
    """

    folder: Path
    ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    golden: dict[str, float] = field(default_factory=dict)
    golden_errors: dict[str, str] = field(default_factory=dict)

    @property
    def max_abs_diff(self) -> float | None:
        """Worst golden difference over all models, or None without a golden run."""
        return max(self.golden.values()) if self.golden else None

    @property
    def passed(self) -> bool:
        """True when every hash matched and every golden diff is within tolerance."""
        worst = self.max_abs_diff
        return (not self.problems and not self.golden_errors
                and (worst is None or worst <= GOLDEN_TOLERANCE))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary (the CLI prints it as its last line with --json)."""
        return {
            "folder": str(self.folder),
            "passed": self.passed,
            "ok": self.ok,
            "problems": self.problems,
            "golden": self.golden,
            "golden_errors": self.golden_errors,
            "max_abs_diff": self.max_abs_diff,
            "tolerance": GOLDEN_TOLERANCE,
        }


def verify_models(
    directory: str | Path | None = None, golden: Path | None = None, reconvert: bool = False
) -> VerifyReport:
    """Re-hash every installed file and optionally compare with golden outputs.

    Args:
        directory: Model folder; defaults to ``$KUZET_MODELS`` or the user cache.
        golden: Folder with ``<model>.npz`` reference inputs/outputs.
        reconvert: Compare freshly re-converted models (from the kept TFJS
            sources in ``tfjs/``) instead of the stored ONNX files.

    Returns:
        The report; ``report.passed`` tells the overall verdict.
    """
    folder = models_dir(directory)
    report = VerifyReport(folder=folder)
    manifest = read_manifest(folder)
    for spec in MODELS:
        entry = manifest.get(spec.name)
        if entry is None:
            report.problems.append(f"{spec.name}: not installed in {folder} "
                                   "(run `kuzet models install`)")
            continue
        problems = check_entry(entry, folder)
        report.problems.extend(problems)
        if not problems:
            report.ok.append(spec.name)
    if golden is not None:
        _golden(report, folder, golden, reconvert)
    return report


def _golden(report: VerifyReport, folder: Path, golden: Path, reconvert: bool) -> None:
    try:
        compare = importlib.import_module("kuzet.models.tfjs.golden").compare_golden
        convert = importlib.import_module("kuzet.models.tfjs").convert_tfjs
    except (ImportError, AttributeError) as exc:
        for name in GOLDEN_MODELS:
            report.golden_errors[name] = f"golden comparison unavailable: {exc}"
        return
    manifest = read_manifest(folder)
    for name in GOLDEN_MODELS:
        npz = golden / f"{name}.npz"
        entry = manifest.get(name)
        if not npz.is_file():
            report.golden_errors[name] = f"{npz} is missing"
        elif entry is None or name not in report.ok:
            report.golden_errors[name] = f"{name} is not installed or failed its hash check"
        else:
            try:
                model: Any = entry.resolve(folder)
                if reconvert:
                    model, _ = convert(folder / "tfjs" / f"{name}.json")
                report.golden[name] = float(compare(model, npz))
            # Boundary: ONNX Runtime raises its own exception types (not
            # RuntimeError subclasses); one model's failure is reported, not fatal.
            except Exception as exc:  # noqa: BLE001
                report.golden_errors[name] = f"{type(exc).__name__}: {exc}"
