"""Jinja templates of the console, with the signed-in user in every page's context."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from kuzet.api.navigation import entries_for
from kuzet.config.privacy import PrivacyConfig
from kuzet.privacy.principal import Principal

WEB_DIR = Path(__file__).resolve().parents[1] / "web"


def auth_context(request: Request) -> dict[str, Any]:
    """``user`` (the principal or None), ``csrf_token`` for the header's sign-out form and
    ``privacy`` (unmask limits for the header's Unmask dialog), ``nav`` (the navigation
    entries the user may use, :mod:`kuzet.api.navigation`) and ``site_tz`` (the site's
    time zone, in which pages show times)."""
    principal = getattr(request.state, "principal", None)
    user = principal if isinstance(principal, Principal) else None
    deps = getattr(request.app.state, "deps", None)
    privacy = getattr(deps, "privacy", None)
    return {
        "user": user,
        "nav": entries_for(user),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "privacy": privacy if isinstance(privacy, PrivacyConfig) else PrivacyConfig(),
        "site_tz": str(getattr(deps, "timezone", None) or "UTC"),
    }


def iso_utc(moment: datetime | str | None) -> str:
    """A time as ISO-8601 with its UTC offset (the store gives SQLite times back naive, in
    UTC): what ``<time datetime>`` needs for ``common.js`` to show it in the site's zone.

    Example:
        >>> iso_utc(datetime(2026, 1, 2, 3, 4, 5))
        '2026-01-02T03:04:05+00:00'
    """
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).isoformat()


templates = Jinja2Templates(directory=WEB_DIR / "templates", context_processors=[auth_context])
templates.env.filters["iso_utc"] = iso_utc
templates.env.add_extension("jinja2.ext.i18n")
# UI strings are marked `{{ _("...") }}` / `{% trans %}` so they can be extracted into
# message catalogues; until catalogues are loaded per request they render as written.
templates.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]

