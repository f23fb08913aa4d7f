"""``kuzet audit verify|list`` and ``kuzet keys public``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kuzet.privacy.audit import AuditLog
    from kuzet.store.db import Store

audit_app = typer.Typer(name="audit", help="Verify and read the audit trail.", no_args_is_help=True)
keys_app = typer.Typer(name="keys", help="The system's signing key.", no_args_is_help=True)

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data folder (default: $KUZET_DATA_DIR or ~/.local/share/kuzet)."
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="Config file (for store.url; default: SQLite in data dir)."
    ),
]


def resolve(data_dir: Path | None) -> Path:
    """The data folder (``--data-dir``, ``$KUZET_DATA_DIR`` or the default)."""
    from kuzet.runtime.paths import data_dir as resolve_data_dir

    return resolve_data_dir(data_dir)


@contextmanager
def open_data(config: Path | None, data_dir: Path) -> Iterator[Store]:
    """The store of ``config`` (or the data dir's SQLite file), closed on exit."""
    from kuzet.store import open_store

    url = None
    if config is not None:
        from kuzet.config.load import load_config

        url = load_config(config).store.url
    store = open_store(url, data_dir)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def signed_audit(engine: Engine, data_dir: Path) -> Iterator[AuditLog]:
    """The audit log with the data dir's signing key; a checkpoint is written on exit.

    Every CLI command that writes audit records uses it, so its records are
    covered by a signature as soon as it ends (also when it fails half-way).
    """
    from kuzet.privacy.audit import AuditLog
    from kuzet.privacy.keys import Signer

    audit = AuditLog(engine, Signer.load_or_create(data_dir))
    try:
        yield audit
    finally:
        audit.close()


def public_key_pem(data_dir: Path, explicit: Path | None = None) -> bytes | None:
    """The public key from ``explicit``, else derived from the data dir's key (never created)."""
    from kuzet.privacy.keys import KEY_FILE, Signer

    if explicit is not None:
        return explicit.read_bytes()
    if not (data_dir / KEY_FILE).is_file():
        return None
    return Signer.load_or_create(data_dir).public_pem()


def parse_time(text: str | None) -> datetime | None:
    """ISO 8601 time (naive = UTC)."""
    if text is None:
        return None
    when = datetime.fromisoformat(text)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


@audit_app.command("verify")
def verify(
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="PEM (default: the data dir's key).")
    ] = None,
    expect_seq: Annotated[
        int | None,
        typer.Option(
            "--expect-seq",
            min=1,
            help="A seq seen signed before (the 'last checkpoint' of an earlier run, kept "
            "elsewhere): fail if the chain was cut back below it.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Also fail when records follow the last checkpoint.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Recompute the hash chain and check every signed checkpoint; exit 1 on any issue.

    Records after the last signed checkpoint are reported (a deleted unsigned tail
    cannot be told from one never written); ``--strict`` fails on them.
    """
    from kuzet.privacy.audit_verify import verify_audit

    folder = resolve(data_dir)
    with open_data(config, folder) as store:
        report = verify_audit(store.engine, public_key_pem(folder, public_key), expect_seq)
    if as_json:
        typer.echo(json.dumps(report.to_json()))
    elif report.unsigned:
        first_unsigned = (report.last_checkpoint_seq or 0) + 1
        typer.echo(
            f"WARNING: {report.unsigned} records (seq {first_unsigned}..{report.last_seq}) "
            "follow the last signed checkpoint: no signature covers them, so deleting them "
            "would go unnoticed",
            err=True,
        )
    first = report.first_issue
    if first is None:
        if not as_json:
            span = f"seq {report.first_seq}..{report.last_seq}" if report.records else "empty"
            typer.echo(
                f"OK: {report.records} records ({span}), {report.checkpoints} signed "
                f"checkpoints (last at seq {report.last_checkpoint_seq}), "
                f"{report.elapsed_s:.2f} s"
            )
        if strict and report.unsigned:
            raise typer.Exit(1)
        return
    if not as_json:
        typer.echo(f"FAILED at record {first.seq}: {first.kind}: {first.detail}", err=True)
        for issue in sorted(report.issues, key=lambda i: i.seq)[1:20]:
            typer.echo(f"  also record {issue.seq}: {issue.kind}: {issue.detail}", err=True)
    raise typer.Exit(1)


@audit_app.command("list")
def list_records(  # noqa: PLR0913 - one parameter per CLI option
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
    action: Annotated[str | None, typer.Option(help="Action, or a prefix ending in '.'.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO time (UTC if naive).")] = None,
    until: Annotated[str | None, typer.Option(help="ISO time (UTC if naive).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Print the newest 500 matching audit records, newest first (the console pages on)."""
    from kuzet.privacy.audit import AuditLog, AuditQuery

    query = AuditQuery(
        actor=actor,
        action=action,
        since=parse_time(since),
        until=parse_time(until),
        limit=500,
    )
    with open_data(config, resolve(data_dir)) as store:
        page = AuditLog(store.engine).list(query)
    for rec in page.items:
        if as_json:
            typer.echo(json.dumps(rec.to_json()))
            continue
        where = f" camera={rec.camera_id}" if rec.camera_id else ""
        what = f" target={rec.target}" if rec.target else ""
        details = json.dumps(rec.details, sort_keys=True) if rec.details else ""
        typer.echo(
            f"{rec.seq:>7} {rec.at:%Y-%m-%d %H:%M:%S}Z {rec.actor or '-':<12} {rec.action}"
            f"{where}{what} {details}".rstrip()
        )


@keys_app.command("public")
def public(data_dir: DataDirOpt = None) -> None:
    """Print the public signing key (PEM); created with the key pair on first use."""
    from kuzet.privacy.keys import Signer

    typer.echo(Signer.load_or_create(resolve(data_dir)).public_pem().decode().rstrip())


def register(app: typer.Typer) -> None:
    """Add the ``audit`` and ``keys`` command groups."""
    app.add_typer(audit_app, name="audit")
    app.add_typer(keys_app, name="keys")
