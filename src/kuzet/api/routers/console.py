"""The operations console: server-rendered pages; live data comes from the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kuzet.api.deps import EventRepoDep, LiveDep
from kuzet.api.routers.cameras import list_cameras
from kuzet.api.schemas import EventOut

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
templates = Jinja2Templates(directory=WEB_DIR / "templates")

router = APIRouter(tags=["console"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def console(request: Request, live: LiveDep) -> HTMLResponse:
    """Camera grid and live alert list."""
    return templates.TemplateResponse(
        request, "console.html", {"cameras": list_cameras(live), "page": "console"}
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str, repo: EventRepoDep) -> HTMLResponse:
    """One event: snapshot, times, camera, rule, labels and attributes."""
    stored = repo.get(event_id)
    if stored is None:
        return templates.TemplateResponse(
            request, "not_found.html", {"what": f"event {event_id}", "page": "event"},
            status_code=404,
        )
    event = EventOut.from_stored(stored)
    return templates.TemplateResponse(request, "event.html", {"event": event, "page": "event"})
