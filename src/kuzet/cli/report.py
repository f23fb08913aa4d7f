"""``kuzet report handover``: the shift handover report as a PDF, from the command line."""

from __future__ import annotations

import getpass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from kuzet.cli.audit import ConfigOpt, DataDirOpt, open_data, resolve, signed_audit

report_app = typer.Typer(name="report", help="Reports for people.", no_args_is_help=True)


def _time(text: str | None) -> datetime | None:
    """ISO 8601 text as a time (without an offset it is site time, see ``span_of``)."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time") from error


@report_app.command("handover")
def handover(  # noqa: PLR0913 - CLI options
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write.")],
    since: Annotated[str | None, typer.Option(
        "--from", help="Shift start, ISO 8601 (no offset = site time); default: --to minus "
        "response.feedback.handover_hours.")] = None,
    until: Annotated[str | None, typer.Option(
        "--to", help="Shift end, ISO 8601 (no offset = site time); default: now.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write the shift handover report (open incidents, alarms, workload, notes) as a PDF.

    Times are shown in the config's `timezone` (UTC when unset), labelled. The
    export is recorded in the audit trail as `handover.export`.
    """
    from kuzet.api.reports import handover_pdf, site_zone, span_of
    from kuzet.config.load import load_config
    from kuzet.response.handover import HandoverDesk, ShiftQuery
    from kuzet.response.service import ResponseService

    loaded = load_config(config) if config is not None else None
    zone_name = loaded.timezone if loaded is not None else None
    response = loaded.response if loaded is not None else None
    folder = resolve(data_dir)
    with open_data(config, folder) as store, signed_audit(store.engine, folder) as audit:
        service = ResponseService(store.engine, audit, response)
        hours = timedelta(hours=service.config.feedback.handover_hours)
        try:
            start, end = span_of(_time(since), _time(until), hours, site_zone(zone_name))
            query = ShiftQuery(start, end)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from error
        report = HandoverDesk(store.engine, service).report(query)
        out.write_bytes(handover_pdf(report, site_zone(zone_name)))
        audit.record("handover.export", actor=getpass.getuser(), target=out.name,
                     details={"since": start, "until": end, "via": "cli"})
    typer.echo(f"{out}: {report.alarms} alarms, {len(report.open_incidents)} open incidents, "
               f"{len(report.workload)} operators, {len(report.notes)} notes")


def register(app: typer.Typer) -> None:
    """Add the ``report`` command group."""
    from kuzet.cli.transparency import transparency

    report_app.command("transparency")(transparency)
    app.add_typer(report_app, name="report")
