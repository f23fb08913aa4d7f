"""Conversion of event payloads into JSON-safe values (for the DB, API, SSE and MQTT)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Recursively turn ``value`` into plain JSON types.

    Handles mappings, sequences, enums, datetimes (ISO 8601) and numpy values
    (duck-typed through ``tolist``/``item``, so numpy is not imported here).

    Args:
        value: Any nested structure of attributes.

    Returns:
        The same structure made of dict, list, str, int, float, bool and None.

    Example:
        >>> to_jsonable({"a": (1, 2)})
        {'a': [1, 2]}
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return to_jsonable(value.tolist())
    if hasattr(value, "item"):
        return to_jsonable(value.item())
    return str(value)
