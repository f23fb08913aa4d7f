"""Jinja templates of the console, with the signed-in user in every page's context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from kuzet.config.privacy import PrivacyConfig
from kuzet.privacy.principal import Principal

WEB_DIR = Path(__file__).resolve().parents[1] / "web"


def auth_context(request: Request) -> dict[str, Any]:
    """``user`` (the principal or None), ``csrf_token`` for the header's sign-out form and
    ``privacy`` (unmask limits for the header's Unmask dialog) and ``site_tz`` (the site's
    time zone, in which pages show times)."""
    principal = getattr(request.state, "principal", None)
    deps = getattr(request.app.state, "deps", None)
    privacy = getattr(deps, "privacy", None)
    return {
        "user": principal if isinstance(principal, Principal) else None,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "privacy": privacy if isinstance(privacy, PrivacyConfig) else PrivacyConfig(),
        "site_tz": str(getattr(deps, "timezone", None) or "UTC"),
    }


templates = Jinja2Templates(directory=WEB_DIR / "templates", context_processors=[auth_context])
templates.env.add_extension("jinja2.ext.i18n")
# UI strings are marked `{{ _("...") }}` / `{% trans %}` so they can be extracted into
# message catalogues; until catalogues are loaded per request they render as written.
templates.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]

