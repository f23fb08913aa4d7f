"""The error answers every protected route can give, documented in the OpenAPI spec.

FastAPI documents only a route's success and its 422; the 401/403 of
authentication and permissions, the 404 of unknown ids and the 400 of an
unparsable body were answered but not documented, so clients generated from
the spec (and the schemathesis run in ``tests/fuzz``) met undocumented codes.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

log = logging.getLogger(__name__)


class ErrorOut(BaseModel):
    """Body of every error answer (FastAPI's ``HTTPException`` shape)."""

    detail: str | list[Any] | dict[str, Any]


def _answer(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _answer("Not signed in (no, expired or revoked credential)"),
    403: _answer("Signed in, but lacking the permission, the camera scope or the CSRF token"),
}
NOT_FOUND = _answer("An id in the path or body names nothing the caller may see")
STORE_DOWN = _answer(
    "The database cannot take writes now (locked, read-only or down): the request was "
    "refused, since its audit record could not be written; try again (Retry-After)"
)
RETRY_AFTER_S = 5
BAD_BODY = _answer("The request body could not be parsed")


def document_errors(route: APIRoute) -> None:
    """Add the error answers of a protected route to its ``responses`` (kept if set).

    401, 403 and 503 (:func:`store_unavailable_answer`) always; 404 when the
    route takes ids (path parameters or a body, whose unknown and out-of-scope
    ids answer 404 alike); 400 when it takes a body.
    """
    extra: dict[int | str, dict[str, Any]] = {**AUTH_ERRORS, 503: STORE_DOWN}
    if route.dependant.path_params or route.body_field is not None:
        extra[404] = NOT_FOUND
    if route.body_field is not None:
        extra[400] = BAD_BODY
    route.responses = {**extra, **route.responses}


def unprocessable(message: str, *loc: str | int) -> HTTPException:
    """A 422 in FastAPI's validation shape (what the spec documents for 422).

    Example:
        >>> unprocessable("a reason is required", "body", "reason").detail[0]["loc"]
        ['body', 'reason']
    """
    where = list(loc) if loc else ["body"]
    return HTTPException(422, [{"loc": where, "msg": message, "type": "value_error"}])


Responses = dict[int | str, dict[str, Any]]
JPEG: Responses = {200: {"content": {"image/jpeg": {}}, "description": "A JPEG image"}}
CONFLICT: Responses = {409: _answer("The match was already decided otherwise")}
TOO_LARGE: Responses = {413: _answer("The upload exceeds the size limit")}
BAD_QUERY: Responses = {400: _answer("A query parameter (e.g. the cursor) is malformed")}


async def store_unavailable_answer(request: Request, error: Exception) -> JSONResponse:
    """503 for a request the database could not serve (an exception handler).

    Audit is synchronous: a view is recorded before anything is shown, a change
    with its record or before answering, so a request whose record cannot be
    written is refused rather than served unrecorded (issue 14).
    """
    reason = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
    log.warning("%s %s refused: database unavailable (%s)", request.method, request.url.path,
                reason)
    detail = (f"the database is unavailable ({reason}): the request was refused and its "
              f"audit record not written; try again in {RETRY_AFTER_S} s")
    return JSONResponse({"detail": detail}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_S)})
