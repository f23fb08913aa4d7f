"""``kuzet retention run`` and ``kuzet export create|verify``."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kuzet.cli.audit import (
    ConfigOpt,
    DataDirOpt,
    open_data,
    parse_time,
    resolve,
    signed_audit,
)

if TYPE_CHECKING:
    from kuzet.privacy.export import ExportRequest
    from kuzet.privacy.export_media import MediaPolicy
    from kuzet.store import Store

retention_app = typer.Typer(name="retention", help="Enforce data retention.", no_args_is_help=True)
export_app = typer.Typer(name="export", help="Signed evidence exports.", no_args_is_help=True)


@retention_app.command("run")
def retention_run(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count only; delete nothing.")] = False,
) -> None:
    """Delete data older than the config's ``retention`` limits (held events are kept)."""
    from kuzet.config.retention import RetentionConfig
    from kuzet.config.store import StoreConfig
    from kuzet.privacy.audit import AuditLog
    from kuzet.privacy.keys import Signer
    from kuzet.runtime.retention import retention_job
    from kuzet.store.media import open_media

    folder = resolve(data_dir)
    retention, store_cfg = RetentionConfig(), StoreConfig()
    if config is not None:
        from kuzet.config.load import load_config

        loaded = load_config(config)
        retention, store_cfg = loaded.retention, loaded.store
    media = open_media(store_cfg, Path(store_cfg.media_dir or folder / "media"))
    with open_data(config, folder) as store:
        audit = AuditLog(store.engine, Signer.load_or_create(folder))
        report = retention_job(store.engine, media, audit, retention).run(
            dry_run=dry_run, actor=getpass.getuser()
        )
        audit.close()
    verb = "would remove" if dry_run else "removed"
    counts = ", ".join(f"{name} {count}" for name, count in report.removed.items())
    typer.echo(f"{verb}: {counts}; {report.files} files; {report.held} events on legal hold kept")


