"""Reports shown to people: the site's time zone, and the handover report as HTML and PDF.

Times are stored in UTC; pages and PDFs show them in the site's zone (the config's
``timezone``; UTC when unset) and always say which zone that is. The PDF is the
same template as the printable page, laid out by WeasyPrint (no browser needed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from kuzet.api.templating import templates
from kuzet.response.handover import HandoverReport


def site_zone(name: str | None) -> tzinfo:
    """The zone of a validated IANA name; UTC when none is configured.

    Example:
        >>> site_zone(None)
        datetime.timezone.utc
    """
    return UTC if name is None else ZoneInfo(name)


def zone_label(zone: tzinfo, at: datetime) -> str:
    """``Asia/Almaty (UTC+05:00)``: the zone's name and its offset at ``at``.

    Example:
        >>> zone_label(UTC, datetime(2026, 3, 1, tzinfo=UTC))
        'UTC (UTC+00:00)'
    """
    offset = at.astimezone(zone).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{zone} (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"


def local_text(when: datetime | None, zone: tzinfo) -> str:
    """``2026-03-01 17:00`` in ``zone``; an empty string for None."""
    return "" if when is None else when.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def in_zone(when: datetime, zone: tzinfo) -> datetime:
    """``when`` with ``zone`` attached if it has no offset (a naive time is site time)."""
    return when.replace(tzinfo=zone) if when.tzinfo is None else when


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def span_of(since: datetime | None, until: datetime | None, length: timedelta,
            zone: tzinfo) -> tuple[datetime, datetime]:
    """``(since, until)`` in UTC: naive times are site time, ``until`` defaults to now and
    ``since`` to ``until - length``.

    Raises:
        ValueError: A time outside 1970..2200, or ``until`` not after ``since``.
    """
    end = in_zone(until, zone) if until is not None else datetime.now(UTC)
    if not EARLIEST <= end < LATEST:
        raise ValueError(f"times must lie between {EARLIEST:%Y} and {LATEST:%Y}")
    start = in_zone(since, zone) if since is not None else end - length
    if not EARLIEST <= start < LATEST:
        raise ValueError(f"times must lie between {EARLIEST:%Y} and {LATEST:%Y}")
    if end <= start:
        raise ValueError(f"until ({end.isoformat()}) must be after since ({start.isoformat()})")
    return start.astimezone(UTC), end.astimezone(UTC)


def duration_text(seconds: float | None) -> str:
    """``1 min 30 s``, ``45 s``, ``2 h 05 min``; ``-`` for None."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def handover_context(report: HandoverReport, zone: tzinfo, own_only: bool) -> dict[str, Any]:
    """What ``handover_body.html`` shows: the report with times as site-zone text."""
    query = report.query
    return {
        "report": report, "zone_label": zone_label(zone, query.until), "own_only": own_only,
        "since_text": local_text(query.since, zone), "until_text": local_text(query.until, zone),
        "generated_text": local_text(report.generated_at, zone),
        "local": lambda when: local_text(when, zone), "duration": duration_text,
    }  # fmt: skip


def handover_html(report: HandoverReport, zone: tzinfo, own_only: bool = False) -> str:
    """The standalone printable page (inline style, no scripts, no header)."""
    template = templates.env.get_template("handover_print.html")
    return template.render(handover_context(report, zone, own_only))


def handover_pdf(report: HandoverReport, zone: tzinfo, own_only: bool = False) -> bytes:
    """The report as a PDF (A4), from :func:`handover_html`.

    Example:
        >>> Path("shift.pdf").write_bytes(handover_pdf(report, UTC))  # doctest: +SKIP
    """
    from weasyprint import HTML  # imported here: Pango loads on first use only

    pdf: bytes = HTML(string=handover_html(report, zone, own_only)).write_pdf()
    return pdf
