"""IANA time-zone names in the config (``timezone``: global default, per camera)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field


def _check(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as 'Asia/Almaty' or 'UTC'"
        ) from exc
    return name


TimeZoneName = Annotated[
    str | None,
    AfterValidator(_check),
    Field(
        default=None,
        description="IANA time zone (e.g. `Asia/Almaty`) of `active_hours` and hour-of-week "
        "baselines; unset = the machine's local zone. Set globally, override per camera. "
        "The global one is also the site's zone: the console and reports show times in it "
        "(unset: UTC there), labelled.",
    ),
]


def zone(name: str | None) -> tzinfo | None:
    """The ``tzinfo`` of a validated name (None = the machine's local zone).

    Example:
        >>> zone("UTC")
        zoneinfo.ZoneInfo(key='UTC')
    """
    return None if name is None else ZoneInfo(name)
