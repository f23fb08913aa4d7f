"""Default rules for ``kuzet eval`` when no config is given.

Rules are built only from kinds that exist at run time (a config model in
``kuzet.config.rules`` and a builder in a ``kuzet.rules`` module), so the harness
keeps working while rule kinds land, and an expected event type that no rule can
produce is a clear error instead of a silent 0% recall. Which event types a kind
raises comes from its model (``event_kinds``, ``raised_kinds()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from kuzet.config.cameras import CameraConfig
from kuzet.config.root import KuzetConfig
from kuzet.config.rules import event_rule_kinds
from kuzet.core.errors import ConfigError

CAMERA_ID = "eval"
WHOLE_FRAME = "eval_whole_frame"
_WHOLE_FRAME_POINTS = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
_TAMPER_TYPES = ("defocus", "occlusion", "scene_change", "signal_loss")
LINE_TYPES = frozenset({"line_crossing", "wrong_way"})

# Event type -> rule kind that raises it (wrong_way is a line rule's direction
# check), from the event_kinds the rule models declare.
EVENT_RULE_KIND: Mapping[str, str] = MappingProxyType(event_rule_kinds())

# Default rule settings per event type, over the whole frame. Fields not named
# keep the rule model's own defaults. A kind without an entry needs --config.
_DEFAULTS: dict[str, list[dict[str, Any]]] = {
    "zone_presence": [{"kind": "zone_presence", "zone": WHOLE_FRAME}],
    "loitering": [{"kind": "loitering", "zone": WHOLE_FRAME, "min_duration": 30.0}],
    "crowd": [{"kind": "crowd", "zone": WHOLE_FRAME, "min_count": 10}],
    "unusual_crowd": [{"kind": "unusual_crowd", "zone": WHOLE_FRAME}],
    "abandoned_object": [{"kind": "abandoned_object", "unattended_s": 10.0}],
    "camera_tamper": [{"kind": "camera_tamper", "tamper": t} for t in _TAMPER_TYPES],
}


def available_kinds() -> frozenset[str]:
    """Rule kinds that both validate in the config and have a builder."""
    from kuzet.config.rules import RULE_MODELS, kind_of
    from kuzet.rules.catalog import rule_kinds

    configured = {kind_of(m) for m in RULE_MODELS}
    return frozenset(k for k in rule_kinds() if k in configured)


def producible_types(kinds: Iterable[str]) -> frozenset[str]:
    """Event types raised by rules of the given kinds."""
    have = set(kinds)
    return frozenset(t for t, kind in EVENT_RULE_KIND.items() if kind in have)


def check_producible(types: Iterable[str], kinds: Iterable[str], where: str) -> None:
    """Raise when an expected type has no rule among ``kinds``.

    Raises:
        ConfigError: Names every type that cannot be produced.
    """
    missing = sorted(set(types) - producible_types(kinds))
    if missing:
        raise ConfigError(
            f"expected event types {missing} cannot be produced: no rule of kind "
            f"{sorted({EVENT_RULE_KIND.get(t, t) for t in missing})} {where}"
        )


def default_config(types: Iterable[str], detect: dict[str, Any] | None = None) -> KuzetConfig:
    """A one-camera config whose rules cover ``types`` over the whole frame.

    Args:
        types: Expected event types.
        detect: Optional camera ``detect`` overrides.

    Returns:
        A config with camera ``eval`` (its source URL is replaced at run time).

    Raises:
        ConfigError: A type needs a line (line_crossing, wrong_way) or no rule
            kind in this installation produces it.
    """
    wanted = sorted(set(types))
    lines = sorted(set(wanted) & LINE_TYPES)
    if lines:
        raise ConfigError(
            f"expected types {lines} need a counting line: pass --config with a camera "
            "whose `lines` and line_crossing rule describe it"
        )
    check_producible(wanted, available_kinds(), "is registered in this installation")
    no_default = [kind for kind in wanted if kind not in _DEFAULTS]
    if no_default:
        raise ConfigError(
            f"expected types {no_default} have no default eval rule: pass --config with a "
            "camera whose rules raise them"
        )
    rules: list[dict[str, Any]] = []
    for kind in wanted:
        for n, rule in enumerate(_DEFAULTS[kind]):
            rules.append({"id": f"eval_{kind}_{n}", **rule})
    return config_with_rules(rules, detect=detect)


def config_with_rules(
    rules: list[dict[str, Any]],
    lines: dict[str, Any] | None = None,
    detect: dict[str, Any] | None = None,
) -> KuzetConfig:
    """A one-camera config with a whole-frame zone, ``lines`` and ``rules``.

    Raises:
        ConfigError: The rules do not validate (message from pydantic).
    """
    camera: dict[str, Any] = {
        "source": {"url": "eval", "pace": "fast"},
        "zones": {WHOLE_FRAME: {"points": _WHOLE_FRAME_POINTS}},
        "lines": lines or {},
        "rules": rules,
        "detect": detect or {},
    }
    try:
        return KuzetConfig.model_validate({"cameras": {CAMERA_ID: camera}})
    except ValueError as exc:
        raise ConfigError(f"default eval rules do not validate: {exc}") from exc


def camera_types(cam: CameraConfig) -> frozenset[str]:
    """Event types the camera's enabled rules can raise (each model's ``raised_kinds``).

    A line rule raises ``line_crossing`` events only with ``emit_events`` and
    ``wrong_way`` only with ``directions_forbidden``.
    """
    return frozenset(kind for rule in cam.rules if rule.enabled for kind in rule.raised_kinds())


def check_camera_types(types: Iterable[str], cam: CameraConfig, camera_id: str) -> None:
    """Raise when an expected type is raised by none of the camera's rules.

    Raises:
        ConfigError: Names the types (and the line-rule keys that enable them).
    """
    missing = sorted(set(types) - camera_types(cam))
    if missing:
        raise ConfigError(
            f"expected event types {missing} are raised by no enabled rule of camera "
            f"{camera_id!r} (line_crossing events need `emit_events: true`, wrong_way needs "
            "`directions_forbidden`)"
        )
