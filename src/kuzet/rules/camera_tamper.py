"""camera_tamper: defocus, occlusion or scene change of one camera (one rule per type).

Each rule judges ``Observation.tamper`` (whole-frame signals, see
``kuzet.motion.tamper``) against baselines it learned itself. The condition must
hold ``min_duration`` seconds to open a ``camera_tamper`` event with
``attrs.tamper`` = the type, and be gone ``close_after`` seconds to close it.
After a scene change opens, the reference scene is learned anew (the camera may
have been turned on purpose), so the event closes once the new view is learned.

``signal_loss`` needs no frames: the supervisor raises it (see
``kuzet.runtime.signal_loss``); the in-camera rule of that type does nothing.
"""

from __future__ import annotations

from datetime import tzinfo

from kuzet.config.rules.camera_tamper import CameraTamperRuleConfig
from kuzet.core.types import Event, EventKind, Observation
from kuzet.events.lifecycle import TIME_EPS, EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.motion.tamper import TamperJudge, TamperThresholds
from kuzet.rules.protocol import RuleContext, RuleKind

_KEY = "tamper"


def tamper_events(cfg: CameraTamperRuleConfig, camera_id: str, tz: tzinfo | None) -> EventTracker:
    """The event lifecycle of a camera_tamper rule (also used by the supervisor)."""
    policy = EventPolicy(
        cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz, material_attrs=()
    )
    return EventTracker(EventSpec(camera_id, EventKind.CAMERA_TAMPER, cfg.id, cfg.severity), policy)


class CameraTamperRule:
    """One type of camera tampering.

    Args:
        camera_id: Camera the events belong to.
        cfg: The rule's settings (``tamper`` picks the type).
        tz: Time zone of ``active_hours``; None = the machine's.

    Example:
        >>> cfg = CameraTamperRuleConfig(id="blur", tamper="defocus")
        >>> rule = CameraTamperRule("cam", cfg)
        >>> rule.update(observation)  # doctest: +SKIP
    """

    def __init__(
        self, camera_id: str, cfg: CameraTamperRuleConfig, tz: tzinfo | None = None
    ) -> None:
        self.cfg = cfg
        self.judge = TamperJudge(
            TamperThresholds(
                learn_s=cfg.learn_s,
                adapt_s=cfg.adapt_s,
                defocus_ratio=cfg.defocus_ratio,
                occlusion_texture=cfg.occlusion_texture,
                scene_similarity=cfg.scene_similarity,
            )
        )
        self._events = tamper_events(cfg, camera_id, tz)
        self._since: float | None = None  # condition holding since (or gone since, when open)
        self._since_wall = 0.0

    @property
    def id(self) -> str:
        """The rule id."""
        return self.cfg.id

    @property
    def kind(self) -> EventKind:
        """``camera_tamper``."""
        return EventKind.CAMERA_TAMPER

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation (needs ``obs.tamper``; without it nothing happens)."""
        if obs.tamper is None or self.cfg.tamper == "signal_loss":
            return []
        holds = self.cfg.tamper in self.judge.update(obs.tamper, obs.ts)
        is_open = self._events.is_open(_KEY)
        if holds == is_open:
            self._since = None
            return []
        if self._since is None:
            self._since, self._since_wall = obs.ts, obs.wall
        wait = self.cfg.close_after if is_open else self.cfg.min_duration
        if obs.ts - self._since < wait - TIME_EPS:
            return []
        self._since = None
        if is_open:
            event = self._events.close(_KEY, obs.ts, obs.wall, ended_wall=self._since_wall)
        else:
            content = EventContent(attrs={"tamper": self.cfg.tamper, **self._facts()})
            event = self._events.open(_KEY, obs.ts, obs.wall, content)
            if event is not None and self.cfg.tamper == "scene_change":
                self.judge.relearn()
        return [] if event is None else [event]

    def forget(self, track_id: int) -> None:
        """Nothing is kept per track."""

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close the open event, if any (camera stopping)."""
        self._since = None
        return self._events.close_all(ts, wall)

    def _facts(self) -> dict[str, float]:
        if self.cfg.tamper == "scene_change":
            return {"similarity": round(self.judge.similarity, 3)}
        return {}


def build(ctx: RuleContext, cfg: CameraTamperRuleConfig) -> CameraTamperRule:
    """Build a ``camera_tamper`` rule (the frame size is not needed)."""
    return CameraTamperRule(ctx.camera_id, cfg, ctx.tz)


RULE_KINDS = (RuleKind(CameraTamperRuleConfig, build),)
