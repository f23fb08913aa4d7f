"""`kuzet models`: install, list and verify the offline model pack."""

from __future__ import annotations

import json
from pathlib import Path

import typer

models_app = typer.Typer(help="The offline model pack (install, list, verify).",
                         no_args_is_help=True)

_DIR = typer.Option(None, "--dir", help="Model folder (default: $KUZET_MODELS or user cache).")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@models_app.command("install")
def install(
    directory: Path | None = _DIR,
    force: bool = typer.Option(False, "--force", help="Re-fetch and re-convert everything."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Fetch, convert and record every model; a no-op when all are present."""
    from kuzet.core.errors import KuzetError
    from kuzet.models.install import install_models

    try:
        result = install_models(directory, force=force, progress=not quiet)
    except KuzetError as exc:
        _fail(str(exc))
        return
    if not result.installed:
        typer.echo(f"all {len(result.present)} models present and verified in {result.folder}")
        return
    typer.echo(f"installed {', '.join(result.installed)} into {result.folder} "
               f"in {result.seconds:.1f} s")
    if result.present:
        typer.echo(f"already present: {', '.join(result.present)}")


def _size(num: int) -> str:
    return f"{num / 2**20:.1f} MB" if num else "-"


@models_app.command("list")
def list_models(directory: Path | None = _DIR) -> None:
    """Table of the pack: name, task, licence, source, size, present?"""
    from kuzet.models.manifest import read_manifest
    from kuzet.models.paths import models_dir
    from kuzet.models.registry import MODELS

    folder = models_dir(directory)
    manifest = read_manifest(folder)
    rows = [("name", "task", "licence", "source", "size", "present")]
    for spec in MODELS:
        entry = manifest.get(spec.name)
        present = entry is not None and entry.resolve(folder).is_file()
        rows.append((spec.name, spec.task, spec.licence, spec.source,
                     _size(entry.size if entry else 0), "yes" if present else "no"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    typer.echo(f"folder: {folder}")


@models_app.command("verify")
def verify(
    directory: Path | None = _DIR,
    golden: Path | None = typer.Option(
        None, "--golden", help="Folder with <model>.npz golden inputs/outputs."),
    reconvert: bool = typer.Option(
        False, "--reconvert", help="With --golden: re-convert the kept TFJS sources first."),
    as_json: bool = typer.Option(False, "--json", help="Last stdout line is a JSON object."),
) -> None:
    """Re-check every hash; with --golden compare outputs with the golden ones."""
    from kuzet.core.errors import KuzetError
    from kuzet.models.verify import GOLDEN_TOLERANCE, verify_models

    try:
        report = verify_models(directory, golden, reconvert)
    except KuzetError as exc:
        _fail(str(exc))
        return
    for name in report.ok:
        typer.echo(f"ok       {name}")
    for problem in report.problems:
        typer.echo(f"BAD      {problem}")
    for name, diff in report.golden.items():
        verdict = "ok" if diff <= GOLDEN_TOLERANCE else "BAD"
        typer.echo(f"golden   {name}: max_abs_diff={diff:.3g} ({verdict})")
    for name, why in report.golden_errors.items():
        typer.echo(f"golden   {name}: not checked: {why}")
    if report.max_abs_diff is not None:
        typer.echo(f"max_abs_diff={report.max_abs_diff:.3g} (tolerance {GOLDEN_TOLERANCE:g})")
    typer.echo("verify: " + ("passed" if report.passed else "FAILED"))
    if as_json:
        typer.echo(json.dumps(report.to_json()))
    if not report.passed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add the ``models`` command group to the main app."""
    app.add_typer(models_app, name="models")
