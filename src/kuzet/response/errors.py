"""Errors of alarm and incident handling; the API maps each to one HTTP status."""

from __future__ import annotations


class ResponseError(Exception):
    """Base of every alarm/incident error."""


class NotFoundError(ResponseError):
    """Unknown alarm or incident (HTTP 404)."""


class ConflictError(ResponseError):
    """Not allowed in the current state, or changed by someone else first (HTTP 409)."""


class ForbiddenError(ResponseError):
    """The caller may not do this to this alarm, e.g. it is another operator's (HTTP 403)."""


class InvalidError(ResponseError):
    """A required detail is missing or wrong, e.g. a resolve without a verdict (HTTP 422)."""
