"""A learned baseline of counts per hour of the week, persisted as JSON.

168 bins (Monday 00:00 = bin 0, local time of the rule). Each bin keeps a
running mean and variance of per-minute mean counts (Welford's algorithm), so
it needs no history of samples and merges no state across bins. The file
``<state dir>/baselines/<camera>__<zone>.json`` survives restarts; camera
workers have no database, so the rule writes it itself every few minutes and
when the camera stops.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

HOURS_PER_WEEK = 168
FORMAT_VERSION = 1
FRAME_ZONE = "_frame"  # file name part of a rule that watches the whole frame


@dataclass(slots=True)
class Welford:
    """Running count, mean and sum of squared deviations of a series."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, value: float) -> None:
        """Add one sample."""
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (value - self.mean)

    @property
    def std(self) -> float:
        """Sample standard deviation (0 with fewer than two samples)."""
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else 0.0


def hour_of_week(wall: float, tz: tzinfo | None = None) -> int:
    """Bin index 0-167 of a UNIX time: weekday * 24 + hour, in ``tz`` (None = local).

    Example:
        >>> hour_of_week(datetime(2024, 1, 1, 5, tzinfo=UTC).timestamp(), UTC)  # a Monday
        5
    """
    when = datetime.fromtimestamp(wall, UTC).astimezone(tz)
    return when.weekday() * 24 + when.hour


@dataclass
class Baseline:
    """Per hour-of-week statistics of per-minute mean counts."""

    bins: list[Welford] = field(default_factory=lambda: [Welford() for _ in range(168)])

    def add(self, bin_index: int, value: float) -> None:
        """Learn one per-minute mean count for a bin."""
        self.bins[bin_index].add(value)

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form (``[n, mean, m2]`` per bin)."""
        return {
            "version": FORMAT_VERSION,
            "bins": [[b.n, round(b.mean, 6), round(b.m2, 6)] for b in self.bins],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Baseline:
        """Parse :meth:`to_json` output.

        Raises:
            ValueError: Unknown version or not 168 bins.
        """
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"baseline version {data.get('version')!r}, expected {FORMAT_VERSION}")
        rows = data.get("bins", [])
        if len(rows) != HOURS_PER_WEEK:
            raise ValueError(f"baseline has {len(rows)} bins, expected {HOURS_PER_WEEK}")
        return cls([Welford(int(n), float(mean), float(m2)) for n, mean, m2 in rows])


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def baseline_path(state_dir: Path, camera_id: str, zone: str | None) -> Path:
    """Where the baseline of a camera's zone (None = whole frame) lives.

    Example:
        >>> baseline_path(Path("/d/state"), "gate", None).name
        'gate___frame.json'
    """
    return state_dir / "baselines" / f"{_safe(camera_id)}__{_safe(zone or FRAME_ZONE)}.json"


def load_baseline(path: Path) -> Baseline:
    """The baseline stored at ``path``; an empty one when the file is missing.

    Raises:
        ValueError: The file is not a baseline.
    """
    if not path.exists():
        return Baseline()
    return Baseline.from_json(json.loads(path.read_text(encoding="utf-8")))


def save_baseline(path: Path, baseline: Baseline) -> None:
    """Write atomically (temp file + rename), so a killed worker leaves a whole file.

    A full disk is logged, not raised: the baseline stays in memory and is
    written at the next save.
    """
    tmp = path.with_suffix(".json.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(baseline.to_json()), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as error:
        logging.getLogger(__name__).warning("baseline %s not saved: %s", path, error)
        tmp.unlink(missing_ok=True)
