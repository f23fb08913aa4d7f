"""Generate docs/config.md from the config models: every key, type, default, description.

Run ``python -m kuzet.config.docs > docs/config.md``; a test checks that the committed
file matches, so the reference cannot drift from the code.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from kuzet.config.docs_text import EXAMPLE_YAML, INTRO
from kuzet.config.merge import MERGED_SECTIONS
from kuzet.config.root import KuzetConfig
from kuzet.config.schema_walk import model_members, tag_of, union_members, unwrap


@dataclass(frozen=True)
class KeyDoc:
    """One documented key.

    Attributes:
        path: Key path, e.g. ``cameras.<id>.source.url``.
        type: Rendered type with constraints.
        default: Rendered default, or ``required``.
        description: The field's description.
    """

    path: str
    type: str
    default: str
    description: str


def walk(model: type[BaseModel], prefix: str = "", note: str = "") -> list[KeyDoc]:
    """List every key of `model` and its sub-models, depth first.

    Args:
        model: The model to document.
        prefix: Key path of the model (ends with ``.`` unless empty).
        note: Text put before each description (e.g. which union member).

    Returns:
        One entry per key.

    Example:
        >>> from kuzet.config.api import ApiConfig
        >>> walk(ApiConfig, "api.")[1].path
        'api.port'
    """
    docs: list[KeyDoc] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        description = note + (info.description or "")
        is_override = prefix.startswith("cameras.<id>.") and name in MERGED_SECTIONS
        if is_override:
            description += (
                f" Same keys as the global `{name}` section; keys not set here come from it."
            )
        docs.append(KeyDoc(path, _field_type(info), _default(info), description.strip()))
        if not is_override:
            docs += _children(info.annotation, path)
    return docs


def _children(annotation: Any, path: str) -> list[KeyDoc]:
    """Keys below a field: its model, the values of a dict, or the items of a list."""
    tp = unwrap(annotation)
    origin = get_origin(tp)
    if origin is dict:
        return _children(get_args(tp)[1], f"{path}.<{_placeholder(path)}>")
    if origin is list:
        return _children(get_args(tp)[0], f"{path}[]")
    models = model_members(tp)
    tags = [tag_of(m) for m in models]
    if not models:
        return []
    if len(models) == 1 and tags[0] is None:
        return walk(models[0], f"{path}.")
    tag_key = "kind" if "kind" in models[0].model_fields else "type"
    choices = " | ".join(json.dumps(tag) for tag in tags)
    what = f"Which kind of entry this is; the keys below marked `{tag_key}: ...` depend on it."
    docs = [KeyDoc(f"{path}.{tag_key}", choices, "required", what)]
    for model, tag in zip(models, tags, strict=True):
        rows = walk(model, f"{path}.", f"(`{tag_key}: {tag}`) ")
        docs += [row for row in rows if row.path != f"{path}.{tag_key}"]
    return docs


def _placeholder(path: str) -> str:
    return "id" if path == "cameras" else "class" if path.endswith("filters") else "name"


def _field_type(info: FieldInfo) -> str:
    text = type_name(info.annotation)
    limits = _constraints(info.metadata)
    return f"{text}, {limits}" if limits else text


def type_name(tp: Any) -> str:  # noqa: C901 - one flat branch per kind of type
    """Render a type annotation for readers of the YAML file.

    Args:
        tp: A type annotation.

    Returns:
        E.g. ``float``, ``list[[x, y]]``, ``"tcp" | "udp"``, ``map[str, mapping]``.

    Example:
        >>> type_name(dict[str, list[int]])
        'map[str, list[int]]'
    """
    raw, tp = tp, unwrap(tp)
    origin = get_origin(tp)
    if raw is not tp and type(None) in (union_members(unwrap_annotated(raw)) or ()):
        return f"{type_name(tp)} | null"
    if tp is type(None):
        return "null"
    if origin is Literal:
        return " | ".join(json.dumps(a) for a in get_args(tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return " | ".join(json.dumps(m.value) for m in tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "mapping"
    if origin is dict:
        return f"map[{type_name(get_args(tp)[0])}, {type_name(get_args(tp)[1])}]"
    if origin is list:
        return f"list[{type_name(get_args(tp)[0])}]"
    if origin is tuple:
        return "[" + ", ".join(_element(a) for a in get_args(tp)) + "]"
    if union_members(tp) is not None:
        names = dict.fromkeys(type_name(a) for a in get_args(tp))
        return " | ".join(names)
    if tp is Path:
        return "path"
    return getattr(tp, "__name__", str(tp))


def unwrap_annotated(tp: Any) -> Any:
    """``Annotated[X, ...]`` -> ``X``; other types unchanged."""
    while hasattr(tp, "__metadata__"):
        tp = get_args(tp)[0]
    return tp


def _element(tp: Any) -> str:
    limits = _constraints(getattr(tp, "__metadata__", ()))
    return f"{type_name(tp)} {limits}" if limits else type_name(tp)


def _constraints(metadata: Any) -> str:
    bounds: dict[str, Any] = {}
    items = list(metadata)
    for item in items:
        if isinstance(item, FieldInfo):
            items += item.metadata
            continue
        for attr in _LIMIT_NAMES:
            value = getattr(item, attr, None)
            if value is not None:
                bounds[attr] = value
    parts = []
    if "ge" in bounds and "le" in bounds:
        low, high = bounds.pop("ge"), bounds.pop("le")
        parts.append(f"only {low}" if low == high else f"{low}-{high}")
    parts += [f"{_LIMIT_NAMES[k]} {v}" for k, v in bounds.items()]
    return ", ".join(parts)


_LIMIT_NAMES = {
    "ge": ">=",
    "gt": ">",
    "le": "<=",
    "lt": "<",
    "min_length": "min length",
    "max_length": "max length",
    "pattern": "pattern",
}


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return "required"
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "see below" if len(type(value).model_fields) > 1 else _json(value.model_dump())
    return _json(value)


def _json(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Path):
        value = str(value)
    return json.dumps(value, default=str)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_reference(keys: list[KeyDoc]) -> str:
    """Markdown tables of `keys`: one for plain top-level keys, one per section.

    Args:
        keys: Entries from `walk`, in walk order.

    Returns:
        The reference part of docs/config.md.
    """
    groups: dict[str, list[KeyDoc]] = {}
    for key in keys:
        groups.setdefault(key.path.split(".")[0], []).append(key)
    singles = [rows[0] for rows in groups.values() if len(rows) == 1]
    tables = [("Top level", singles)] if singles else []
    tables += [(f"`{name}`", rows) for name, rows in groups.items() if len(rows) > 1]
    out: list[str] = []
    for title, rows in tables:
        out += ["", f"### {title}", ""]
        out += ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
        for key in rows:
            cells = (f"`{key.path}`", f"`{key.type}`", f"`{key.default}`", key.description)
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def render_docs() -> str:
    """Build the whole docs/config.md: hand-written intro, example, generated reference.

    Returns:
        The Markdown text.
    """
    return INTRO.replace("{example}", EXAMPLE_YAML) + render_reference(walk(KuzetConfig))


if __name__ == "__main__":
    print(render_docs(), end="")
