"""EventTracker: open / throttled update / close, cooldown, active hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kuzet.core.types import EventKind, EventPhase, Severity
from kuzet.events.lifecycle import (
    EventContent,
    EventPolicy,
    EventSpec,
    EventTracker,
    in_active_hours,
)

SPEC = EventSpec("cam", EventKind.CROWD, "crowd1", Severity.DETECTION)
WALL0 = 1_700_000_000.0


def _content(*tids: int, count: int | None = None, **attrs: object) -> EventContent:
    n = len(tids) if count is None else count
    return EventContent(tids, ("person",) * len(tids), {"count": n, **attrs})


# (action, ts, content track ids, extra attrs) -> expected phase or None
STEPS = {
    "open then duplicate open is an update or nothing": (
        [("open", 0, (1,), {}), ("open", 0.5, (1,), {}), ("open", 5, (1,), {})],
        ["open", None, None],
    ),
    "non-material attr change is not an update": (
        [("open", 0, (1,), {}), ("update", 5, (1,), {"dwell_s": 9.0})],
        ["open", None],
    ),
    "track set change is an update (same count)": (
        [("open", 0, (1,), {}), ("update", 5, (2,), {})],
        ["open", "update"],
    ),
    "updates are throttled and a held-back change comes later": (
        [
            ("open", 0, (1,), {}),
            ("update", 1, (1, 2), {}),
            ("update", 1.5, (1, 2), {}),
            ("update", 2, (1, 2), {}),
            ("update", 2.5, (1, 2, 3), {}),
            ("update", 4.0, (1, 2, 3), {}),
        ],
        ["open", None, None, "update", None, "update"],
    ),
    "cooldown after close, in frame seconds": (
        [
            ("open", 0, (1,), {}),
            ("close", 4, (), {}),
            ("open", 5, (1,), {}),
            ("open", 13.9, (1,), {}),
            ("open", 14, (1,), {}),
        ],
        ["open", "close", None, None, "open"],
    ),
    "close without an open event": ([("close", 1, (), {})], [None]),
    "update without an open event": ([("update", 1, (1,), {})], [None]),
}


@pytest.mark.parametrize(("steps", "expected"), STEPS.values(), ids=STEPS.keys())
def test_lifecycle_sequences(
    steps: list[tuple[str, float, tuple[int, ...], dict[str, object]]], expected: list[str | None]
) -> None:
    tracker = EventTracker(SPEC, EventPolicy(cooldown=10, update_interval=2))
    got = []
    for action, ts, tids, attrs in steps:
        if action == "close":
            event = tracker.close("k", ts, WALL0 + ts)
        else:
            event = getattr(tracker, action)("k", ts, WALL0 + ts, _content(*tids, **attrs))
        got.append(None if event is None else event.phase.value)
    assert got == expected


def test_one_event_id_from_open_to_close_with_times_and_content() -> None:
    tracker = EventTracker(SPEC, EventPolicy(cooldown=0, update_interval=0))
    opened = tracker.open("k", 1.0, WALL0 + 1, _content(1, zone="z"))
    updated = tracker.update("k", 2.0, WALL0 + 2, _content(1, 2, zone="z"))
    closed = tracker.close("k", 9.0, WALL0 + 9, ended_wall=WALL0 + 6)
    assert opened is not None and updated is not None and closed is not None
    assert opened.id == updated.id == closed.id
    assert [e.phase for e in (opened, updated, closed)] == [
        EventPhase.OPEN,
        EventPhase.UPDATE,
        EventPhase.CLOSE,
    ]
    assert opened.started_at == closed.started_at == datetime.fromtimestamp(WALL0 + 1, UTC)
    assert opened.ended_at is None and updated.ended_at is None
    assert closed.ended_at == datetime.fromtimestamp(WALL0 + 6, UTC)
    assert (closed.frame_ts, closed.frame_wall) == (9.0, WALL0 + 9)
    assert closed.track_ids == (1, 2) and closed.attrs == {"count": 2, "zone": "z"}
    assert (opened.camera_id, opened.kind, opened.rule_id, opened.severity) == (
        "cam",
        EventKind.CROWD,
        "crowd1",
        Severity.DETECTION,
    )
    reopened = tracker.open("k", 9.0, WALL0 + 9, _content(1))
    assert reopened is not None and reopened.id != opened.id


def test_keys_are_independent_and_close_all_closes_each() -> None:
    tracker = EventTracker(SPEC, EventPolicy(cooldown=60))
    a = tracker.open("a", 0, WALL0, _content(1))
    tracker.close("a", 1, WALL0 + 1)
    b = tracker.open("b", 2, WALL0 + 2, _content(2))  # "a" cools down, "b" does not
    c = tracker.open("c", 2, WALL0 + 2, _content(3))
    assert a is not None and b is not None and c is not None
    assert tracker.in_cooldown("a", 2) and not tracker.in_cooldown("b", 2)
    closed = tracker.close_all(3, WALL0 + 3)
    assert {e.id for e in closed} == {b.id, c.id}
    assert all(e.phase is EventPhase.CLOSE for e in closed)
    assert not tracker.is_open("b") and tracker.close_all(4, WALL0 + 4) == []


@pytest.mark.parametrize(
    ("hours", "hour", "active"),
    [
        (None, 12, True),
        ((22, 6), 22, True),
        ((22, 6), 23, True),
        ((22, 6), 0, True),
        ((22, 6), 5, True),
        ((22, 6), 6, False),
        ((22, 6), 21, False),
        ((8, 18), 8, True),
        ((8, 18), 17, True),
        ((8, 18), 18, False),
        ((0, 24), 23, True),
        ((5, 5), 3, True),
    ],
)
def test_active_hours_wrap_midnight(hours: tuple[int, int] | None, hour: int, active: bool) -> None:
    wall = datetime(2024, 6, 1, hour, 59, tzinfo=UTC).timestamp()
    assert in_active_hours(hours, wall, UTC) is active


def test_active_hours_use_the_given_local_zone() -> None:
    almaty = timezone(timedelta(hours=5))
    wall = datetime(2024, 6, 1, 18, 0, tzinfo=UTC).timestamp()  # 23:00 in UTC+5
    assert in_active_hours((22, 6), wall, almaty)
    assert not in_active_hours((22, 6), wall, UTC)


def test_no_open_outside_active_hours_but_open_events_run_on() -> None:
    noon = datetime(2024, 6, 1, 12, 0, tzinfo=UTC).timestamp()
    night = EventTracker(SPEC, EventPolicy(active_hours=(22, 6), tz=UTC))
    assert night.open("k", 0, noon, _content(1)) is None
    late = datetime(2024, 6, 1, 5, 59, tzinfo=UTC).timestamp()
    assert night.open("k", 0, late, _content(1)) is not None
    assert night.update("k", 5, late + 5, _content(1, 2)) is not None  # now 06:00
    assert night.close("k", 6, late + 6) is not None
