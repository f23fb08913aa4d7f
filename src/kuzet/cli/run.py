"""``kuzet serve``, ``kuzet demo`` and ``kuzet analyze``."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kuzet.cli.signals import Terminated
from kuzet.core.errors import KuzetError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="YAML config file.")]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data folder (default: $KUZET_DATA_DIR or ~/.local/share/kuzet)."
    ),
]


def _fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2)


def _load(path: Path):  # type: ignore[no-untyped-def]
    # Class names are checked against each camera's model here, before any
    # process starts (a worker must not crash-loop on a config error).
    from kuzet.config.load import load_config
    from kuzet.detect import detector_info

    return load_config(path, classes_of=lambda model: detector_info(model).class_names)


def _serve(
    config_path: Path, data_dir: Path | None, host: str | None, port: int | None, banner: str
) -> None:
    import uvicorn

    from kuzet.runtime.paths import data_dir as resolve_data_dir
    from kuzet.runtime.system import EmbeddedSystem

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        config = _load(config_path)
        system = EmbeddedSystem(config, resolve_data_dir(data_dir), config_path)
    except KuzetError as error:
        _fail(error)
    bind_host = host or config.api.host
    bind_port = port or config.api.port
    app = system.create_app()
    from kuzet.privacy.auth import AuthService

    if not AuthService.from_engine(system.store.engine).has_admin():
        typer.echo("No admin account yet: create one with `kuzet users create-admin`.", err=True)
    proxies = config.api.trusted_proxies
    reason = "shutdown"
    try:
        system.start()  # inside the try: a SIGTERM during start-up still stops what started
        typer.echo(banner.format(url=f"http://{bind_host}:{bind_port}/"), err=False)
        # uvicorn stops gracefully on SIGINT and SIGTERM, then re-raises the signal:
        # SIGINT's KeyboardInterrupt is swallowed by uvicorn.run (a normal return),
        # SIGTERM comes back as Terminated (cli.signals); either way stop() runs.
        uvicorn.run(
            app, host=bind_host, port=bind_port, log_level="warning", timeout_graceful_shutdown=2,
            proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
        )
    except Terminated:
        reason = "SIGTERM"
        raise
    finally:
        system.stop(reason)


def _demo_plan(engine: Engine, folder: Path) -> None:
    """The demo's site plan (drawn from code the first time) with its cameras placed."""
    from kuzet.config.load import load_config
    from kuzet.maps.demo import ensure_demo_plan
    from kuzet.maps.plans import SitePlans
    from kuzet.runtime.paths import demo_config_path
    from kuzet.store.media import open_media

    config = load_config(demo_config_path())
    media = open_media(config.store, Path(config.store.media_dir or folder / "media"))
    ensure_demo_plan(SitePlans(engine, media), list(config.cameras))


def register(app: typer.Typer) -> None:
    """Add serve, demo and analyze."""

    @app.command()
    def serve(
        config: ConfigOpt,
        data_dir: DataDirOpt = None,
        host: Annotated[str | None, typer.Option(help="Bind address (default: api.host).")] = None,
        port: Annotated[int | None, typer.Option(help="TCP port (default: api.port).")] = None,
    ) -> None:
        """Run the whole system: cameras, detectors, API and console."""
        _serve(config, data_dir, host, port, "Kuzet console: {url}")

    @app.command()
    def demo(
        data_dir: DataDirOpt = None,
        port: Annotated[int, typer.Option(help="TCP port.")] = 8800,
    ) -> None:
        """Run the system on the demo config (two looping sample cameras), on 127.0.0.1."""
        from kuzet.runtime.paths import SAMPLE_VIDEO, demo_config_path

        if not SAMPLE_VIDEO.exists():
            _fail(KuzetError(f"sample video {SAMPLE_VIDEO} missing: apt-get install opencv-doc"))
        from kuzet.cli.audit import open_data
        from kuzet.cli.users import ensure_demo_admin
        from kuzet.runtime.paths import data_dir as resolve_data_dir

        folder = resolve_data_dir(data_dir)
        with open_data(None, folder) as store:
            ensure_demo_admin(store.engine, folder)
            _demo_plan(store.engine, folder)
        banner = "Kuzet demo running. Console: {url}  (Ctrl+C to stop)"
        _serve(demo_config_path(), data_dir, "127.0.0.1", port, banner)

    @app.command()
    def analyze(
        video: Annotated[Path, typer.Argument(help="Video file to analyse.")],
        config: ConfigOpt,
        camera: Annotated[
            str | None, typer.Option(help="Camera whose zones and rules apply (default: first).")
        ] = None,
        data_dir: DataDirOpt = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print a JSON summary as the last line.")
        ] = False,
    ) -> None:
        """Run one camera's pipeline over a file as fast as possible and store its events."""
        from kuzet.runtime.analyze import analyze_video
        from kuzet.runtime.paths import data_dir as resolve_data_dir

        if not video.exists():
            _fail(KuzetError(f"video file not found: {video}"))
        try:
            result = analyze_video(_load(config), video, resolve_data_dir(data_dir), camera)
        except KuzetError as error:
            _fail(error)
        summary = result.to_json()
        typer.echo(
            f"{summary['frames']} frames in {summary['elapsed_s']} s ({summary['fps']} frames/s), "
            f"{summary['events_total']} events"
        )
        for event in summary["events"]:
            typer.echo(
                f"  {event['kind']} {event['rule_id']} {event['started_at']} -> {event['ended_at']}"
            )
        for line, per_class in summary["counts"].items():
            for label, per_dir in per_class.items():
                moves = " ".join(f"{d}={n}" for d, n in sorted(per_dir.items()))
                typer.echo(f"  counts {line} {label}: {moves}")
        if as_json:
            typer.echo(json.dumps(summary))
