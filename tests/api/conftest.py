"""API fixtures: real store and media on tmp_path, a fake live view, a test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_factories import bearer, make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, serve_in_thread
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.store import MediaStore, open_store


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[AppDeps]:
    """Store, media and bus wired like the runtime, two fake cameras."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    live = FakeLiveView.with_cameras("gate", "hall")
    deps = AppDeps(store, MediaStore(tmp_path / "media"), bus, live, sse_heartbeat_s=0.3)
    make_user(deps)
    yield deps
    store.close()


@pytest.fixture
def client(deps: AppDeps) -> Iterator[TestClient]:
    """In-process client (runs the lifespan), signed in as an admin."""
    with TestClient(create_app(deps)) as test_client:
        sign_in(test_client)
        yield test_client


@pytest.fixture
def anon(deps: AppDeps) -> Iterator[TestClient]:
    """In-process client that is not signed in (redirects are not followed)."""
    with TestClient(create_app(deps), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def auth_headers(deps: AppDeps) -> dict[str, str]:
    """Bearer-token header of the admin (for clients other than ``client``)."""
    return bearer(deps)


@pytest.fixture
def server(deps: AppDeps) -> Iterator[str]:
    """Base URL of the app served by uvicorn in a thread (for endless streams)."""
    with serve_in_thread(create_app(deps)) as url:
        yield url
