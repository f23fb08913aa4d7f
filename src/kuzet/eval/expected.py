"""Read ground-truth event files (``*.events.csv``).

Columns: ``type,start_s,end_s,x1,y1,x2,y2,note``. ``end_s`` may be empty (=
``start_s``); the box columns may be empty (the event may be anywhere). Box
coordinates are either pixels of the original video or 0-1 relative: a file
whose box values are all within 0..1 is relative, any value above 1 makes the
whole file pixels (deciding per file, not per row, so a small pixel box near the
top-left corner is never mistaken for a relative one).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from kuzet.config.rules import known_event_kinds
from kuzet.core.errors import ConfigError
from kuzet.eval.metrics import Box, ExpectedEvent

COLUMNS = ("type", "start_s", "end_s", "x1", "y1", "x2", "y2", "note")
_KINDS = known_event_kinds()  # canonical kinds + those rule models declare


@dataclass(frozen=True)
class ExpectedFile:
    """The parsed rows and how their boxes were written."""

    rows: list[ExpectedEvent]
    relative: bool

    @property
    def types(self) -> list[str]:
        """Event types present, sorted."""
        return sorted({r.type for r in self.rows})

    def in_pixels(self, width: int, height: int) -> list[ExpectedEvent]:
        """Rows with boxes in pixels of a ``width`` x ``height`` video."""
        if not self.relative:
            return list(self.rows)
        out = []
        for row in self.rows:
            if row.box is None:
                out.append(row)
                continue
            x1, y1, x2, y2 = row.box
            out.append(replace(row, box=(x1 * width, y1 * height, x2 * width, y2 * height)))
        return out


def _number(value: str, name: str, where: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{where}: {name} must be a number, got {value!r}") from None


def _row(raw: dict[str, str], where: str) -> ExpectedEvent:
    kind = (raw.get("type") or "").strip()
    if kind not in _KINDS:
        raise ConfigError(f"{where}: unknown event type {kind!r}; expected one of {sorted(_KINDS)}")
    start = _number((raw.get("start_s") or "").strip(), "start_s", where)
    end_text = (raw.get("end_s") or "").strip()
    end = _number(end_text, "end_s", where) if end_text else start
    if end < start:
        raise ConfigError(f"{where}: end_s {end} is before start_s {start}")
    cells = [(raw.get(k) or "").strip() for k in ("x1", "y1", "x2", "y2")]
    box: Box | None = None
    if any(cells):
        if not all(cells):
            raise ConfigError(f"{where}: give all of x1,y1,x2,y2 or none")
        x1, y1, x2, y2 = (_number(c, n, where) for c, n in zip(cells, COLUMNS[3:7], strict=True))
        if x2 <= x1 or y2 <= y1:
            raise ConfigError(f"{where}: box must have x2 > x1 and y2 > y1")
        box = (x1, y1, x2, y2)
    return ExpectedEvent(kind, start, end, box, (raw.get("note") or "").strip())


def read_expected(path: Path) -> ExpectedFile:
    """Parse an events CSV.

    Args:
        path: The file (header row required).

    Returns:
        Its rows and whether boxes are relative (0-1) or pixels.

    Raises:
        ConfigError: Missing file or columns, unknown type, bad numbers or boxes.

    Example:
        >>> read_expected(Path("vtest.events.csv")).types  # doctest: +SKIP
        ['zone_presence']
    """
    if not path.is_file():
        raise ConfigError(f"expected-events file not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"type", "start_s"} - set(reader.fieldnames or ())
        if missing:
            raise ConfigError(f"{path}: missing columns {sorted(missing)}; expected {COLUMNS}")
        rows = [_row(raw, f"{path}:{n}") for n, raw in enumerate(reader, start=2)]
    values = [v for r in rows if r.box is not None for v in r.box]
    return ExpectedFile(rows, relative=bool(values) and max(values) <= 1.0)
