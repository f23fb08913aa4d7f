"""A size cap on upload bodies, enforced while the body is read (issue 14).

FastAPI parses a multipart body whole before the route runs: a route that
checks the photo's size afterwards has already spooled whatever was sent. So
:class:`~kuzet.api.auth.AuthFirstRoute` reads the body of a route that takes
files itself, after authentication, in chunks, and stops at ``MAX_UPLOAD_BYTES``:
a ``Content-Length`` over the cap is refused before a byte is read, and a body
without one (chunked) is refused as soon as it passes the cap. The 413 names the
route's file field(s) in the validation shape (``loc: ["body", "photo"]``).
Routes still check the file's own size (``render.decode.MAX_IMAGE_BYTES``).
"""

from __future__ import annotations

from fastapi import HTTPException, Request, params
from fastapi.routing import APIRoute

from kuzet.render.decode import MAX_IMAGE_BYTES

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and small form fields
MAX_UPLOAD_BYTES = MAX_IMAGE_BYTES + MULTIPART_OVERHEAD


def upload_fields(route: APIRoute) -> list[str]:
    """Names of the route's file fields (empty when it takes no upload)."""
    return [p.alias for p in route.dependant.body_params if isinstance(p.field_info, params.File)]


def too_large(fields: list[str], size: int | None, cap: int) -> HTTPException:
    """The 413 naming the upload field(s), in the validation shape."""
    sent = f"{size} bytes" if size is not None else "more"
    message = f"the upload is {sent}; the limit is {cap} bytes ({cap // 1_048_576} MiB + form)"
    return HTTPException(
        413, [{"loc": ["body", *fields[:1]], "msg": message, "type": "value_error"}]
    )


async def read_capped(request: Request, fields: list[str], cap: int = MAX_UPLOAD_BYTES) -> None:
    """Read the body into the request, at most ``cap`` bytes.

    Raises:
        HTTPException: 413 when the declared or the actual size passes ``cap``.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise too_large(fields, int(declared), cap)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_large(fields, None, cap)
        chunks.append(chunk)
    request._body = b"".join(chunks)  # what form parsing reads next (starlette's cache)
