"""Follow a key path through the config model types (for "did you mean" hints).

Type helpers here are shared with the docs generator.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from kuzet.config.errors import Loc


def unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to the interesting type.

    Args:
        tp: A type annotation.

    Returns:
        The inner type (a union of several non-None types is returned as is).
    """
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        members = union_members(tp)
        if members is not None:
            rest = [m for m in members if m is not type(None)]
            if len(rest) == 1 and len(rest) != len(members):
                tp = rest[0]
                continue
        return tp


def union_members(tp: Any) -> tuple[Any, ...] | None:
    """Members of a union type, or None when `tp` is not a union."""
    if get_origin(tp) in (Union, types.UnionType):
        return get_args(tp)
    return None


def model_members(tp: Any) -> list[type[BaseModel]]:
    """The pydantic models a (possibly union) type can hold."""
    tp = unwrap(tp)
    members = union_members(tp) or (tp,)
    out = []
    for member in members:
        member = unwrap(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            out.append(member)
    return out


def tag_of(model: type[BaseModel]) -> str | None:
    """The literal ``kind``/``type`` value of a union member model, if any.

    A field allowing several values (``kind: Literal["local", "s3"]``) is a plain
    choice, not a union tag.
    """
    for name in ("kind", "type"):
        field = model.model_fields.get(name)
        if field is not None and get_origin(field.annotation) is Literal:
            values = get_args(field.annotation)
            return str(values[0]) if len(values) == 1 else None
    return None


def _pick(tp: Any, node: Any) -> Any:
    """Choose the union member matching the data's ``kind``/``type`` tag."""
    models = model_members(tp)
    if len(models) <= 1:
        return models[0] if models else unwrap(tp)
    tag = node.get("kind", node.get("type")) if isinstance(node, dict) else None
    for model in models:
        if tag_of(model) == tag:
            return model
    return None


def allowed_keys(loc: Loc, data: Any, root: type[BaseModel] | None = None) -> list[str]:
    """Field names of the model found at `loc`, or [] if it is not a model.

    Args:
        loc: Key path (no union tags).
        data: The raw data, used to choose between union members.
        root: Model at the top; defaults to `KuzetConfig`.

    Returns:
        Sorted field names.

    Example:
        >>> allowed_keys(("api",), {"api": {}})
        ['host', 'live_fps', 'port']
    """
    if root is None:
        from kuzet.config.root import KuzetConfig

        root = KuzetConfig
    tp: Any = root
    node = data
    for part in loc:
        tp = _pick(tp, node)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            tp = field.annotation if field is not None else None
        elif get_origin(tp) in (dict, list, tuple):
            tp = get_args(tp)[-1] if get_args(tp) else None
        else:
            return []
        node = (
            node.get(part)
            if isinstance(node, dict)
            else (
                node[part]
                if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
                else None
            )
        )
    model = _pick(tp, node)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(model.model_fields)
    return []
