"""abandoned_object: an object that stayed after the person who brought it left.

Candidates come from two sources, merged by overlap into tracked *objects*:

- static-foreground blobs (``Observation.static_blobs``; class-agnostic, so a
  black bag the detector cannot see still counts), unless a person box covers
  most of the blob (a person standing still) or a vehicle box covers it;
- tracks of bag classes (backpack, handbag, suitcase) flagged ``stationary``.

When an object first appears its *owner* is the person track nearest to it
among those seen in the last few seconds (the one who set it down). The object
is *unattended* while the owner is gone or farther than ``owner_distance`` (a
fraction of the frame diagonal); after ``unattended_s`` seconds an event opens
with the object's box and the owner's track id. It closes when the object has
been gone for ``removed_after`` seconds (picked up or removed)::

    owner sets bag down ─► object (owner = nearest person)
    owner walks away    ─► unattended clock starts (resets if the owner returns)
    clock ≥ unattended_s ─► OPEN     bag gone ≥ removed_after ─► CLOSE
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import tzinfo

import numpy as np

from kuzet.config.rules.abandoned_object import AbandonedObjectRuleConfig
from kuzet.core.geometry import box_iou
from kuzet.core.types import Detections, Event, EventKind, FloatArray, Observation
from kuzet.events.lifecycle import (
    TIME_EPS,
    EventContent,
    EventPolicy,
    EventSpec,
    EventTracker,
)
from kuzet.rules.frames import check_frame
from kuzet.rules.protocol import RuleContext, RuleKind

OWNER_LOOKBACK_S = 5.0  # how far back a person counts as the one who set it down
PERSON_COVER = 0.5  # blob fraction under a person box that makes it "a person"
OTHER_COVER = 0.5  # blob fraction under a vehicle/other box that excludes it
MATCH_IOU = 0.2
PERSON = "person"


@dataclass(slots=True)
class _Object:
    box: FloatArray
    first_ts: float
    last_seen: float
    label: str
    owner: int | None
    unattended_since: float | None = None
    seen: int = 0
    covered: int = 0
    bag_track: int | None = None


@dataclass(frozen=True, slots=True)
class _Candidate:
    box: FloatArray
    since: float
    label: str
    covered: bool
    bag_track: int | None = None


@dataclass(slots=True)
class _People:
    # track id -> (last ts seen, box); pruned by age and forget()
    seen: dict[int, tuple[float, FloatArray]] = field(default_factory=dict)


def _cover(blob: FloatArray, boxes: FloatArray) -> float:
    """Largest fraction of ``blob``'s area inside one of ``boxes``."""
    if len(boxes) == 0:
        return 0.0
    x1 = np.maximum(blob[0], boxes[:, 0])
    y1 = np.maximum(blob[1], boxes[:, 1])
    x2 = np.minimum(blob[2], boxes[:, 2])
    y2 = np.minimum(blob[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = max(float((blob[2] - blob[0]) * (blob[3] - blob[1])), 1e-6)
    return float(inter.max()) / area


def _distance(box: FloatArray, point: tuple[float, float]) -> float:
    """Distance from a point to a box (0 inside)."""
    dx = max(float(box[0]) - point[0], 0.0, point[0] - float(box[2]))
    dy = max(float(box[1]) - point[1], 0.0, point[1] - float(box[3]))
    return math.hypot(dx, dy)


def _centre(box: FloatArray) -> tuple[float, float]:
    return (float(box[0] + box[2]) / 2, float(box[1] + box[3]) / 2)


class AbandonedObjectRule:
    """Objects left behind by their owner.

    Args:
        camera_id: Camera the events belong to.
        cfg: The rule's settings.
        frame_shape: (height, width) of the analysed frames.
        tz: Time zone of ``active_hours``; None = the machine's.

    Example:
        >>> rule = AbandonedObjectRule("cam", AbandonedObjectRuleConfig(id="bags"), (480, 640))
        >>> rule.update(observation)  # doctest: +SKIP
    """

    def __init__(
        self,
        camera_id: str,
        cfg: AbandonedObjectRuleConfig,
        frame_shape: tuple[int, int],
        tz: tzinfo | None = None,
    ) -> None:
        self.cfg = cfg
        self._shape = (int(frame_shape[0]), int(frame_shape[1]))
        self._diag = math.hypot(*self._shape)
        self._objects: dict[int, _Object] = {}
        self._next_id = 1
        self._people = _People()
        policy = EventPolicy(
            cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz, material_attrs=()
        )
        spec = EventSpec(camera_id, EventKind.ABANDONED_OBJECT, cfg.id, cfg.severity)
        self._events = EventTracker(spec, policy)

    @property
    def id(self) -> str:
        """The rule id."""
        return self.cfg.id

    @property
    def kind(self) -> EventKind:
        """``abandoned_object``."""
        return EventKind.ABANDONED_OBJECT

    def update(self, obs: Observation) -> list[Event]:
        """Advance by one observation (tracked detections plus static blobs).

        Raises:
            ValueError: The observation's frame size differs from the rule's.
        """
        check_frame(self.id, self._shape, obs)
        people = self._remember_people(obs)
        for cand in self._candidates(obs, people):
            self._match(cand, obs.ts)
        events: list[Event] = []
        for key in list(self._objects):
            event = self._step(key, obs, people)
            if event is not None:
                events.append(event)
        return events

    def forget(self, track_id: int) -> None:
        """Drop a person track from the owner look-up (objects keep their owner id)."""
        self._people.seen.pop(track_id, None)

    def close_all(self, ts: float, wall: float) -> list[Event]:
        """Close every open event (camera stopping)."""
        return self._events.close_all(ts, wall)

    @property
    def objects(self) -> list[tuple[FloatArray, int | None, float]]:
        """(box, owner track id, first-static ts) of every object followed now."""
        return [(o.box, o.owner, o.first_ts) for o in self._objects.values()]

    def _remember_people(self, obs: Observation) -> Detections:
        dets = obs.detections
        if dets.track_id is None or len(dets) == 0:
            people = dets[np.zeros(len(dets), bool)]
        else:
            people = dets[np.asarray([lab == PERSON for lab in dets.labels], bool)]
        if people.track_id is not None:
            for tid, box in zip(people.track_id.tolist(), people.xyxy, strict=True):
                self._people.seen[int(tid)] = (obs.ts, box.copy())
        for tid in [
            t for t, (ts, _) in self._people.seen.items() if obs.ts - ts > OWNER_LOOKBACK_S
        ]:
            del self._people.seen[tid]
        return people

    def _candidates(self, obs: Observation, people: Detections) -> list[_Candidate]:
        dets = obs.detections
        labels = dets.labels
        bag = np.asarray([lab in self.cfg.classes for lab in labels], bool)
        others = dets.xyxy[np.asarray([lab != PERSON for lab in labels], bool) & ~bag]
        out: list[_Candidate] = []
        blobs = obs.static_blobs if obs.static_blobs is not None else np.zeros((0, 5), np.float32)
        for row in blobs:
            box = row[:4].astype(np.float32)
            if _cover(box, others) >= OTHER_COVER:
                continue  # a parked car, a bench the detector knows, ...
            covered = _cover(box, people.xyxy) >= PERSON_COVER
            out.append(_Candidate(box, float(row[4]), "object", covered))
        stationary = obs.stationary if obs.stationary is not None else np.zeros(len(dets), bool)
        if dets.track_id is not None:
            for i in np.flatnonzero(bag & stationary):
                tid = int(dets.track_id[i])
                out.append(_Candidate(dets.xyxy[i].copy(), obs.ts, labels[i], False, tid))
        return out

    def _match(self, cand: _Candidate, ts: float) -> None:
        best, best_iou = None, MATCH_IOU
        for key, obj in self._objects.items():
            iou = float(box_iou(cand.box[None], obj.box[None])[0, 0])
            if iou >= best_iou or (cand.bag_track is not None and cand.bag_track == obj.bag_track):
                best, best_iou = key, max(iou, best_iou)
        if best is None:
            if cand.covered:
                return  # a person standing still is not an object
            best = self._next_id
            self._next_id += 1
            self._objects[best] = _Object(
                cand.box, cand.since, ts, cand.label, self._owner(cand.box)
            )
        obj = self._objects[best]
        if obj.last_seen < ts or obj.seen == 0:
            obj.seen += 1
            obj.covered += int(cand.covered)
        obj.last_seen = ts
        if not cand.covered:
            obj.box = cand.box
        if cand.bag_track is not None:
            obj.bag_track, obj.label = cand.bag_track, cand.label

    def _owner(self, box: FloatArray) -> int | None:
        limit = self.cfg.owner_distance * self._diag
        centre = _centre(box)
        near = [(_distance(b, centre), tid) for tid, (_, b) in self._people.seen.items()]
        near = [(d, tid) for d, tid in near if d <= limit]
        return min(near)[1] if near else None

    def _attended(self, obj: _Object, people: Detections) -> bool:
        if obj.owner is None or people.track_id is None:
            return False
        rows = np.flatnonzero(people.track_id == obj.owner)
        if len(rows) == 0:
            return False
        return (
            _distance(people.xyxy[rows[0]], _centre(obj.box))
            <= self.cfg.owner_distance * self._diag
        )

    def _step(self, key: int, obs: Observation, people: Detections) -> Event | None:
        obj = self._objects[key]
        if obs.ts - obj.last_seen >= self.cfg.removed_after - TIME_EPS:
            del self._objects[key]
            return self._events.close(key, obs.ts, obs.wall)
        if obj.last_seen < obs.ts:
            return None  # not seen this frame (occluded?): the clock holds
        if self._attended(obj, people):
            obj.unattended_since = None
            return None
        if obj.unattended_since is None:
            obj.unattended_since = obs.ts
        if obj.owner is None and self.cfg.require_owner:
            return None
        if obj.covered * 2 > obj.seen:  # mostly under a person: a person, not an object
            return None
        if obs.ts - obj.unattended_since < self.cfg.unattended_s - TIME_EPS:
            return None
        return self._events.open(key, obs.ts, obs.wall, self._content(obj, obs.ts))

    def _content(self, obj: _Object, ts: float) -> EventContent:
        assert obj.unattended_since is not None
        attrs: dict[str, object] = {
            "box": [round(float(v), 1) for v in obj.box],
            "object": obj.label,
            "owner_track_id": obj.owner,
            "static_since_s": round(obj.first_ts, 2),
            "unattended_s": round(ts - obj.unattended_since, 1),
        }
        owner = () if obj.owner is None else (obj.owner,)
        return EventContent(track_ids=owner, labels=(PERSON,) * len(owner), attrs=attrs)


def build(ctx: RuleContext, cfg: AbandonedObjectRuleConfig) -> AbandonedObjectRule:
    """Build an ``abandoned_object`` rule (it watches the whole frame)."""
    return AbandonedObjectRule(ctx.camera_id, cfg, ctx.frame_shape, ctx.tz)


RULE_KINDS = (RuleKind(AbandonedObjectRuleConfig, build),)
