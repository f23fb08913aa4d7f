"""Counts travel worker -> supervisor (CountsMessage) -> counts bus -> store sink -> line_counts."""

from __future__ import annotations

from pathlib import Path

from kuzet.config.root import KuzetConfig
from kuzet.core.counts import Direction, LineCount, minute_start
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.runtime.messages import CountsMessage
from kuzet.runtime.supervisor import Supervisor
from kuzet.store import CountQuery, open_store
from kuzet.store.counts import CountsSink


def test_supervisor_publishes_counts_that_the_sink_stores(tmp_path: Path) -> None:
    config = KuzetConfig.model_validate({"cameras": {"gate": {"source": {"url": "a.mp4"}}}})
    counts: Bus[tuple[LineCount, ...]] = Bus()
    store = open_store(None, tmp_path)
    try:
        counts.subscribe(CountsSink(store.counts))
        supervisor = Supervisor(config, tmp_path / "media", Bus[Event](), counts, tmp_path / "st")
        minute = minute_start(1_700_000_000.0)
        batch = (
            LineCount("gate", "road", minute, "car", Direction.IN, 2),
            LineCount("gate", "road", minute, "car", Direction.OUT, 1),
        )
        supervisor.router.dispatch(object(), CountsMessage(batch))
        supervisor.router.dispatch(object(), CountsMessage(batch[:1]))
        series = store.counts.series(CountQuery("gate"))
        assert [(s.direction, s.total) for s in series] == [("in", 4), ("out", 1)]
    finally:
        store.close()
