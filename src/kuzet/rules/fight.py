"""fight and aggression: the live rules over the fight analyser's windows.

The analyser (``kuzet.fights``) hands over a ``FightWindow`` every stride through
``Observation.fight``; observations without one change nothing. Both rules are
built from the camera's ``fights`` section (see ``build_fight_rules``)::

    score >= threshold for min_windows windows in a row ─► OPEN fight (alert)
    people >= mass_brawl_people at any time ─► severity critical, attrs.mass_brawl
    score below threshold for close_after s ─► CLOSE ─► cooldown

A dip of one window below the threshold neither opens nor closes anything: the
streak restarts before an open, and ``close_after`` bridges it once open. The
``aggression`` rule works the same on windows whose ``aggression`` pairs are not
empty while the score stays below the fight threshold (a fight supersedes it).
"""

from __future__ import annotations

import dataclasses
from datetime import tzinfo
from typing import Any

from kuzet.config.fights import FightsConfig
from kuzet.core.fight import FightWindow
from kuzet.core.geometry import union_box
from kuzet.core.types import Event, EventKind, EventPhase, Observation, Severity
from kuzet.events.lifecycle import TIME_EPS, EventContent, EventPolicy, EventSpec, EventTracker

_KEY = "fight"


@dataclasses.dataclass(frozen=True, slots=True)
class WindowGate:
    """When a window counts, how many in a row open, how long below closes.

    Attributes:
        min_windows: Consecutive counting windows needed to open.
        close_after: Seconds without a counting window before the event closes.
    """

    min_windows: int
    close_after: float


class WindowRule:
    """Opens after ``min_windows`` counting windows in a row; closes ``close_after`` s later.

    Subclasses say which windows count (``_counts``) and what the event carries
    (``_attrs``); this class runs the lifecycle.
    """

    kind: EventKind
    rule_id: str

    def __init__(
        self, camera_id: str, gate: WindowGate, severity: Severity, policy: EventPolicy
    ) -> None:
        self.id = self.rule_id
        self._gate = gate
        self._events = EventTracker(EventSpec(camera_id, self.kind, self.rule_id, severity), policy)
        self._streak = 0
        self._last_ts = 0.0  # last counting window while open
        self._last_wall = 0.0
        self._facts: dict[str, Any] = {}

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation; only those carrying a window do anything."""
        window = obs.fight
        if window is None:
            return []
        counts = self._counts(window, obs)
        if not self._events.is_open(_KEY):
            if not counts:
                self._streak, self._facts = 0, {}
                return []
            self._streak += 1
            self._remember(window)
            if self._streak < self._gate.min_windows:
                return []
            return self._emit(self._events.open(_KEY, window.ts, window.wall, self._content()))
        if counts:
            self._remember(window)
            self._last_ts, self._last_wall = window.ts, window.wall
            return self._emit(self._events.update(_KEY, window.ts, window.wall, self._content()))
        if window.ts - self._last_ts < self._gate.close_after - TIME_EPS:
            return []
        return self._close(window.ts, window.wall, self._last_wall)

    def forget(self, track_id: int) -> None:
        """Nothing is kept per track (the analyser reports people per window)."""

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close the open event, if any (camera stopping)."""
        if not self._events.is_open(_KEY):
            self._streak, self._facts = 0, {}
            return []
        return self._close(ts, wall, self._last_wall)

    def _close(self, ts: float, wall: float, ended_wall: float) -> list[Event]:
        content = self._content()  # the final facts (updates are throttled)
        event = self._events.close(_KEY, ts, wall, content, ended_wall=ended_wall)
        closed = self._emit(event)
        self._streak, self._facts = 0, {}
        return closed

    def _emit(self, event: Event | None) -> list[Event]:
        if event is None:
            return []
        if event.phase is EventPhase.OPEN:
            self._last_ts, self._last_wall = event.frame_ts, event.frame_wall
        return [self._finish(event)]

    def _content(self) -> EventContent:
        return EventContent(attrs=dict(self._facts))

    def _counts(self, window: FightWindow, obs: Observation) -> bool:
        raise NotImplementedError

    def _remember(self, window: FightWindow) -> None:
        raise NotImplementedError

    def _finish(self, event: Event) -> Event:
        return event


def people_in_view(window: FightWindow, obs: Observation) -> int:
    """People the window is about: its pose group, else the tracked persons in view."""
    if window.people:
        return window.people
    return sum(1 for label in obs.detections.labels if label == "person")


