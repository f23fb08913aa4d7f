"""What the measuring commands (``kuzet eval``, ``kuzet train``) print.

A human summary, and with ``--json`` one JSON object as the last line of stdout;
errors go to stderr with exit code 2.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, NoReturn

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON object as the last line.")]


def fail(error: Exception) -> NoReturn:
    """Print ``error: ...`` to stderr and exit with code 2."""
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2)


def emit(summary: dict[str, Any], lines: list[str], as_json: bool) -> None:
    """Print the summary lines, then (``as_json``) the summary as one JSON line."""
    for line in lines:
        typer.echo(line)
    if as_json:
        typer.echo(json.dumps(summary))
