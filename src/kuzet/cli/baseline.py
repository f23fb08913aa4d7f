"""``kuzet baseline show|reset``: the learned crowd baselines of ``unusual_crowd`` rules.

Baselines live in ``<data dir>/state/baselines/<camera>__<zone>.json`` (``_frame``
for rules without a zone). A running camera keeps its baseline in memory and
writes it every few minutes: reset while the camera is stopped, or restart it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kuzet.cli.run import DataDirOpt

baseline_app = typer.Typer(
    name="baseline",
    help="Show or reset the learned baselines of unusual_crowd rules.",
    no_args_is_help=True,
)

CameraOpt = Annotated[str, typer.Option("--camera", help="Camera id.")]
ZoneOpt = Annotated[
    str | None, typer.Option("--zone", help="Zone name (`_frame` = whole frame; default: all).")
]
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _files(data_dir: Path | None, camera: str, zone: str | None) -> list[Path]:
    from kuzet.rules.baseline import baseline_path
    from kuzet.runtime.paths import data_dir as resolve_data_dir

    state = resolve_data_dir(data_dir) / "state"
    if zone is not None:
        path = baseline_path(state, camera, zone)
        return [path] if path.exists() else []
    folder = baseline_path(state, camera, "x").parent
    prefix = baseline_path(state, camera, "x").name[: -len("x.json")]
    return sorted(p for p in folder.glob("*.json") if p.name.startswith(prefix))


@baseline_app.command("show")
def show(camera: CameraOpt, zone: ZoneOpt = None, data_dir: DataDirOpt = None) -> None:
    """Print, per hour of the week with history, minutes seen, mean and std of the count."""
    from kuzet.rules.baseline import load_baseline

    files = _files(data_dir, camera, zone)
    if not files:
        typer.echo(f"no baseline for camera {camera!r}" + (f" zone {zone!r}" if zone else ""))
        raise typer.Exit(1)
    for path in files:
        baseline = load_baseline(path)
        learned = [(i, b) for i, b in enumerate(baseline.bins) if b.n]
        typer.echo(f"{path.stem}: {len(learned)} of 168 hours have history")
        for i, b in learned:
            typer.echo(
                f"  {DAYS[i // 24]} {i % 24:02d}:00  minutes={b.n:5d}  "
                f"mean={b.mean:6.2f}  std={b.std:6.2f}"
            )


@baseline_app.command("reset")
def reset(camera: CameraOpt, zone: ZoneOpt = None, data_dir: DataDirOpt = None) -> None:
    """Delete the baseline(s); the rule learns again from scratch (restart the camera)."""
    files = _files(data_dir, camera, zone)
    for path in files:
        path.unlink()
        typer.echo(f"removed {path}")
    if not files:
        typer.echo("nothing to reset")


def register(app: typer.Typer) -> None:
    """Add ``kuzet baseline``."""
    app.add_typer(baseline_app)
