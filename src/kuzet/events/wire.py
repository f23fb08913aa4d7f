"""JSON wire form of bus messages: typed dataclasses in, the same dataclasses out.

A networked bus must not unpickle what arrives (anyone who can publish could run
code), so messages cross it as JSON and are rebuilt from the dataclass's own type
hints: datetimes as ISO 8601, enums by value, bytes as base64, tuples as lists,
nested dataclasses as objects. ``Any`` values (event ``attrs``) pass as JSON.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from kuzet.store.codec import to_jsonable

T = TypeVar("T")


def _plain(value: Any) -> Any:
    """Dataclasses and bytes to JSON types; the rest through ``to_jsonable``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return to_jsonable(value)


def encode(item: object) -> bytes:
    """The UTF-8 JSON of ``item`` (a dataclass, or a tuple of dataclasses).

    Example:
        >>> encode(LineCount("cam", "gate", minute, "car", Direction.IN))  # doctest: +SKIP
        b'{"camera_id": "cam", ...}'
    """
    return json.dumps(_plain(item), separators=(",", ":")).encode()


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _rebuild_dataclass(cls: type, value: dict[str, Any]) -> Any:
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: _rebuild(hints[k], v) for k, v in value.items() if k in names})


def _rebuild(tp: Any, value: Any) -> Any:  # noqa: PLR0911 - one branch per type family
    """``value`` (plain JSON) as type ``tp``."""
    origin = typing.get_origin(tp)
    if tp is Any or value is None:
        return value
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _rebuild(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_rebuild(args[0], v) for v in value)
        return tuple(_rebuild(a, v) for a, v in zip(args, value, strict=True))
    if origin is not None:  # Mapping[str, Any], list[...]: plain JSON
        return value
    if dataclasses.is_dataclass(tp):
        return _rebuild_dataclass(typing.cast(type, tp), value)
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is bytes:
        return base64.b64decode(value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if tp is float:
        return float(value)
    return value


def decode(tp: type[T] | Any, data: bytes) -> T:
    """Rebuild a message of type ``tp`` from :func:`encode`'s bytes.

    Raises:
        ValueError: The bytes are not JSON of that shape.
    """
    try:
        return typing.cast(T, _rebuild(tp, json.loads(data)))
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"not a {tp!r} message: {exc}") from exc
