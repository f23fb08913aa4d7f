"""Console pages for watchlists, the pending-match queue and face search.

The pages are shells: their scripts read and change everything through the JSON
API (``/api/watchlists``, ``/api/entries``, ``/api/matches``, ``/api/faces``),
which checks permissions, camera scope and writes the audit trail for every view
of biometric data. The pages themselves show no data, but each still requires
the permission of the work done on it, so a user never sees a page that could
only answer 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from kuzet.api.auth import AuthFirstRoute, CurrentUser, require
from kuzet.api.templating import templates
from kuzet.privacy.principal import Permission, Principal

router = APIRouter(route_class=AuthFirstRoute, tags=["console"], include_in_schema=False)

WATCHLIST_PERMISSIONS = (Permission.MANAGE_WATCHLISTS, Permission.CONFIRM_MATCH)


def require_any(*permissions: Permission) -> Any:
    """A dependency giving the principal if it holds one of ``permissions`` (else 403).

    Example:
        >>> Reader = Annotated[Principal, require_any(Permission.SEARCH)]  # doctest: +SKIP
    """
    names = " or ".join(repr(p.value) for p in permissions)

    def check(principal: CurrentUser) -> Principal:
        if not any(principal.can(p) for p in permissions):
            raise HTTPException(403, f"your role ({principal.role}) lacks {names}")
        return principal

    check.__name__ = "require_any_" + "_".join(p.value for p in permissions)
    return Depends(check)


WatchlistReader = Annotated[Principal, require_any(*WATCHLIST_PERMISSIONS)]
Verifier = Annotated[Principal, require(Permission.CONFIRM_MATCH)]
Searcher = Annotated[Principal, require(Permission.SEARCH)]


def _page(request: Request, template: str, page: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"page": page, **context})


@router.get("/watchlists", response_class=HTMLResponse)
def watchlists_page(request: Request, user: WatchlistReader) -> HTMLResponse:
    """All watchlists (kind, entries, threshold); a form to create one (``manage_watchlists``)."""
    can_manage = user.can(Permission.MANAGE_WATCHLISTS)
    return _page(request, "watchlists.html", "watchlists", can_manage=can_manage)


@router.get("/watchlists/{watchlist_id}", response_class=HTMLResponse)
def watchlist_page(request: Request, watchlist_id: str, user: WatchlistReader) -> HTMLResponse:
    """One watchlist: entries with their governance fields, enrolment and suspension."""
    can_manage = user.can(Permission.MANAGE_WATCHLISTS)
    return _page(
        request, "watchlist.html", "watchlist", watchlist_id=watchlist_id, can_manage=can_manage
    )


@router.get("/matches", response_class=HTMLResponse)
def matches_page(request: Request, _user: Verifier) -> HTMLResponse:
    """The pending-match queue (probe next to the enrolled photo), confirm or reject."""
    return _page(request, "matches.html", "matches")


@router.get("/search/faces", response_class=HTMLResponse)
def face_search_page(request: Request, _user: Searcher) -> HTMLResponse:
    """Retrospective search by photo across the face sightings that policy retained."""
    return _page(request, "face_search.html", "face-search")
