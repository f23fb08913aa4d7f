"""Console pages for licence plates: hotlist management and plate read search.

Both pages are rendered on the server from the same repositories as the JSON API
and with the same rules: hotlists need ``manage_watchlists`` (viewing is audited
as ``hotlist.view``); the read search needs ``search``, is narrowed to the
caller's cameras and audited as ``plate.search``. Changes (new hotlist, new
entry, suspend) go through the JSON API from ``hotlists.js``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kuzet.api.auth import AuthFirstRoute, ScopedCameras, audit, require
from kuzet.api.deps import Deps
from kuzet.api.routers.plates import ReadFilters
from kuzet.api.templating import templates
from kuzet.identity.hotlists import HotlistRepo
from kuzet.identity.plate_reads import PlateReadRepo
from kuzet.privacy.principal import Permission, Principal

router = APIRouter(route_class=AuthFirstRoute, tags=["console"], include_in_schema=False)


@router.get("/hotlists", response_class=HTMLResponse)
def hotlists_page(
    request: Request,
    deps: Deps,
    _user: Annotated[Principal, require(Permission.MANAGE_WATCHLISTS)],
) -> HTMLResponse:
    """Hotlists with their entries and governance fields; forms to add and suspend."""
    repo = HotlistRepo(deps.store.engine)
    lists = [(h, repo.entries(h.id)) for h in repo.hotlists()]
    audit(request, "hotlist.view", target="*")
    return templates.TemplateResponse(
        request, "hotlists.html", {"page": "hotlists", "hotlists": lists}
    )


@router.get("/plates", response_class=HTMLResponse)
def plates_page(
    request: Request,
    deps: Deps,
    scope: ScopedCameras,
    filters: Annotated[ReadFilters, Query()],
    _user: Annotated[Principal, require(Permission.SEARCH)],
) -> HTMLResponse:
    """Plate reads of the caller's cameras (newest first), searched by plate, camera, time."""
    cameras = scope.query_cameras([c for c in filters.camera if c])
    audit(request, "plate.search", details={"query": request.url.query})
    reads = PlateReadRepo(deps.store.engine, deps.media).search(filters.to_query(cameras))
    shown = {"plate": filters.plate or "", "camera": ",".join(filters.camera),
             "since": filters.since, "until": filters.until}
    return templates.TemplateResponse(
        request, "plates.html", {"page": "plates", "reads": reads, "filters": shown}
    )
