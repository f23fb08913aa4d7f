"""Build the transparency report of one month: JSON (the record) and HTML (for people)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from kuzet.config.cameras import CameraConfig
from kuzet.config.metrics import TransparencyConfig
from kuzet.privacy.audit_verify import verify_audit
from kuzet.transparency.figures import Figures, read_figures
from kuzet.transparency.suppress import cell, group, ratio

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FORMAT_VERSION = 1


def month_span(period: str) -> tuple[datetime, datetime]:
    """``[first instant, first instant of the next month)`` of ``YYYY-MM``, in UTC.

    Raises:
        ValueError: Not ``YYYY-MM``.

    Example:
        >>> [d.isoformat() for d in month_span("2026-12")]
        ['2026-12-01T00:00:00+00:00', '2027-01-01T00:00:00+00:00']
    """
    found = PERIOD.match(period)
    if not found:
        raise ValueError(f"a period is YYYY-MM (e.g. 2026-11), got {period!r}")
    year, month = int(found[1]), int(found[2])
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


@dataclass(frozen=True)
class ReportInput:
    """What a report is built from."""

    engine: Engine
    cameras: Mapping[str, CameraConfig]
    config: TransparencyConfig
    public_pem: bytes | None = None


def _alarms(fig: Figures, k: int) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for kind, verdicts in sorted(fig.alarms.items()):
        total = sum(verdicts.values())
        confirmed, false = verdicts.get("confirmed", 0), verdicts.get("false_alarm", 0)
        shown = group(verdicts, k)
        hidden = any(isinstance(shown.get(v), str) for v in ("confirmed", "false_alarm"))
        kinds[kind] = {"total": cell(total, k), "by_verdict": shown,
                       "precision": None if hidden else ratio(confirmed, confirmed + false, k)}
    return {"total": cell(sum(sum(v.values()) for v in fig.alarms.values()), k),
            "by_kind": kinds,
            "precision_note": "confirmed / (confirmed + false alarm); null when either is "
                              "suppressed"}


def _watchlists(fig: Figures, k: int) -> dict[str, Any]:
    out: dict[str, Any] = {"face": {}, "plate": {}}
    for key, states in sorted(fig.watchlist.items()):
        kind, _, basis = key.partition("|")
        out[kind][basis] = {"active": cell(states.get("active", 0), k),
                            "expired": cell(states.get("expired", 0), k)}
    return out


def _biometrics(fig: Figures, k: int) -> dict[str, Any]:
    return {
        "face_searches": cell(fig.searches["face"], k),
        "face_matches": cell(sum(fig.face_matches.values()), k),
        "face_match_outcomes": group(fig.face_matches, k),
        "plate_searches": cell(fig.searches["plate"], k),
        "plate_hits": cell(fig.plate_hits, k),
    }


def _audit(inp: ReportInput) -> dict[str, Any]:
    checked = verify_audit(inp.engine, inp.public_pem)
    issue = checked.first_issue
    return {"verified": checked.ok, "records": checked.records,
            "signed_checkpoints": checked.checkpoints,
            "signatures_checked": inp.public_pem is not None,
            "first_issue": None if issue is None else issue.kind}


def build(inp: ReportInput, period: str, now: datetime | None = None) -> dict[str, Any]:
    """The report of ``period`` (``YYYY-MM``) as JSON-able data.

    Raises:
        ValueError: Malformed period.
    """
    start, end = month_span(period)
    now = now or datetime.now(UTC)
    as_of = min(end, now)
    k = inp.config.min_count
    fig = read_figures(inp.engine, inp.cameras, start, end, as_of)
    return {
        "format": FORMAT_VERSION, "title": inp.config.title, "period": period,
        "from": start.isoformat(), "until": end.isoformat(),
        "generated_at": now.isoformat(timespec="seconds"),
        "watchlists_as_of": as_of.isoformat(timespec="seconds"),
        "suppression": {"min_count": k, "shown_as": f"<{k}"},
        "cameras": {"total": sum(fig.cameras.values()),
                    "by_site_type": dict(sorted(fig.cameras.items()))},
        "alarms": _alarms(fig, k),
        "citizen_reports": {"received": cell(fig.citizen_received, k),
                            "refused": group(fig.citizen_refused, k)},
        "biometrics": _biometrics(fig, k),
        "watchlist_entries": _watchlists(fig, k),
        "unmasks": cell(fig.unmasks, k),
        "evidence_exports": cell(fig.exports, k),
        "audit_chain": _audit(inp),
    }  # fmt: skip
