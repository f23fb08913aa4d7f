"""``kuzet config check FILE`` and ``kuzet config schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

config_app = typer.Typer(
    name="config",
    help="Check a config file or print its JSON schema.",
    no_args_is_help=True,
)


@config_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="YAML config file.")],
) -> None:
    """Validate FILE; print a summary, or every error with its line and exit 1.

    Class names (``detect.classes``, rules' ``classes``, ...) are checked against
    each camera's detector model, whose facts are read from the model itself.
    """
    from kuzet.config.load import load_config
    from kuzet.core.errors import ConfigError
    from kuzet.detect import detector_info

    try:
        config = load_config(file, classes_of=lambda model: detector_info(model).class_names)
    except ConfigError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    rules = sum(len(cam.rules) for cam in config.cameras.values())
    typer.echo(f"OK: {len(config.cameras)} cameras, {rules} rules")


@config_app.command("schema")
def schema() -> None:
    """Print the JSON schema of the config file."""
    from kuzet.config.root import KuzetConfig

    typer.echo(json.dumps(KuzetConfig.model_json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    """Add the ``config`` command group to the main app.

    Args:
        app: The ``kuzet`` Typer app.
    """
    app.add_typer(config_app, name="config")
