"""Snapshot object-store keys: dated by UTC, one safe segment per id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kuzet.events.snapshot import snapshot_key


@pytest.mark.parametrize(
    ("when", "key"),
    [
        (datetime(2024, 3, 9, 23, 30, tzinfo=UTC), "snapshots/gate/2024/03/09/e1.jpg"),
        # 01:30 on the 10th in UTC+5 is still the 9th in UTC
        (
            datetime(2024, 3, 10, 1, 30, tzinfo=timezone(timedelta(hours=5))),
            "snapshots/gate/2024/03/09/e1.jpg",
        ),
    ],
)
def test_snapshot_key_layout(when: datetime, key: str) -> None:
    assert snapshot_key("gate", "e1", when) == key


@pytest.mark.parametrize(
    ("camera", "event", "when"),
    [
        ("gate", "e1", datetime(2024, 1, 1)),  # naive
        ("../etc", "e1", datetime(2024, 1, 1, tzinfo=UTC)),
        ("gate", "", datetime(2024, 1, 1, tzinfo=UTC)),
        ("..", "e1", datetime(2024, 1, 1, tzinfo=UTC)),
    ],
)
def test_snapshot_key_rejects_unsafe_input(camera: str, event: str, when: datetime) -> None:
    with pytest.raises(ValueError):
        snapshot_key(camera, event, when)
