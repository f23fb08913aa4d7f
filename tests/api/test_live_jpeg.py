"""Polled live JPEGs (the grid): redacted unless unmasked (the MJPEG view's rule),
204 when nothing is newer, scope, and a watch lease that keeps the camera rendering."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_unmask_api import USERS, app, face_diff  # noqa: F401 - the fixture is used

from kuzet.api import AppDeps
from kuzet.api.live_leases import POLL_FPS, WatchLeases
from kuzet.api.testing import FakeLiveView, make_jpeg
from kuzet.privacy.unmask import GrantRequest, UnmaskGrants


@pytest.fixture
def as_user(app: FastAPI) -> Iterator[dict[str, TestClient]]:  # noqa: F811
    with (
        TestClient(app, headers={"x-test-user": "op"}) as op,
        TestClient(app, headers={"x-test-user": "sup"}) as sup,
    ):
        yield {"op": op, "sup": sup}


@pytest.mark.parametrize(
    ("user", "grant", "masked"),
    [("op", False, True), ("sup", False, True), ("sup", True, False), ("op", True, True)],
)
def test_live_jpeg_is_redacted_unless_unmasked(
    deps: AppDeps, as_user: dict[str, TestClient], user: str, grant: bool, masked: bool
) -> None:
    principal = USERS[user]
    if grant:
        UnmaskGrants(deps.store.engine).grant(
            GrantRequest(principal.user_id, principal.username, "incident 42", 60)
        )
    resp = as_user[user].get("/api/cameras/gate/live.jpg")
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/jpeg"
    seq = int(resp.headers["x-kuzet-seq"])
    assert resp.headers["x-kuzet-redacted"] == str(int(masked))
    inside, outside = face_diff(resp.content, make_jpeg(text=f"gate #{seq}", seed=seq))
    assert outside < 3
    assert (inside > 4) is masked


def test_nothing_newer_is_204(deps: AppDeps, as_user: dict[str, TestClient]) -> None:
    live = deps.live
    assert isinstance(live, FakeLiveView)
    live.frames = False
    assert as_user["op"].get("/api/cameras/gate/live.jpg").status_code == 204  # no frame yet
    live.frames = True
    seq = int(as_user["op"].get("/api/cameras/gate/live.jpg").headers["x-kuzet-seq"])
    nxt = as_user["op"].get("/api/cameras/gate/live.jpg", params={"after": seq})
    assert nxt.status_code == 200 and int(nxt.headers["x-kuzet-seq"]) > seq  # fake: always new
    assert as_user["op"].get("/api/cameras/nope/live.jpg").status_code == 404


def test_out_of_scope_is_403(deps: AppDeps) -> None:
    from api_factories import make_user, sign_in

    from kuzet.api import create_app

    make_user(deps, "hallonly", "operator", cameras=["hall"])
    with TestClient(create_app(deps)) as client:
        sign_in(client, "hallonly")
        assert client.get("/api/cameras/gate/live.jpg").status_code == 403
        assert client.get("/api/cameras/hall/live.jpg").status_code == 200


def test_a_poll_leases_the_camera_until_it_expires() -> None:
    live = FakeLiveView.with_cameras("gate", "hall")
    leases = WatchLeases(live, lease_s=0.3)
    leases.touch("gate")
    leases.touch("gate")  # a renewal does not watch twice
    assert live.watchers == {"gate": 1} and leases.held() == ["gate"]
    assert live.watch_fps == {"gate": [POLL_FPS]}  # the camera renders at the pollers' rate
    deadline = time.monotonic() + 5
    while leases.held() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leases.held() == [] and live.watchers == {"gate": 0}  # the sweeper released it
