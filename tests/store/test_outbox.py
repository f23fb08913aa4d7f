"""The outbox on real SQLite files: held while the store refuses writes, applied once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_factories import make_event

from kuzet.core.counts import Direction, LineCount
from kuzet.core.types import EventPhase
from kuzet.store import CountQuery, Store
from kuzet.store.outbox import Outbox

MINUTE = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def _count(n: int = 1) -> tuple[LineCount, ...]:
    return (LineCount("gate", "road", MINUTE, "car", Direction.IN, n),)


def _total(store: Store) -> int:
    return sum(s.total for s in store.counts.series(CountQuery("gate")))


@pytest.fixture
def outbox(store: Store, tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.db")
    box.handle("event", lambda e, key: store.events.upsert(e))
    box.handle("counts", store.counts.add)
    yield box
    box.stop(0)


@pytest.fixture
def read_only(store: Store) -> Iterator[list[bool]]:
    """While ``flag[0]`` is true, every connection the store checks out refuses writes."""
    flag = [False]

    def on_checkout(dbapi_conn: Any, _record: object, _proxy: object) -> None:
        if store.engine.dialect.name == "sqlite":
            dbapi_conn.execute(f"PRAGMA query_only={int(flag[0])}")
        else:  # PostgreSQL: the session's transactions are read-only
            dbapi_conn.execute(f"SET default_transaction_read_only = {'on' if flag[0] else 'off'}")
            dbapi_conn.commit()

    sa.event.listen(store.engine, "checkout", on_checkout)
    yield flag
    sa.event.remove(store.engine, "checkout", on_checkout)


def test_writes_wait_while_the_store_is_read_only_then_apply_in_order(
    store: Store, outbox: Outbox, read_only: list[bool]
) -> None:
    read_only[0] = True
    outbox.put("event", make_event())
    outbox.put("counts", _count(2))
    outbox.put("event", make_event(phase=EventPhase.CLOSE, ended_at=MINUTE))
    assert outbox.drain_once() == 0
    state = outbox.state()
    assert state.degraded and state.pending == 3
    assert "readonly" in state.last_error or "read-only" in state.last_error
    assert store.events.get("ev-1") is None
    read_only[0] = False
    assert outbox.drain_once() == 3
    assert not outbox.state().degraded and outbox.state().pending == 0
    stored = store.events.get("ev-1")
    assert stored is not None and stored.status == "closed", "the close came last"
    assert _total(store) == 2


def test_a_replayed_counts_entry_is_stored_once(store: Store) -> None:
    store.counts.add(_count(3), "key-1")
    store.counts.add(_count(3), "key-1")  # applied again after a crash before the delete
    store.counts.add(_count(1), "key-2")
    assert _total(store) == 4


def test_an_entry_that_cannot_apply_is_set_aside_loudly_not_dropped(
    store: Store, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(item: object, key: str) -> None:
        raise ValueError("not a store problem")

    outbox.handle("broken", broken)
    outbox.put("broken", {"x": 1})
    outbox.put("event", make_event())
    assert outbox.drain_once() == 1
    state = outbox.state()
    assert state.pending == 0 and state.dead == 1 and "not a store problem" in state.last_error
    assert "failed for good" in caplog.text
    assert store.events.get("ev-1") is not None


def test_pending_writes_survive_a_restart(store: Store, tmp_path: Path) -> None:
    first = Outbox(tmp_path / "box.db", {"event": lambda e, key: store.events.upsert(e)})
    first.put("event", make_event(id="kept"))
    assert first.stop(0).pending == 1  # never drained (e.g. the process was killed)
    second = Outbox(tmp_path / "box.db", {"event": lambda e, key: store.events.upsert(e)})
    assert second.drain_once() == 1
    second.stop(0)
    assert store.events.get("kept") is not None


def test_put_waits_while_the_outbox_is_full(store: Store, tmp_path: Path) -> None:
    box = Outbox(tmp_path / "box.db", {"event": lambda e, key: store.events.upsert(e)},
                 max_bytes=600)
    box.put("event", make_event(id="a"))
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (box.put("event", make_event(id="b")), done.set()), daemon=True
    )
    thread.start()
    assert not done.wait(0.5), "a full outbox holds the producer (back-pressure)"
    box.drain_once()
    assert done.wait(3.0)
    box.drain_once()
    box.stop(0)
    assert store.events.get("b") is not None


def test_the_drainer_thread_applies_what_arrives(store: Store, outbox: Outbox) -> None:
    outbox.start()
    outbox.put("event", make_event(id="live"))
    deadline = time.monotonic() + 5
    while store.events.get("live") is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.events.get("live") is not None


def _applied_keys(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(sa.text("SELECT key FROM applied_writes")).scalars())


def test_applied_keys_are_pruned_up_to_the_replay_horizon(store: Store, outbox: Outbox) -> None:
    # Before, applied_writes grew by one row per counts entry for ever (issue 14).
    outbox.on_prune(store.counts.forget_applied)
    gone = [outbox.put("counts", _count()) for _ in range(3)]
    assert outbox.drain_once() == 3 and _applied_keys(store) == set(gone)
    time.sleep(0.01)
    # A crash between the store's commit and the outbox's delete: applied, still pending.
    pending = outbox.put("counts", _count(5))
    store.counts.add(_count(5), pending)
    assert outbox.replay_horizon() < time.time()
    outbox.prune(margin_s=0)
    assert _applied_keys(store) == {pending}, "keys of gone entries pruned, the pending one kept"
    assert outbox.drain_once() == 1  # the replay is still recognised
    assert _total(store) == 3 + 5
    outbox.prune(margin_s=0)  # nothing pending: the horizon is now
    assert _applied_keys(store) == set()


def test_the_drainer_prunes_by_itself(store: Store, outbox: Outbox) -> None:
    forgotten: list[float] = []
    outbox.on_prune(lambda before: forgotten.append(before) or store.counts.forget_applied(before))
    outbox.put("counts", _count())
    outbox.start()
    deadline = time.monotonic() + 5
    while not forgotten and time.monotonic() < deadline:
        time.sleep(0.05)
    assert forgotten and forgotten[0] < time.time() - 3000  # horizon less the margin
