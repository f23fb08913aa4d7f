"""smoking (experimental): synthetic hand-to-mouth keypoint sequences (no smoking footage)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from factories import make_detections, make_observation
from kuzet.config.fights import SmokingConfig
from kuzet.core.types import Detections, Event, EventKind, EventPhase, Severity
from kuzet.rules.smoking import SmokingRule, mouth_distance

FPS = 10.0
BOX = [200.0, 100.0, 260.0, 300.0]  # a person 200 px tall
NOSE = (230.0, 120.0)
WRIST_DOWN = (215.0, 210.0)  # hand at the hip: 0.46 heights from the nose
WRIST_AT_MOUTH = (232.0, 128.0)  # 0.04 heights


def _poses(wrist: tuple[float, float] | None, track: int = 1) -> Detections:
    kps = np.zeros((1, 17, 3), np.float32)
    kps[0, :, 2] = 0.8
    kps[0, 0, :2] = NOSE
    kps[0, 10, :2] = (245.0, 210.0)  # the other hand stays down
    if wrist is None:
        kps[0, 9, 2] = 0.05  # wrist not seen
    else:
        kps[0, 9, :2] = wrist
    return make_detections([BOX], track_ids=[track], attrs={"keypoints": kps})


def _script(*steps: tuple[float, str]) -> list[tuple[float, tuple[float, float] | None]]:
    """(seconds, where) steps -> one (ts, wrist) per frame at 10 fps."""
    where = {"down": WRIST_DOWN, "mouth": WRIST_AT_MOUTH, "gone": None}
    out, ts = [], 0.0
    for seconds, name in steps:
        for _ in range(round(seconds * FPS)):
            out.append((round(ts, 3), where[name]))
            ts += 1 / FPS
    return out


def _run(rule: SmokingRule, script: list[tuple[float, tuple[float, float] | None]]) -> list[Event]:
    events: list[Event] = []
    for ts, wrist in script:
        obs = dataclasses.replace(make_observation(ts=ts), poses=_poses(wrist))
        events += rule.update(obs)
    return events


def _rule(**cfg: Any) -> SmokingRule:
    return SmokingRule("cam", SmokingConfig(**{"enabled": True, "close_after": 20.0, **cfg}))


PUFF = ((1.5, "mouth"), (12.0, "down"))  # a drag of 1.5 s every ~13.5 s


def test_repeated_puffs_open_one_event_that_closes() -> None:
    rule = _rule()
    events = _run(rule, _script((2.0, "down"), *PUFF * 4, (40.0, "down")))
    phases = [str(e.phase) for e in events if e.phase is not EventPhase.UPDATE]
    assert phases == ["open", "close"]
    opened = events[0]
    assert opened.kind is EventKind.SMOKING and opened.severity is Severity.DETECTION
    assert opened.attrs["touches"] == 3 and opened.attrs["pose_track_id"] == 1
    assert opened.attrs["experimental"] is True and opened.attrs["box"] == BOX
    assert rule.touches_seen == 4
    # third touch ends when the hand leaves the mouth: 2 + 2 * 13.5 + 1.5
    assert opened.frame_ts == pytest.approx(30.5, abs=0.11)


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(((2.0, "down"), *PUFF, (60.0, "down")), id="single-touch"),
        pytest.param(((2.0, "down"), *PUFF * 2, (60.0, "down")), id="two-touches"),
        pytest.param(((2.0, "down"), (0.1, "mouth"), (3.0, "down")) * 6, id="too-quick-brushes"),
        pytest.param(((2.0, "down"), (60.0, "mouth"), (5.0, "down")), id="phone-call-long-hold"),
        pytest.param(((2.0, "down"), (1.5, "mouth"), (50.0, "down")) * 3, id="too-far-apart"),
        pytest.param(((2.0, "down"), (1.5, "gone")) * 12, id="wrist-not-seen"),
    ],
)
def test_no_event(steps: tuple[tuple[float, str], ...]) -> None:
    assert _run(_rule(), _script(*steps)) == []


def test_hovering_at_the_boundary_counts_once() -> None:
    # between near (0.1) and away (0.22): the hysteresis keeps it one touch
    hover = (232.0, 150.0)  # 0.15 heights from the nose
    script = _script((2.0, "down"), (1.0, "mouth"))
    script += [(round(3.0 + i / FPS, 3), hover if i % 2 else WRIST_AT_MOUTH) for i in range(30)]
    script += [(round(6.0 + i / FPS, 3), WRIST_DOWN) for i in range(20)]
    rule = _rule()
    assert _run(rule, script) == []
    assert rule.touches_seen == 1


def test_two_people_are_counted_apart() -> None:
    # each makes two touches: four in all, but neither reaches three
    rule = _rule()
    events: list[Event] = []
    for track in (1, 2):
        for ts, wrist in _script((2.0, "down"), *PUFF * 2):
            obs = dataclasses.replace(make_observation(ts=ts), poses=_poses(wrist, track))
            events += rule.update(obs)
    assert events == [] and rule.touches_seen == 4


def test_close_all_and_observations_without_poses() -> None:
    rule = _rule()
    assert rule.update(make_observation(ts=0.0)) == []
    opened = _run(rule, _script((2.0, "down"), *PUFF * 3))
    assert [str(e.phase) for e in opened] == ["open"]
    assert [str(e.phase) for e in rule.close_all(60.0, 1_700_000_060.0)] == ["close"]


def test_mouth_distance_is_nan_without_a_nose() -> None:
    kps = _poses(WRIST_AT_MOUTH).attrs["keypoints"].copy()
    kps[0, 0, 2] = 0.0
    assert np.isnan(mouth_distance(kps, np.asarray([BOX], np.float32), 0.3)).all()
