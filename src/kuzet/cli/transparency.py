"""``kuzet report transparency``: the public transparency report of a month, HTML and JSON."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer

from kuzet.cli.audit import ConfigOpt, DataDirOpt, open_data, public_key_pem, resolve


def transparency(  # noqa: PLR0913 - CLI options
    period: Annotated[str, typer.Option("--period", help="The month, YYYY-MM (UTC).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("."),
    publish: Annotated[bool, typer.Option(
        "--publish", help="Also publish it (served at /transparency/PERIOD).")] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write transparency-PERIOD.json and .html: aggregate counts, small counts suppressed.

    Cameras by site type, alarms by kind and verdict (precision), face and plate
    searches and matches, watchlist entries by legal basis and expiry, unmask and
    export counts, and whether the audit chain verifies. No personal data.
    """
    from datetime import UTC, datetime

    from kuzet.config.load import load_config
    from kuzet.config.metrics import TransparencyConfig
    from kuzet.transparency.published import PublishedReportRow, PublishedReports
    from kuzet.transparency.render import to_html
    from kuzet.transparency.report import ReportInput, build, month_span

    try:
        month_span(period)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    loaded = load_config(config) if config is not None else None
    folder = resolve(data_dir)
    cameras = dict(loaded.cameras) if loaded is not None else {}
    settings = loaded.transparency if loaded is not None else TransparencyConfig()
    with open_data(config, folder) as store:
        inp = ReportInput(store.engine, cameras, settings, public_key_pem(folder))
        now = datetime.now(UTC)
        report = build(inp, period, now)
        html = to_html(report)
        if publish:
            PublishedReports(store.engine).publish(PublishedReportRow(
                period=period, published_at=now, published_by=getpass.getuser(),
                body=report, html=html))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"transparency-{period}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"transparency-{period}.html").write_text(html)
    verified = "verified" if report["audit_chain"]["verified"] else "NOT verified"
    typer.echo(f"{out / f'transparency-{period}'}.{{json,html}}: {report['alarms']['total']} "
               f"alarms, audit chain {verified}" + (", published" if publish else ""))
