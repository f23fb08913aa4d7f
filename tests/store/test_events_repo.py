"""EventRepo on a real SQLite file: upsert lifecycle, filters, keyset pagination."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, timedelta, timezone

import numpy as np
import pytest
from store_factories import T0, make_event

from kuzet.core.types import EventKind, EventPhase, Evidence
from kuzet.store import EventQuery, Store
from kuzet.store.events import decode_cursor, encode_cursor


def test_open_then_update_then_close(store: Store) -> None:
    repo = store.events
    repo.upsert(make_event())
    got = repo.get("ev-1")
    assert got is not None and got.status == "open" and got.ended_at is None
    assert got.started_at == T0 and got.started_at.tzinfo is not None
    assert got.track_ids == [3, 4] and got.labels == ["person"]
    facts = {"track_ids": [3, 4], "labels": ["person"], "frame_ts": 12.5, "count": 2}
    assert got.attrs == {"zone": "gate", "count": 2, "snapshot_facts": facts}

    later = make_event(phase=EventPhase.UPDATE, evidence=Evidence(), track_ids=(3, 4, 5),
                       attrs={"zone": "gate", "count": 3})
    repo.upsert(later)
    got = repo.get("ev-1")
    assert got is not None and got.track_ids == [3, 4, 5] and got.attrs["count"] == 3
    assert got.snapshot_key == "snapshots/gate/2025/03/01/ev-1.jpg", "update keeps the snapshot"
    assert got.attrs["snapshot_facts"] == facts, "the snapshot keeps the facts it showed"
    repo.upsert(replace(later, phase=EventPhase.CLOSE, evidence=make_event().evidence))
    assert repo.get("ev-1").attrs["snapshot_facts"] == facts  # type: ignore[union-attr]

    end = T0 + timedelta(seconds=40)
    repo.upsert(make_event(phase=EventPhase.CLOSE, ended_at=end))
    got = repo.get("ev-1")
    assert got is not None and got.status == "closed" and got.ended_at == end
    assert repo.count(EventQuery()) == 1


@pytest.mark.parametrize("phase", [EventPhase.UPDATE, EventPhase.CLOSE])
def test_update_or_close_for_unknown_id_inserts(store: Store, phase: EventPhase) -> None:
    store.events.upsert(make_event(id="late", phase=phase))
    got = store.events.get("late")
    assert got is not None
    assert got.status == ("closed" if phase is EventPhase.CLOSE else "open")


def test_get_unknown_is_none(store: Store) -> None:
    assert store.events.get("nope") is None


def test_non_utc_and_numpy_values_are_normalised(store: Store) -> None:
    plus3 = timezone(timedelta(hours=3))
    event = make_event(
        started_at=T0.astimezone(plus3),
        attrs={"score": np.float32(0.5), "box": np.array([1, 2]), "kind": EventKind.CROWD},
    )
    store.events.upsert(event)
    got = store.events.get("ev-1")
    assert got is not None
    assert got.started_at == T0 and got.started_at.utcoffset() == timedelta(0)
    assert {k: v for k, v in got.attrs.items() if k != "snapshot_facts"} == {
        "score": 0.5, "box": [1, 2], "kind": "crowd"
    }


def _seed(store: Store) -> None:
    cams = ["gate", "hall", "yard"]
    kinds = [EventKind.ZONE_PRESENCE, EventKind.LOITERING]
    for i in range(12):
        phase = EventPhase.CLOSE if i % 3 == 0 else EventPhase.OPEN
        store.events.upsert(
            make_event(
                id=f"e{i:02d}", camera_id=cams[i % 3], kind=kinds[i % 2], minutes=i, phase=phase
            )
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (EventQuery(), [f"e{i:02d}" for i in range(11, -1, -1)]),
        (EventQuery(cameras=["gate"]), ["e09", "e06", "e03", "e00"]),
        (EventQuery(cameras=["gate", "hall"], kinds=["loitering"]), ["e09", "e07", "e03", "e01"]),
        (EventQuery(status="closed"), ["e09", "e06", "e03", "e00"]),
        (EventQuery(status="open", cameras=["hall"]), ["e10", "e07", "e04", "e01"]),
        (EventQuery(since=T0 + timedelta(minutes=9)), ["e11", "e10", "e09"]),
        (EventQuery(until=T0 + timedelta(minutes=2)), ["e01", "e00"]),
        (EventQuery(cameras=["nowhere"]), []),
        (EventQuery(limit=2), ["e11", "e10"]),
    ],
)
def test_list_filters(store: Store, query: EventQuery, expected: list[str]) -> None:
    _seed(store)
    assert [e.id for e in store.events.list(query).items] == expected
    assert store.events.count(replace(query, limit=500)) == len(
        store.events.list(replace(query, limit=500)).items
    )


def test_keyset_pagination_walks_everything_once(store: Store) -> None:
    _seed(store)
    # Two events with the same start time: the id breaks the tie.
    store.events.upsert(make_event(id="e05b", minutes=5))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.events.list(EventQuery(limit=5, before_cursor=cursor))
        seen += [e.id for e in page.items]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 3
    assert len(seen) == len(set(seen)) == 13
    assert seen.index("e05b") == seen.index("e05") - 1


def test_cursor_roundtrip_and_rejects_garbage() -> None:
    cursor = encode_cursor(T0, "abc|def")
    assert decode_cursor(cursor) == (T0, "abc|def")
    for bad in ["", "!!!", "bm90LWEtY3Vyc29y"]:
        with pytest.raises(ValueError):
            decode_cursor(bad)


@pytest.mark.parametrize("limit", [0, 501])
def test_limit_bounds(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        EventQuery(limit=limit)


def test_upserts_from_many_threads(store: Store) -> None:
    def write(n: int) -> None:
        for i in range(10):
            store.events.upsert(make_event(id=f"t{n}-{i}", minutes=i))
            store.events.upsert(make_event(id=f"t{n}-{i}", phase=EventPhase.CLOSE, minutes=i))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.events.count(EventQuery(status="closed")) == 40


def test_stored_times_are_utc(store: Store) -> None:
    store.events.upsert(make_event())
    got = store.events.get("ev-1")
    assert got is not None and got.updated_at.tzinfo == UTC
