"""The transparency report as a standalone HTML page (the published page is this file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def to_html(report: dict[str, Any]) -> str:
    """Render ``report`` (from :func:`kuzet.transparency.report.build`)."""
    return _environment().get_template("transparency_report.html").render(r=report)
