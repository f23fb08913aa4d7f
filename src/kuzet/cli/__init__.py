"""The ``kuzet`` command. Each command group lives in its own module.

Heavy imports (onnxruntime, cv2, av, fastapi) happen inside commands so that
``kuzet --help`` stays fast.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="kuzet",
    help="Kuzet: public-safety video analytics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that add commands to ``app`` through ``register(app)``.
_COMMAND_MODULES = (
    "kuzet.cli.models",
    "kuzet.cli.detect",
    "kuzet.cli.config",
    "kuzet.cli.run",
    "kuzet.cli.users",
    "kuzet.cli.baseline",
    "kuzet.cli.eval",
    "kuzet.cli.train",
    "kuzet.cli.audit",
    "kuzet.cli.evidence",
    "kuzet.cli.report",
)


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(app)




@app.command()
def version() -> None:
    """Print the Kuzet version."""
    from kuzet import __version__

    typer.echo(__version__)


_register_all()


def main() -> None:
    """Entry point of the console script (SIGTERM exits cleanly, as Ctrl+C does)."""
    from kuzet.cli.signals import exit_cleanly_on_sigterm

    exit_cleanly_on_sigterm()
    app()
