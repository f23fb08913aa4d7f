"""The raw counts of one period, read from the store (nothing personal is read out)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kuzet.citizen.models import CitizenReportRow, RejectionCountRow
from kuzet.config.cameras import CameraConfig
from kuzet.identity.models import FaceMatchRow, WatchlistEntryRow
from kuzet.response.models import AlarmRow
from kuzet.store.models import AuditRow, HotlistEntryRow, PlateHitRow

SEARCHES = {"face": ("face.search",), "plate": ("plate.search",)}
UNMASK, EXPORT = ("unmask",), ("export.create",)
UNSPECIFIED = "unspecified"


@dataclass
class Figures:
    """Exact counts of a period (suppressed only when published)."""

    cameras: Counter[str] = field(default_factory=Counter)
    alarms: dict[str, Counter[str]] = field(default_factory=dict)  # kind -> verdict/open
    searches: Counter[str] = field(default_factory=Counter)
    face_matches: Counter[str] = field(default_factory=Counter)  # status
    plate_hits: int = 0
    watchlist: dict[str, Counter[str]] = field(default_factory=dict)  # "face|basis" -> state
    unmasks: int = 0
    exports: int = 0
    citizen_received: int = 0
    citizen_refused: Counter[str] = field(default_factory=Counter)


def camera_counts(cameras: Mapping[str, CameraConfig]) -> Counter[str]:
    """Cameras by site type (unset = ``unspecified``)."""
    return Counter((cam.site_type or UNSPECIFIED) for cam in cameras.values())


def _audit_count(conn: sa.Connection, actions: tuple[str, ...], start: datetime,
                 end: datetime) -> int:
    stmt = sa.select(sa.func.count()).select_from(AuditRow).where(
        AuditRow.action.in_(actions), AuditRow.at >= start, AuditRow.at < end)
    return int(conn.scalar(stmt) or 0)


def _alarms(conn: sa.Connection, start: datetime, end: datetime) -> dict[str, Counter[str]]:
    a = AlarmRow
    stmt = (sa.select(a.kind, a.state, a.verdict, sa.func.count())
            .where(a.opened_at >= start, a.opened_at < end).group_by(a.kind, a.state, a.verdict))
    out: dict[str, Counter[str]] = {}
    for kind, state, verdict, n in conn.execute(stmt):
        key = verdict or ("open" if state != "resolved" else "no_verdict")
        out.setdefault(str(kind), Counter())[str(key)] += int(n)
    return out


def _watchlists(conn: sa.Connection, end: datetime) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for name, table in (("face", WatchlistEntryRow), ("plate", HotlistEntryRow)):
        stmt = (sa.select(table.legal_basis, table.expires_at < end, sa.func.count())
                .where(table.created_at < end)
                .group_by(table.legal_basis, table.expires_at < end))
        for basis, expired, n in conn.execute(stmt):
            key = f"{name}|{' '.join(str(basis).split())[:120]}"
            out.setdefault(key, Counter())["expired" if expired else "active"] += int(n)
    return out


def read_figures(engine: Engine, cameras: Mapping[str, CameraConfig], start: datetime,
                 end: datetime, as_of: datetime) -> Figures:
    """Every count of ``[start, end)``; watchlist entries as they stood at ``as_of``."""
    fig = Figures(cameras=camera_counts(cameras))
    m, c = FaceMatchRow, CitizenReportRow
    with engine.connect() as conn:
        fig.alarms = _alarms(conn, start, end)
        for name, actions in SEARCHES.items():
            fig.searches[name] = _audit_count(conn, actions, start, end)
        fig.unmasks = _audit_count(conn, UNMASK, start, end)
        fig.exports = _audit_count(conn, EXPORT, start, end)
        matches = (sa.select(m.status, sa.func.count())
                   .where(m.matched_at >= start, m.matched_at < end).group_by(m.status))
        fig.face_matches = Counter({str(s): int(n) for s, n in conn.execute(matches)})
        fig.plate_hits = int(conn.scalar(sa.select(sa.func.count()).select_from(PlateHitRow)
                                         .where(PlateHitRow.at >= start,
                                                PlateHitRow.at < end)) or 0)
        fig.watchlist = _watchlists(conn, as_of)
        fig.citizen_received = int(conn.scalar(
            sa.select(sa.func.count()).select_from(c)
            .where(c.received_at >= start, c.received_at < end)) or 0)
        r = RejectionCountRow
        refused = (sa.select(r.reason, sa.func.sum(r.count))
                   .where(r.day >= start.date().isoformat(), r.day < end.date().isoformat())
                   .group_by(r.reason))
        fig.citizen_refused = Counter({str(k): int(n or 0) for k, n in conn.execute(refused)})
    return fig
