"""Line counts against a traffic engineer's ground truth.

The truth is a CSV whose header has at least ``t_s,class,direction`` (seconds from
the first frame, the class, ``in``/``out`` as the line defines them; other columns
are ignored). Each counted crossing is matched one-to-one to a true crossing of the
same direction within a time tolerance (Hungarian on the time difference), so a
count that is right in total but wrong in time still shows its misses and extras.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from kuzet.core.errors import ConfigError, SourceUnavailable

REQUIRED = ("t_s", "class", "direction")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Crossing:
    """One crossing: seconds from the clip start, class, ``in``/``out``."""

    t_s: float
    label: str
    direction: str


def read_truth(path: Path) -> list[Crossing]:
    """The crossings of a ground-truth CSV.

    Raises:
        SourceUnavailable: No such file.
        ConfigError: A missing column or a bad row (file and line named).
    """
    if not path.is_file():
        raise SourceUnavailable(f"ground-truth CSV not found: {path}")
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ConfigError(f"{path}: the header needs {', '.join(REQUIRED)}; missing {missing}")
        reader.fieldnames = header
        return [_row(path, n, row) for n, row in enumerate(reader, start=2) if _row_ok(path, n)]


def _row_ok(path: Path, lineno: int) -> bool:
    if lineno > MAX_ROWS:
        raise ConfigError(f"{path}: more than {MAX_ROWS} rows")
    return True


def _row(path: Path, lineno: int, row: dict[str, str]) -> Crossing:
    where = f"{path}:{lineno}"
    try:
        t_s = float(row["t_s"])
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: t_s must be seconds, got {row.get('t_s')!r}") from None
    direction = (row.get("direction") or "").strip().lower()
    if direction not in ("in", "out"):
        raise ConfigError(f"{where}: direction must be in or out, got {row.get('direction')!r}")
    label = (row.get("class") or "").strip().lower()
    if not label or t_s < 0:
        raise ConfigError(f"{where}: needs a class and t_s >= 0")
    return Crossing(t_s, label, direction)


def match_crossings(
    truth: list[Crossing], counted: list[Crossing], tolerance_s: float
) -> dict[str, Any]:
    """Counted crossings against the truth: matched, missed, extra, per class and direction.

    Returns:
        ``matched``, ``missed``, ``extra`` (numbers), ``class_right`` (matched pairs
        whose class agrees) and ``class_accuracy``, ``by_class`` {class: {direction:
        {truth, counted, matched}}} (matched counted under the true class), and
        ``by_direction`` {direction: {truth, counted, error_pct}}.
    """
    pairs: list[tuple[Crossing, Crossing]] = []
    for direction in ("in", "out"):
        t = [c for c in truth if c.direction == direction]
        k = [c for c in counted if c.direction == direction]
        pairs += _pair(t, k, tolerance_s)
    right = sum(1 for a, b in pairs if a.label == b.label)
    by_class: dict[str, dict[str, dict[str, int]]] = {}
    for name, rows in (("truth", truth), ("counted", counted)):
        for c in rows:
            _cell(by_class, c)[name] += 1
    for a, _ in pairs:
        _cell(by_class, a)["matched"] += 1
    return {
        "matched": len(pairs),
        "missed": len(truth) - len(pairs),
        "extra": len(counted) - len(pairs),
        "class_right": right,
        "class_accuracy": round(right / len(pairs), 3) if pairs else None,
        "by_class": dict(sorted(by_class.items())),
        "by_direction": {d: _direction(truth, counted, d) for d in ("in", "out")},
        "tolerance_s": tolerance_s,
    }


def _pair(truth: list[Crossing], counted: list[Crossing], tol: float
          ) -> list[tuple[Crossing, Crossing]]:
    if not truth or not counted:
        return []
    dt = np.abs(np.array([[a.t_s - b.t_s for b in counted] for a in truth]))
    cost = np.where(dt <= tol, dt, 1e6)
    rows, cols = linear_sum_assignment(cost)
    return [(truth[r], counted[c]) for r, c in zip(rows, cols, strict=True) if dt[r, c] <= tol]


def _cell(table: dict[str, dict[str, dict[str, int]]], c: Crossing) -> dict[str, int]:
    per_dir = table.setdefault(c.label, {})
    return per_dir.setdefault(c.direction, {"truth": 0, "counted": 0, "matched": 0})


def _direction(truth: list[Crossing], counted: list[Crossing], d: str) -> dict[str, Any]:
    n_true = sum(1 for c in truth if c.direction == d)
    n_counted = sum(1 for c in counted if c.direction == d)
    error = round(100.0 * (n_counted - n_true) / n_true, 1) if n_true else None
    return {"truth": n_true, "counted": n_counted, "error_pct": error}