def _boxes(
    window: FightWindow, rows: list[int] | None = None
) -> tuple[list[float], list[list[float]]]:
    """(union box, individual boxes) of the window's people (or of ``rows``), rounded."""
    boxes = window.boxes if rows is None else window.boxes[rows]
    if len(boxes) == 0:
        return [], []
    return ([round(float(v), 1) for v in union_box(boxes)],
            [[round(float(v), 1) for v in b] for b in boxes])


class FightRule(WindowRule):
    """``fight`` events; see the module docstring.

    Args:
        camera_id: Camera the events belong to.
        cfg: The camera's ``fights`` section.
        threshold: Window score that counts (``cfg.threshold`` or the model's default).
        tz: Time zone of ``active_hours``; None = the machine's.

    Example:
        >>> rule = FightRule("cam", FightsConfig(enabled=True), threshold=0.5)
        >>> rule.kind
        <EventKind.FIGHT: 'fight'>
    """

    kind = EventKind.FIGHT
    rule_id = "fight"

    def __init__(
        self, camera_id: str, cfg: FightsConfig, threshold: float, tz: tzinfo | None = None
    ) -> None:
        policy = EventPolicy(
            cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz,
            material_attrs=("max_people", "mass_brawl"),
        )
        super().__init__(camera_id, WindowGate(cfg.min_windows, cfg.close_after), cfg.severity,
                         policy)
        self.cfg = cfg
        self.threshold = threshold

    def _counts(self, window: FightWindow, obs: Observation) -> bool:
        if window.score < self.threshold:
            return False
        return people_in_view(window, obs) >= self.cfg.min_people

    def _remember(self, window: FightWindow) -> None:
        facts = self._facts
        max_people = max(int(facts.get("max_people", 0)), window.people)
        union, boxes = _boxes(window)
        if window.score >= float(facts.get("max_score", -1.0)) or "box" not in facts:
            facts.update(box=union, boxes=boxes)  # the people of the best-scoring window
        facts.update(
            score=round(window.score, 3),
            max_score=round(max(window.score, float(facts.get("max_score", 0.0))), 3),
            people=window.people,
            max_people=max_people,
            mass_brawl=max_people >= self.cfg.mass_brawl_people,
            threshold=round(self.threshold, 3),
        )

    def _finish(self, event: Event) -> Event:
        # A mass brawl stays critical for the rest of the situation (sinks upsert by id).
        if event.attrs.get("mass_brawl"):
            return dataclasses.replace(event, severity=Severity.CRITICAL)
        return event


class AggressionRule(WindowRule):
    """``aggression``: one person's motion directed at another, below the fight threshold.

    Args:
        camera_id: Camera the events belong to.
        cfg: The camera's ``fights`` section.
        threshold: The fight threshold (windows at or above it are fights, not aggression).
        tz: Time zone of ``active_hours``; None = the machine's.
    """

    kind = EventKind.AGGRESSION
    rule_id = "aggression"

    def __init__(
        self, camera_id: str, cfg: FightsConfig, threshold: float, tz: tzinfo | None = None
    ) -> None:
        policy = EventPolicy(
            cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz, material_attrs=("pairs",)
        )
        gate = WindowGate(cfg.aggression_min_windows, cfg.close_after)
        super().__init__(camera_id, gate, cfg.aggression_severity, policy)
        self.threshold = threshold

    def _counts(self, window: FightWindow, obs: Observation) -> bool:
        return bool(window.aggression) and window.score < self.threshold

    def _remember(self, window: FightWindow) -> None:
        rows = sorted({i for pair in window.aggression for i in pair if i < len(window.boxes)})
        union, boxes = _boxes(window, rows)
        self._facts.update(
            pairs=len(window.aggression), score=round(window.score, 3), box=union, boxes=boxes
        )


def build_fight_rules(
    camera_id: str, cfg: FightsConfig, threshold: float, tz: tzinfo | None = None
) -> list[WindowRule]:
    """The fight (and, if configured, aggression) rule of a camera; [] when off."""
    if not cfg.enabled:
        return []
    rules: list[WindowRule] = [FightRule(camera_id, cfg, threshold, tz)]
    if cfg.aggression:
        rules.append(AggressionRule(camera_id, cfg, threshold, tz))
    return rules
