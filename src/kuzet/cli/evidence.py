"""``kuzet retention run`` and ``kuzet export create|verify``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``retention`` and ``export`` command groups."""