@export_app.command("create")
def create(  # noqa: PLR0913  (the command's flags; each is one plain option)
    reason: Annotated[str, typer.Option(help="Why (required; recorded in custody.json).")],
    event: Annotated[str | None, typer.Option(help="One event id.")] = None,
    camera: Annotated[str | None, typer.Option(help="Camera of a time-range export.")] = None,
    since: Annotated[str | None, typer.Option(help="Range start, ISO (UTC if naive).")] = None,
    until: Annotated[str | None, typer.Option(help="Range end, ISO (UTC if naive).")] = None,
    out: Annotated[Path | None, typer.Option(help="Zip file (default: export-<time>.zip).")] = None,
    user: Annotated[str | None, typer.Option(help="Exporting user (default: OS login).")] = None,
    unredacted: Annotated[
        str | None,
        typer.Option(
            "--unredacted",
            metavar="REASON",
            help="Export the original images, not the redacted ones; say why (audited).",
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write a signed evidence zip; images are redacted unless --unredacted REASON is given.

    An image that cannot be redacted is left out (listed with the reason in
    the manifest), never exported in the original. With ``--config`` each clip
    spans its camera's own ``record.pre_s``/``post_s`` (and the config's store
    and media folder are used).
    """
    from datetime import UTC, datetime

    from kuzet.privacy.export import ExportError, ExportRequest, build_export, media_summary
    from kuzet.privacy.keys import Signer
    from kuzet.store.media import open_media

    folder = resolve(data_dir)
    who = user or getpass.getuser()
    target = out or Path(f"export-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.zip")
    try:
        request = ExportRequest(reason, who, event, camera, parse_time(since), parse_time(until))
        policy = _media_policy(unredacted)
        with open_data(config, folder) as store:
            signer = Signer.load_or_create(folder)
            recordings = _recordings(store.engine, config, folder)
            media = open_media(_store_config(config), recordings.root)
            clips = _clips(recordings, policy)
            request = _with_referrals(store, request)
            data, events = build_export(
                store.events, media, signer, request, policy, clips, clips.span
            )
            target.write_bytes(data)
            with signed_audit(store.engine, folder) as audit:
                audit.record(
                    "export.create",
                    actor=who,
                    camera_id=camera or (events[0].camera_id if events else None),
                    target=target.name,
                    details=_export_details(request, len(events), data)
                    | media_summary(data)
                    | {"unredacted_reason": unredacted},
                )
    except (ExportError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    summary = media_summary(data)["media"]
    video = media_summary(data)["video"]
    typer.echo(f"wrote {target} ({len(events)} events, {len(data)} bytes; images: {summary}; "
               f"video: {video})")
    if summary["omitted"]:
        typer.echo(f"warning: {summary['omitted']} images left out (cannot redact)", err=True)
    if video["omitted"]:
        typer.echo(f"warning: {video['omitted']} videos left out (see clips.json)", err=True)


def _with_referrals(store: Store, request: ExportRequest) -> ExportRequest:
    """The request with its events' referrals (who referred, who verified them).

    Raises:
        ExportError: A referral awaits verification by a second person.
    """
    from dataclasses import replace

    from kuzet.privacy.export import ExportError, select_events
    from kuzet.response.service import ResponseService

    event_ids = [e.id for e in select_events(store.events, request, allow_empty=True)]
    referrals = ResponseService(store.engine).referrals.of(event_ids)
    pending = [r["alarm_id"] for r in referrals if r["state"] == "pending"]
    if pending:
        raise ExportError("referred to an external body and not yet verified by a second "
                          "person: alarm " + ", ".join(pending))
    return replace(request, referrals=tuple(referrals))


def _media_policy(unredacted: str | None) -> MediaPolicy:
    """Redacted images, or the originals with a non-blank ``--unredacted`` reason.

    Raises:
        ValueError: ``--unredacted`` was given a blank reason.
    """
    from kuzet.privacy.export import default_redactor
    from kuzet.privacy.export_media import MediaPolicy

    if unredacted is None:
        return MediaPolicy(default_redactor())
    if not unredacted.strip():
        raise ValueError("--unredacted needs a reason (why the original images are exported)")
    return MediaPolicy.originals()


def _store_config(config: Path | None) -> Any:
    """The ``store`` section of ``config`` (defaults without one): where media live."""
    from kuzet.config.store import StoreConfig

    if config is None:
        return StoreConfig()
    from kuzet.config.load import load_config

    return load_config(config).store


def _recordings(engine: Any, config: Path | None, folder: Path) -> Any:
    """The recordings with each camera's ``record`` settings from ``config`` (pre_s/post_s
    of its clips); without a config the defaults and ``<data dir>/media``."""
    from kuzet.config.record import RecordConfig
    from kuzet.record.index import SegmentIndex
    from kuzet.record.playback import Recordings

    if config is None:
        return Recordings(SegmentIndex(engine), folder / "media", RecordConfig(), {})
    from kuzet.config.load import load_config

    loaded = load_config(config)
    media_root = Path(loaded.store.media_dir or folder / "media")
    cameras = {cid: cam.record for cid, cam in loaded.cameras.items()}
    return Recordings(SegmentIndex(engine), media_root, loaded.record, cameras)


def _clips(recordings: Any, policy: Any) -> Any:
    """The recorded clips of the exported events, redacted as ``policy``."""
    from kuzet.privacy.redaction import Redactor
    from kuzet.record.export_clips import RecordedClips

    return RecordedClips(recordings, Redactor(), policy.unmasked, policy.camera_unmasked)


def _export_details(request: ExportRequest, events: int, data: bytes) -> dict[str, object]:
    import hashlib

    return {
        "reason": request.reason,
        "event_id": request.event_id,
        "since": None if request.since is None else request.since.isoformat(),
        "until": None if request.until is None else request.until.isoformat(),
        "events": events,
        "zip_sha256": hashlib.sha256(data).hexdigest(),
        "via": "cli",
    }


@export_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="The export zip.")],
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="The system's public key (default: the zip's own)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check the signature and every file's SHA-256; exit 1 naming each bad file."""
    from kuzet.privacy.export import verify_export

    check = verify_export(
        file.read_bytes(), None if public_key is None else public_key.read_bytes()
    )
    if as_json:
        result = {"ok": check.ok, "files": check.files, "problems": check.problems}
        typer.echo(json.dumps(result | {"signature_ok": check.signature_ok}))
    elif check.ok:
        note = (
            "" if public_key else " (key embedded in the zip: compare it with `kuzet keys public`)"
        )
        typer.echo(f"OK: signature valid, {check.files} files match the manifest{note}")
    else:
        typer.echo(f"FAILED: {file}", err=True)
        for problem in check.problems:
            typer.echo(f"  {problem}", err=True)
    if not check.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``retention`` and ``export`` command groups."""
    app.add_typer(retention_app, name="retention")
    app.add_typer(export_app, name="export")
