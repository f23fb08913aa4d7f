"""GET /api/counts: buckets, line filter, time range, validation, 404, scope (403), sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_factories import make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.core.counts import Direction, LineCount

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _seed(deps: AppDeps) -> None:
    rows = [
        # (minutes after T0, line, class, direction, n)
        (0, "road", "car", Direction.IN, 2),
        (1, "road", "car", Direction.IN, 3),
        (1, "road", "car", Direction.OUT, 1),
        (16, "road", "car", Direction.IN, 4),
        (16, "road", "bicycle", Direction.IN, 1),
        (61, "path", "person", Direction.OUT, 5),
    ]
    deps.store.counts.add(
        [LineCount("gate", line, T0 + timedelta(minutes=m), c, d, n) for m, line, c, d, n in rows]
    )
    deps.store.counts.add([LineCount("gate", "road", T0, "car", Direction.IN, 1)])  # added up
    deps.store.counts.add([LineCount("hall", "road", T0, "car", Direction.IN, 9)])


def _series(body: dict[str, Any]) -> dict[tuple[str, str, str], list[tuple[str, int]]]:
    out = {}
    for s in body["series"]:
        points = [(p["start"][11:16], p["count"]) for p in s["points"]]
        out[(s["line"], s["label"], s["direction"])] = points
    return out


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {"camera": "gate", "line": "road"},
            {
                ("road", "bicycle", "in"): [("12:16", 1)],
                ("road", "car", "in"): [("12:00", 3), ("12:01", 3), ("12:16", 4)],
                ("road", "car", "out"): [("12:01", 1)],
            },
            id="per-minute",
        ),
        pytest.param(
            {"camera": "gate", "line": "road", "bucket": 900},
            {
                ("road", "bicycle", "in"): [("12:15", 1)],
                ("road", "car", "in"): [("12:00", 6), ("12:15", 4)],
                ("road", "car", "out"): [("12:00", 1)],
            },
            id="quarter-hours",
        ),
        pytest.param(
            {"camera": "gate", "bucket": 3600},
            {
                ("path", "person", "out"): [("13:00", 5)],
                ("road", "bicycle", "in"): [("12:00", 1)],
                ("road", "car", "in"): [("12:00", 10)],
                ("road", "car", "out"): [("12:00", 1)],
            },
            id="hours-all-lines",
        ),
        pytest.param(
            {"camera": "gate", "line": "road", "since": "2025-03-01T12:01:00Z",
             "until": "2025-03-01T12:16:00"},
            {("road", "car", "in"): [("12:01", 3)], ("road", "car", "out"): [("12:01", 1)]},
            id="time-range",
        ),
        pytest.param({"camera": "hall", "line": "path"}, {}, id="no-data"),
    ],
)
def test_counts_series(
    client: TestClient, deps: AppDeps, params: dict[str, Any], expected: dict[Any, Any]
) -> None:
    _seed(deps)
    response = client.get("/api/counts", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["camera"] == params["camera"]
    assert _series(body) == expected
    for s in body["series"]:
        assert s["total"] == sum(p["count"] for p in s["points"])


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"camera": "gate", "bucket": 120}, 422),
        ({"line": "road"}, 422),
        ({"camera": "gate", "bogus": "1"}, 422),
        ({"camera": "nowhere"}, 404),
    ],
)
def test_counts_rejects_bad_queries(
    client: TestClient, params: dict[str, Any], status: int
) -> None:
    assert client.get("/api/counts", params=params).status_code == status


def test_counts_out_of_scope_camera_is_forbidden(deps: AppDeps) -> None:
    _seed(deps)
    make_user(deps, "ana", "operator", cameras=["hall"])
    with TestClient(create_app(deps)) as ana:
        sign_in(ana, "ana")
        assert ana.get("/api/counts", params={"camera": "gate"}).status_code == 403
        assert ana.get("/api/counts", params={"camera": "hall"}).status_code == 200


def test_counts_need_sign_in(anon: TestClient) -> None:
    assert anon.get("/api/counts", params={"camera": "gate"}).status_code == 401
