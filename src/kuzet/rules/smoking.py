"""smoking (EXPERIMENTAL): one person bringing a hand to the mouth again and again.

Works on ``Observation.poses`` (tracked MoveNet poses, keypoints x, y, score). For
each pose track the nearer wrist's distance to the nose is measured in units of the
person's height (the pose box), so the thresholds do not depend on distance::

    wrist within `near` ─► at mouth ── held min_hold..max_hold s, then beyond `away`
                                        └─► one touch (a longer hold is a phone call)
    `touches` touches within `window_s` ─► OPEN smoking (per person)
    no touch for `close_after` s, or the person gone that long ─► CLOSE

No smoking footage was available: positives are tested on synthetic keypoint
sequences and the false-positive rate was measured on real non-smoking footage
(docs/smoking.md). The hysteresis (`near` < `away`) keeps a wrist hovering at the
boundary from counting many touches.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import tzinfo

import numpy as np

from kuzet.config.fights import SmokingConfig
from kuzet.core.types import Detections, Event, EventKind, FloatArray, Observation
from kuzet.events.lifecycle import TIME_EPS, EventContent, EventPolicy, EventSpec, EventTracker

NOSE, LEFT_WRIST, RIGHT_WRIST = 0, 9, 10


@dataclass(slots=True)
class _Person:
    touches: deque[float] = field(default_factory=deque)
    near_since: float | None = None  # ts the wrist reached the mouth (None = away)
    last_seen: float = 0.0
    last_touch: float = 0.0
    box: list[float] = field(default_factory=list)


def mouth_distance(keypoints: FloatArray, boxes: FloatArray, min_score: float) -> FloatArray:
    """(N,) nearest-wrist-to-nose distance / person height; NaN where not measurable.

    Args:
        keypoints: (N,17,3) x, y, score in pixels.
        boxes: (N,4) xyxy person boxes.
        min_score: Keypoints scoring below this are ignored.

    Example:
        >>> kps = np.zeros((1, 17, 3), np.float32); kps[0, :, 2] = 1
        >>> kps[0, 0, :2] = (50, 20); kps[0, 9, :2] = (50, 30); kps[0, 10, :2] = (90, 90)
        >>> mouth_distance(kps, np.array([[0, 0, 100, 100]], np.float32), 0.3).round(2)
        array([0.1], dtype=float32)
    """
    height = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
    nose = keypoints[:, NOSE]
    out = np.full(len(keypoints), np.nan, np.float32)
    for wrist in (LEFT_WRIST, RIGHT_WRIST):
        kp = keypoints[:, wrist]
        ok = (kp[:, 2] >= min_score) & (nose[:, 2] >= min_score)
        dist = np.hypot(kp[:, 0] - nose[:, 0], kp[:, 1] - nose[:, 1]) / height
        dist = np.where(ok, dist, np.nan)
        out = np.fmin(out, dist.astype(np.float32))
    return out


class SmokingRule:
    """Raises ``smoking`` events per pose track; see the module docstring.

    Args:
        camera_id: Camera the events belong to.
        cfg: The camera's ``smoking`` section.
        tz: Time zone of ``active_hours``; None = the machine's.

    Example:
        >>> SmokingRule("cam", SmokingConfig(enabled=True)).kind
        <EventKind.SMOKING: 'smoking'>
    """

    kind = EventKind.SMOKING
    id = "smoking"

    def __init__(self, camera_id: str, cfg: SmokingConfig, tz: tzinfo | None = None) -> None:
        self.cfg = cfg
        policy = EventPolicy(
            cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz, material_attrs=("touches",)
        )
        self._events = EventTracker(EventSpec(camera_id, self.kind, self.id, cfg.severity), policy)
        self._people: dict[int, _Person] = {}
        self.touches_seen = 0  # every touch counted, for measurement

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation; only those carrying poses do anything."""
        poses = obs.poses
        if poses is None:
            return []
        events: list[Event] = []
        if len(poses) and poses.track_id is not None and "keypoints" in poses.attrs:
            events.extend(self._measure(obs, poses))
        events.extend(self._expire(obs.ts, obs.wall))
        return events

    def _measure(self, obs: Observation, poses: Detections) -> list[Event]:
        assert poses.track_id is not None
        cfg = self.cfg
        dist = mouth_distance(poses.attrs["keypoints"], poses.xyxy, cfg.min_keypoint_score)
        events: list[Event] = []
        for row, track in enumerate(poses.track_id):
            person = self._people.setdefault(int(track), _Person())
            person.last_seen = obs.ts
            person.box = [round(float(v), 1) for v in poses.xyxy[row]]
            d = float(dist[row])
            if np.isnan(d):
                continue
            if person.near_since is None:
                if d <= cfg.near:
                    person.near_since = obs.ts
                continue
            if d < cfg.away:
                continue
            held = obs.ts - person.near_since
            person.near_since = None
            if cfg.min_hold - TIME_EPS <= held <= cfg.max_hold + TIME_EPS:
                events.extend(self._touch(int(track), person, obs))
        return events

    def _touch(self, track: int, person: _Person, obs: Observation) -> list[Event]:
        self.touches_seen += 1
        person.last_touch = obs.ts
        touches = person.touches
        touches.append(obs.ts)
        while touches and obs.ts - touches[0] > self.cfg.window_s + TIME_EPS:
            touches.popleft()
        if len(touches) < self.cfg.touches and not self._events.is_open(track):
            return []
        attrs = {"touches": len(touches), "pose_track_id": track, "box": person.box,
                 "experimental": True}
        event = self._events.open(track, obs.ts, obs.wall, EventContent(attrs=attrs))
        return [] if event is None else [event]

    def _expire(self, ts: float, wall: float) -> list[Event]:
        # No touch for close_after closes (also when the person left); state of people
        # unseen for longer than the touch window is dropped.
        events: list[Event] = []
        limit = max(self.cfg.close_after, self.cfg.window_s)
        for track, person in list(self._people.items()):
            is_open = self._events.is_open(track)
            if is_open and ts - person.last_touch >= self.cfg.close_after - TIME_EPS:
                closed = self._events.close(track, ts, wall)
                events.extend([] if closed is None else [closed])
                is_open = False
            if not is_open and ts - person.last_seen > limit:
                del self._people[track]
        return events

    def forget(self, track_id: int) -> None:
        """Detection tracks are not pose tracks: pose state expires by time instead."""

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close every open event (camera stopping)."""
        self._people.clear()
        return self._events.close_all(ts, wall)


def build_smoking_rules(
    camera_id: str, cfg: SmokingConfig, tz: tzinfo | None = None
) -> list[SmokingRule]:
    """The smoking rule of a camera; [] when off."""
    return [SmokingRule(camera_id, cfg, tz)] if cfg.enabled else []
