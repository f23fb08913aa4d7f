"""abandoned_object: owner leaves -> one event at the object; people standing still, cars,
ownerless blobs and picked-up bags do not alert."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from factories import FRAME_SHAPE, make_detections, make_observation
from kuzet.config.rules import AbandonedObjectRuleConfig
from kuzet.core.types import Event, EventKind, EventPhase, Observation
from kuzet.rules import build_rules
from kuzet.rules.abandoned_object import AbandonedObjectRule

BAG = [300.0, 380.0, 340.0, 420.0]
NEAR = [260.0, 300.0, 300.0, 420.0]  # a person beside the bag
FAR = [20.0, 300.0, 60.0, 420.0]

# ts -> (people rows (track id, box, class), static blobs rows)
Script = Callable[[float], tuple[list[tuple[int, list[float], str]], list[list[float]]]]


def _obs(ts: float, script: Script) -> Observation:
    rows, blobs = script(ts)
    dets = make_detections(
        [b for _, b, _ in rows], classes=[c for _, _, c in rows], track_ids=[t for t, _, _ in rows]
    )
    obs = make_observation(dets, ts=ts)
    static = np.asarray(blobs, np.float32).reshape(-1, 5)
    return Observation(**{**{f: getattr(obs, f) for f in obs.__slots__}, "static_blobs": static})


def _run(script: Script, end: float = 40.0, **cfg: object) -> list[Event]:
    rule = AbandonedObjectRule(
        "cam", AbandonedObjectRuleConfig(id="bags", unattended_s=10, **cfg), FRAME_SHAPE
    )
    events: list[Event] = []
    for i in range(int(end * 5)):
        events.extend(rule.update(_obs(i * 0.2, script)))
    return events


def _left_bag(ts: float) -> tuple[list[tuple[int, list[float], str]], list[list[float]]]:
    person = [(1, NEAR if ts < 8 else FAR, "person")] if ts < 12 else []
    return person, [[*BAG, 4.0]] if ts >= 5 else []


def _bag_taken_at_20(ts: float) -> tuple[list[tuple[int, list[float], str]], list[list[float]]]:
    rows, blobs = _left_bag(ts)
    return rows, blobs if ts < 20 else []


def _standing_person(ts: float) -> tuple[list[tuple[int, list[float], str]], list[list[float]]]:
    return [(1, NEAR, "person")], [[*NEAR, 2.0]] if ts >= 2 else []


def _parked_car(ts: float) -> tuple[list[tuple[int, list[float], str]], list[list[float]]]:
    car = [100.0, 300.0, 300.0, 420.0]
    person = [(2, FAR if ts > 6 else [300.0, 300.0, 340.0, 420.0], "person")]
    return [(1, car, "car"), *person], [[*car, 3.0]] if ts >= 3 else []


def _ownerless(ts: float) -> tuple[list[tuple[int, list[float], str]], list[list[float]]]:
    return [], [[*BAG, 4.0]] if ts >= 4 else []


CASES: dict[str, tuple[Script, int, int]] = {
    # name: script, opens, closes
    "owner leaves the bag": (_left_bag, 1, 0),
    "bag picked up after the alert": (_bag_taken_at_20, 1, 1),
    "person standing still": (_standing_person, 0, 0),
    "parked car": (_parked_car, 0, 0),
    "blob nobody brought": (_ownerless, 0, 0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_abandoned_object(name: str) -> None:
    script, opens, closes = CASES[name]
    events = _run(script)
    assert sum(e.phase is EventPhase.OPEN for e in events) == opens, events
    assert sum(e.phase is EventPhase.CLOSE for e in events) == closes, events


def test_event_carries_the_object_box_owner_and_time() -> None:
    opened = [e for e in _run(_left_bag) if e.phase is EventPhase.OPEN][0]
    assert opened.kind is EventKind.ABANDONED_OBJECT and opened.rule_id == "bags"
    assert opened.attrs["box"] == BAG and opened.attrs["owner_track_id"] == 1
    assert opened.track_ids == (1,)
    # the owner is beyond 15% of the diagonal from 8 s; unattended 10 s -> 18 s
    assert opened.frame_ts == pytest.approx(18.0, abs=0.01)


def test_owner_returning_resets_the_clock() -> None:
    def script(ts: float) -> tuple[list[tuple[int, list[float], str]], list[list[float]]]:
        near = ts < 8 or 15 <= ts < 16
        return [(1, NEAR if near else FAR, "person")], [[*BAG, 4.0]] if ts >= 5 else []

    opened = [e for e in _run(script) if e.phase is EventPhase.OPEN]
    assert len(opened) == 1 and opened[0].frame_ts == pytest.approx(26.0, abs=0.01)


def test_ownerless_blob_alerts_when_owner_not_required() -> None:
    assert len(_run(_ownerless, require_owner=False)) == 1


def test_registered_and_frame_size_checked() -> None:
    from kuzet.config.cameras import CameraConfig

    cam = CameraConfig.model_validate(
        {"source": {"url": "a.mp4"}, "rules": [{"id": "b", "kind": "abandoned_object"}]}
    )
    (rule,) = build_rules("cam", cam, FRAME_SHAPE)
    assert rule.kind is EventKind.ABANDONED_OBJECT
    with pytest.raises(ValueError, match="built for frame"):
        rule.update(make_observation(frame_shape=(10, 10)))
