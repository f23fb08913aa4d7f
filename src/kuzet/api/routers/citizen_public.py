"""The public citizen report form, its JSON API and the status page (no sign-in).

Everything here answers 404 while ``citizen.enabled`` is false. Refusals are
counted by reason (``kuzet_citizen_rejections_total`` on /metrics).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError

from kuzet.api.auth import client_ip
from kuzet.api.citizen_schemas import (
    CategoryOut,
    ChallengeOut,
    FormOut,
    ReceiptOut,
    ReportIn,
    StatusOut,
)
from kuzet.api.deps import AppDeps, Deps
from kuzet.api.errors import ErrorOut
from kuzet.api.templating import templates
from kuzet.citizen.errors import Reason, Rejected
from kuzet.citizen.intake import CitizenDesk, Submission
from kuzet.citizen.status import status

router = APIRouter(tags=["citizen reports (public)"])
BASE64_SLACK = 4 / 3
BODY_OVERHEAD = 64_000


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


OFF: dict[int | str, dict[str, Any]] = {404: _error("Citizen reports are not enabled here")}
REFUSALS: dict[int | str, dict[str, Any]] = {
    **OFF,
    403: _error("The proof of work is missing, forged, expired, reused or unsolved"),
    409: _error("A report of this category at this place and time was received already"),
    413: _error("The body or a photo is over the size or pixel limit"),
    415: _error("A photo is not a JPEG, PNG or WebP image"),
    422: _error("A field is missing or invalid, or a photo cannot be decoded"),
    429: _error("Too many reports from this address or device (see Retry-After)"),
}


def _desk(deps: AppDeps) -> CitizenDesk:
    if not deps.citizen_config.enabled:
        raise HTTPException(404, "citizen reports are not enabled here")
    return deps.citizen


def _refused(error: Rejected) -> JSONResponse:
    headers = {"Retry-After": "60"} if error.status == 429 else None
    detail: Any = error.message
    if error.status == 422:
        detail = [{"loc": ["body"], "msg": error.message, "type": "value_error"}]
    return JSONResponse({"detail": detail, "reason": error.reason.value},
                        status_code=error.status, headers=headers)


@router.get("/report", response_class=HTMLResponse, include_in_schema=False)
def report_page(request: Request, deps: Deps) -> HTMLResponse:
    """The mobile-first report form."""
    desk = _desk(deps)
    return templates.TemplateResponse(request, "citizen_report.html",
                                       {"form": _form(desk).model_dump()})


@router.get("/report/status/{ref}", response_class=HTMLResponse, include_in_schema=False)
def status_page(request: Request, ref: str, deps: Deps) -> HTMLResponse:
    """The status page shell; its script reads the token from the URL's ``#`` part."""
    _desk(deps)
    return templates.TemplateResponse(request, "citizen_status.html", {"ref": ref[:32]})


def _form(desk: CitizenDesk) -> FormOut:
    cfg = desk.config
    return FormOut(categories=[CategoryOut(id=c.id, label=c.label) for c in cfg.categories],
                   max_photos=cfg.max_photos, max_photo_bytes=cfg.max_photo_bytes,
                   max_description=cfg.max_description, pow_bits=cfg.pow_bits)


@router.get("/api/public/form", response_model=FormOut, responses=OFF)
def form(deps: Deps) -> FormOut:
    """Categories and limits of the form."""
    return _form(_desk(deps))


@router.get("/api/public/challenge", response_model=ChallengeOut,
            responses={**OFF, 429: REFUSALS[429]})
def challenge(request: Request, deps: Deps) -> ChallengeOut | JSONResponse:
    """A fresh proof-of-work challenge (solve it, then submit within its life)."""
    desk = _desk(deps)
    try:
        issued = desk.challenge(client_ip(request) or "unknown")
    except Rejected as error:
        return _refused(error)
    return ChallengeOut(challenge=issued.challenge, bits=issued.bits,
                        expires_at=issued.expires_at)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Rejected(Reason.TOO_LARGE, f"the report is over {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Rejected(Reason.TOO_LARGE, f"the report is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _photo_bytes(text: str) -> bytes:
    payload = text.split(",", 1)[1] if text.startswith("data:") else text
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as error:
        raise Rejected(Reason.MALFORMED, "a photo is not valid base64") from error


def _parse(body: bytes) -> Submission:
    try:
        data = ReportIn.model_validate(json.loads(body))
    except (ValueError, ValidationError) as error:
        raise Rejected(Reason.MALFORMED, f"the report is not valid: {_why(error)}") from error
    return Submission(
        category=data.category, description=data.description, occurred_at=data.occurred_at,
        lat=data.lat, lon=data.lon, place=data.place, location_source=data.location_source,
        photos=[_photo_bytes(p) for p in data.photos], contact=data.contact,
        device_token=data.device_token, challenge=data.challenge, nonce=data.nonce)


def _why(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                         for e in error.errors()[:5])
    return "the body is not JSON"


@router.post("/api/public/reports", response_model=ReceiptOut, status_code=201,
             responses=REFUSALS, openapi_extra={"requestBody": {
                 "required": True,
                 "content": {"application/json": {"schema": ReportIn.model_json_schema()}}}})
async def submit(request: Request, deps: Deps) -> ReceiptOut | JSONResponse:
    """Send a report. Ask for a challenge first and solve it (see `ChallengeOut`)."""
    desk = _desk(deps)
    cfg = desk.config
    limit = int(cfg.max_photos * cfg.max_photo_bytes * BASE64_SLACK) + BODY_OVERHEAD
    try:
        desk.admit(client_ip(request) or "unknown")
        try:
            submission = _parse(await _read_body(request, limit))
        except Rejected as error:
            raise desk.refuse(error.reason, error.message) from error
        receipt = desk.submit(submission)
    except Rejected as error:
        return _refused(error)
    return ReceiptOut(ref=receipt.ref, token=receipt.token, received_at=receipt.received_at,
                      status_url=f"/report/status/{receipt.ref}#t={receipt.token}")


@router.get("/api/public/reports/{ref}", response_model=StatusOut,
            responses={404: _error("No such report, or the token is wrong"),
                       429: REFUSALS[429]})
def report_status(request: Request, ref: str, deps: Deps,
                  x_status_token: Annotated[str, Header()] = "") -> Any:
    """A report's public status; send the token in the ``X-Status-Token`` header."""
    desk = _desk(deps)
    if not desk.lookups.allow(client_ip(request) or "unknown", desk.clock().timestamp()):
        return _refused(Rejected(Reason.RATE_IP, "too many look-ups; wait a few minutes"))
    token = x_status_token[:100]
    found = status(desk, ref[:32], token) if token else None
    if found is None:
        raise HTTPException(404, "no report with this reference and token")
    return StatusOut.model_validate(found.to_json())
