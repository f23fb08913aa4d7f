"""The video pages: full-screen live view and synced playback (scope, limits, UTC)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_factories import make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.record import RecordConfig
from kuzet.record.index import SegmentIndex
from kuzet.record.playback import Recordings


@pytest.fixture
def gate_only(deps: AppDeps) -> Iterator[TestClient]:
    """A supervisor whose scope is camera gate; recording on (nothing recorded)."""
    deps.recordings = Recordings(
        SegmentIndex(deps.store.engine), Path(deps.media.root), RecordConfig(), {}
    )
    make_user(deps, "gina", "supervisor", cameras=["gate"])
    with TestClient(create_app(deps)) as client:
        sign_in(client, "gina")
        yield client


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/cameras/gate/live", 200),
        ("/cameras/hall/live", 403),  # outside the scope
        ("/playback?cameras=gate&at=2026-01-01T10:00:00Z", 200),
        ("/playback?cameras=gate,hall&at=2026-01-01T10:00:00Z", 403),  # one camera out: 403
        ("/playback?cameras=gate&cameras=hall", 403),  # repeated form too
        ("/playback?cameras=" + ",".join(["gate"] * 3 + [f"c{i}" for i in range(10)]), 422),
        ("/playback?cameras=,", 422),
    ],
)
def test_pages_check_scope_and_limits(gate_only: TestClient, path: str, status: int) -> None:
    assert gate_only.get(path).status_code == status


def test_live_page_of_an_unknown_camera_is_404(client: TestClient) -> None:
    assert client.get("/cameras/nope/live").status_code == 404


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00+00:00"),
        ("2026-01-01T10:00:00", "2026-01-01T10:00:00+00:00"),  # no offset: UTC
        ("2026-01-01T15:00:00+05:00", "2026-01-01T10:00:00+00:00"),
    ],
)
def test_moment_is_utc(gate_only: TestClient, at: str, expected: str) -> None:
    sync = gate_only.get("/playback", params={"cameras": "gate", "at": at})
    assert f'data-at="{expected}"' in sync.text
    timeline = gate_only.get("/cameras/gate/recordings", params={"at": at})
    assert f'data-at="{expected}"' in timeline.text
