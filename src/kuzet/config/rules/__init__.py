"""Rule settings: one module per rule kind, one model per kind, chosen by ``kind``.

Each module of this package holds the model of one rule kind: a ``RuleBase``
subclass with ``kind: Literal["<kind>"]`` and its ``event_kinds``. ``RuleConfig``
(the ``rules:`` list entry) is the union of the models found in the package's
modules, so a new kind is a new module here and nothing else in ``config/``.
The models of the shipped kinds are re-exported below for existing imports; a
new kind need not be added.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union, get_args, get_origin

from pydantic import Field

from kuzet.config.rules.abandoned_object import AbandonedObjectRuleConfig
from kuzet.config.rules.base import EndHour, RuleBase, StartHour
from kuzet.config.rules.camera_tamper import CameraTamperRuleConfig, TamperType
from kuzet.config.rules.crowd import CrowdRuleConfig
from kuzet.config.rules.line_crossing import LineCrossingRuleConfig
from kuzet.config.rules.loitering import LoiteringRuleConfig
from kuzet.config.rules.unusual_crowd import UnusualCrowdRuleConfig
from kuzet.config.rules.zone_presence import ZonePresenceRuleConfig
from kuzet.core.types import EventKind


def kind_of(model: type[RuleBase]) -> str | None:
    """The ``kind`` tag of a rule model, or None when it has no literal one (a base)."""
    annotation = model.model_fields["kind"].annotation
    if get_origin(annotation) is not Literal:
        return None
    return str(get_args(annotation)[0])


def _models_in(module: ModuleType) -> list[type[RuleBase]]:
    """Rule kind models defined (not imported) in ``module``."""
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, RuleBase)
        and obj.__module__ == module.__name__ and kind_of(obj) is not None
    ]


def _check(model: type[RuleBase], seen: dict[str, type[RuleBase]]) -> None:
    kind = kind_of(model)
    if kind in seen:
        raise TypeError(f"rule kind {kind!r} has two models: {seen[kind]} and {model}")
    if not model.event_kinds:
        raise TypeError(f"{model} declares no event_kinds")
    for event_kind in model.event_kinds:
        EventKind(event_kind)  # ValueError for a malformed name


def _discover() -> tuple[type[RuleBase], ...]:
    """Every rule kind model in this package's modules, by module name."""
    seen: dict[str, type[RuleBase]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        for model in _models_in(importlib.import_module(f"{__name__}.{info.name}")):
            _check(model, seen)
            seen[str(kind_of(model))] = model
    return tuple(seen.values())


RULE_MODELS: tuple[type[RuleBase], ...] = _discover()
"""The model of every rule kind, ordered by module name."""


def _union(models: tuple[type[RuleBase], ...]) -> Any:
    if len(models) == 1:
        return models[0]
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007 - a tuple of models


if TYPE_CHECKING:
    RuleConfig: TypeAlias = RuleBase
else:
    RuleConfig = _union(RULE_MODELS)
"""One entry of a camera's ``rules`` list: any rule kind, chosen by ``kind``."""


def event_rule_kinds() -> dict[str, str]:
    """Event kind -> the rule kind that raises it (``wrong_way`` -> ``line_crossing``)."""
    return {event: str(kind_of(m)) for m in RULE_MODELS for event in m.event_kinds}


def known_event_kinds() -> frozenset[str]:
    """The canonical event kinds plus every kind a rule model declares."""
    return frozenset({k.value for k in EventKind} | set(event_rule_kinds()))


__all__ = [
    "RULE_MODELS",
    "AbandonedObjectRuleConfig",
    "CameraTamperRuleConfig",
    "CrowdRuleConfig",
    "EndHour",
    "LineCrossingRuleConfig",
    "LoiteringRuleConfig",
    "RuleBase",
    "RuleConfig",
    "StartHour",
    "TamperType",
    "UnusualCrowdRuleConfig",
    "ZonePresenceRuleConfig",
    "event_rule_kinds",
    "kind_of",
    "known_event_kinds",
]
