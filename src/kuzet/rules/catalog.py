"""Find the rule kinds: the ``RULE_KINDS`` each module of ``kuzet.rules`` declares.

Nothing registers itself: the modules of this package are imported once, on
first use, and their ``RULE_KINDS`` tuples read. A new rule kind is a new module
here (plus its model in ``kuzet.config.rules``); no table to edit.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from kuzet.config.rules import RULE_MODELS, kind_of
from kuzet.rules.protocol import RuleKind

_PACKAGE = "kuzet.rules"


def _declared(module_name: str) -> tuple[RuleKind[Any], ...]:
    module = importlib.import_module(module_name)
    kinds = tuple(getattr(module, "RULE_KINDS", ()))
    for kind in kinds:
        if not isinstance(kind, RuleKind):
            raise TypeError(f"{module_name}.RULE_KINDS holds {kind!r}, not a RuleKind")
    return kinds


@functools.cache
def rule_kinds() -> Mapping[str, RuleKind[Any]]:
    """Every rule kind with a builder, by its YAML ``kind``.

    Returns:
        A read-only mapping ``kind -> RuleKind``.

    Raises:
        TypeError: Two modules build the same kind, or a builder's model is not
            one of the config models (``kuzet.config.rules.RULE_MODELS``).

    Example:
        >>> sorted(rule_kinds())[:2]
        ['abandoned_object', 'camera_tamper']
    """
    package = importlib.import_module(_PACKAGE)
    models = {kind_of(m): m for m in RULE_MODELS}
    found: dict[str, RuleKind[Any]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        for kind in _declared(f"{_PACKAGE}.{info.name}"):
            if kind.name in found:
                raise TypeError(f"rule kind {kind.name!r} is built in two modules")
            if models.get(kind.name) is not kind.config:
                raise TypeError(
                    f"{kind.config} of rule kind {kind.name!r} is not a model in "
                    "kuzet.config.rules (put it in its own module there)"
                )
            found[kind.name] = kind
    return MappingProxyType(found)
