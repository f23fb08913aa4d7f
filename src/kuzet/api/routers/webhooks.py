"""Webhook deliveries for administrators (``manage_integrations``): endpoints, the
delivery log, the dead-letter list, and sending a dead delivery again (audited).

Delivery bodies carry alarm data of every camera, so these routes need an
administrator without a camera or site scope.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from kuzet.api.auth import AuthFirstRoute, CurrentUser, audit
from kuzet.api.deps import Deps
from kuzet.api.errors import BAD_QUERY, CONFLICT
from kuzet.integrations.webhooks import DeliveryState, WebhookDeliveryRow
from kuzet.privacy.principal import Permission, Principal
from kuzet.response.alarms import decode_keys, encode_keys
from kuzet.response.views import iso

router = APIRouter(prefix="/api/webhooks", route_class=AuthFirstRoute, tags=["webhooks"])
MAX_PAGE = 500


def integrator(principal: CurrentUser) -> Principal:
    """The principal, if an unscoped holder of ``manage_integrations`` (else 403)."""
    if not principal.can(Permission.MANAGE_INTEGRATIONS):
        raise HTTPException(403, f"your role ({principal.role}) lacks 'manage_integrations'")
    if principal.cameras is not None or principal.sites is not None:
        raise HTTPException(403, "webhook deliveries hold every camera's data: they need "
                                 "an administrator without a camera scope")
    return principal


Integrator = Annotated[Principal, Depends(integrator)]


class EndpointOut(BaseModel):
    """A configured endpoint (never its secret) with its deliveries by state."""

    name: str
    url: str
    topics: list[str]
    max_attempts: int
    counts: dict[str, int]


class DeliveryOut(BaseModel):
    """One delivery: where, what, its state and attempts, and the exact body sent."""

    id: str
    endpoint: str
    event: str
    state: str
    attempts: int
    created_at: str
    next_attempt_at: str | None
    last_attempt_at: str | None
    delivered_at: str | None
    last_status: int | None
    last_error: str | None
    body: str

    @classmethod
    def of(cls, row: WebhookDeliveryRow) -> DeliveryOut:
        """From a stored row."""
        return cls(id=row.id, endpoint=row.endpoint, event=row.event, state=row.state,
                   attempts=row.attempts, created_at=iso(row.created_at) or "",
                   next_attempt_at=iso(row.next_attempt_at),
                   last_attempt_at=iso(row.last_attempt_at), delivered_at=iso(row.delivered_at),
                   last_status=row.last_status, last_error=row.last_error, body=row.body)


class DeliveryPageOut(BaseModel):
    """A page of deliveries, newest first."""

    items: list[DeliveryOut]
    next_cursor: str | None


@router.get("", response_model=list[EndpointOut])
def list_endpoints(deps: Deps, _user: Integrator) -> list[EndpointOut]:
    """Configured endpoints with their pending, delivered and dead counts."""
    counts = deps.integrations.queue.counts()
    return [EndpointOut(name=h.name, url=str(h.url), topics=[str(t) for t in h.topics],
                        max_attempts=h.max_attempts, counts=counts.get(h.name, {}))
            for h in deps.integrations.hooks]


@router.get("/deliveries", response_model=DeliveryPageOut, responses=BAD_QUERY)
def list_deliveries(
    deps: Deps, _user: Integrator,
    state: Annotated[DeliveryState | None, Query(description="`dead`: dead letters.")] = None,
    endpoint: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> DeliveryPageOut:
    """Deliveries, newest first; ``state=dead`` lists the dead letters."""
    before: tuple[datetime, str] | None = None
    if cursor:
        try:
            at, last_id = decode_keys(cursor, 2)
            before = (datetime.fromisoformat(str(at)), str(last_id))
        except (TypeError, ValueError) as error:
            raise HTTPException(400, f"invalid cursor {cursor!r}") from error
    rows = deps.integrations.queue.page(state, endpoint, limit + 1, before)
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_keys([rows[-1].created_at.isoformat(), rows[-1].id]) if more else None
    return DeliveryPageOut(items=[DeliveryOut.of(r) for r in rows], next_cursor=nxt)


def _delivery(deps: Deps, delivery_id: str) -> WebhookDeliveryRow:
    try:
        return deps.integrations.queue.get(delivery_id)
    except KeyError as error:
        raise HTTPException(404, f"no delivery {delivery_id!r}") from error


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
def get_delivery(delivery_id: str, deps: Deps, _user: Integrator) -> DeliveryOut:
    """One delivery."""
    return DeliveryOut.of(_delivery(deps, delivery_id))


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut, responses=CONFLICT)
def retry_delivery(delivery_id: str, request: Request, deps: Deps,
                   _user: Integrator) -> DeliveryOut:
    """Send a dead delivery again (attempts start over); audited. 409 unless dead."""
    row = _delivery(deps, delivery_id)
    if row.endpoint not in {h.name for h in deps.integrations.hooks}:
        raise HTTPException(409, f"endpoint {row.endpoint!r} is no longer configured")
    try:
        row = deps.integrations.queue.retry(delivery_id, deps.response.clock())
    except ValueError as error:
        raise HTTPException(409, str(error)) from error
    deps.integrations.sender.wake()
    audit(request, "webhook.retry", target=row.id,
          details={"endpoint": row.endpoint, "event": row.event})
    return DeliveryOut.of(row)


