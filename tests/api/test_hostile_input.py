"""Hostile input at the API (issue 14, findings 4 and 11): nothing a caller sends
gets a 500, probes ids, forges its address or skips authentication."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from api_factories import PASSWORD, bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import serve_in_thread
from kuzet.config.security import SecurityConfig
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.keys import Signer


@pytest.fixture
def analyst(deps: AppDeps) -> Iterator[TestClient]:
    """An analyst (export + unmask) who sees only camera ``gate``."""
    make_user(deps, "ana", "analyst", cameras=["gate"])
    deps.store.events.upsert(make_event(id="ev-gate", camera_id="gate"))
    deps.store.events.upsert(make_event(id="ev-hall", camera_id="hall"))
    with TestClient(create_app(deps), headers=bearer(deps, "ana")) as client:
        yield client


REASON = "incident 42 at the gate"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"camera_id": "gate"}, 201),
        ({"event_id": "ev-gate"}, 201),
        ({"camera_id": "hall"}, 404),  # out of scope
        ({"camera_id": "no-such-camera"}, 404),  # unknown: the same answer
        ({"event_id": "ev-hall"}, 404),  # an event of an out-of-scope camera
        ({"event_id": "no-such-event"}, 404),
        ({"camera_id": "gate", "event_id": "ev-hall"}, 404),  # event not on that camera
    ],
)
def test_unmask_grants_only_for_known_in_scope_targets(
    analyst: TestClient, body: dict[str, str], status: int
) -> None:
    """Finding 4: grants for unknown or out-of-scope cameras/events were accepted (201)."""
    answer = analyst.post("/api/unmask", json={"reason": REASON, "minutes": 5, **body})
    assert answer.status_code == status, answer.text
    if status == 404:
        assert analyst.get("/api/unmask").json() == []


def test_unknown_and_out_of_scope_ids_get_the_same_answer(
    analyst: TestClient, deps: AppDeps, tmp_path: Path
) -> None:
    """Finding 11: exporting an out-of-scope camera said 403, an unknown one 404."""
    deps.audit.signer = Signer.load_or_create(tmp_path)
    since = {"since": "2025-03-01T00:00:00Z", "reason": "court order 7"}
    answers = {
        name: analyst.post("/api/exports", json=body)
        for name, body in {
            "hall": {"camera_id": "hall", **since},
            "nope": {"camera_id": "nope", **since},
        }.items()
    }
    assert answers["hall"].status_code == answers["nope"].status_code == 404
    detail = {k: a.json()["detail"].replace(k, "X") for k, a in answers.items()}
    assert detail["hall"] == detail["nope"]
    event_answers = [
        analyst.post("/api/exports", json={"event_id": e, "reason": "court order 7"})
        for e in ("ev-hall", "ev-nope")
    ]
    assert [a.status_code for a in event_answers] == [404, 404]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "t", "expires_days": 5.0466e16},
        {"name": "t", "expires_days": 3651},
        {"name": "t", "expires_days": 0},
        {"name": "t", "expires_days": -1},
        {"name": "t", "expires_days": 5e-324},  # > 0, yet timedelta 0: a 500 (fuzzing)
    ],
)
def test_token_lifetime_is_bounded(client: TestClient, body: dict[str, object]) -> None:
    """Finding 11: ``expires_days: 5.0466e16`` overflowed datetime: a 500."""
    answer = client.post("/api/tokens", json=body)
    assert answer.status_code == 422, answer.text


def test_token_lifetime_at_the_limit_is_accepted(client: TestClient) -> None:
    answer = client.post("/api/tokens", json={"name": "t", "expires_days": 3650})
    assert answer.status_code == 201, answer.text
    expires = datetime.fromisoformat(answer.json()["expires_at"])
    assert (expires - datetime.now(UTC)).days >= 3649


@pytest.mark.parametrize(
    ("path", "params"),
    [("/api/audit", {"before": str(2**70)}), ("/api/audit", {"limit": "1e9"})],
)
def test_numeric_query_parameters_are_bounded(
    deps: AppDeps, path: str, params: dict[str, str]
) -> None:
    make_user(deps, "audrey", "auditor")
    with TestClient(create_app(deps), headers=bearer(deps, "audrey")) as auditor:
        assert auditor.get(path).status_code == 200
        assert auditor.get(path, params=params).status_code == 422


@pytest.mark.parametrize("minutes", [1e300, 241, -5])
def test_unmask_minutes_are_bounded(analyst: TestClient, minutes: float) -> None:
    answer = analyst.post("/api/unmask", json={"reason": REASON, "minutes": minutes})
    assert answer.status_code == 422


def test_failed_sign_in_stores_a_bounded_user_name(anon: TestClient, deps: AppDeps) -> None:
    """Finding 11: a 1 MB user name went into the audit trail whole."""
    huge = "x" * 1_000_000
    answer = anon.post("/auth/login", json={"username": huge, "password": "wrong password"})
    assert answer.status_code == 401
    failed = [r for r in deps.audit.list(AuditQuery()).items if r.action == "auth.login_failed"]
    assert len(failed) == 1
    assert failed[0].actor is not None and len(failed[0].actor) <= 129
    assert failed[0].details["username_length"] == 1_000_000


JSON = {"content-type": "application/json"}
MULTIPART = {"content-type": "multipart/form-data; boundary=b"}
MALFORMED = [
    ("POST", "/api/tokens", {"content": b"{not json", "headers": JSON}),
    ("POST", "/api/tokens", {"json": {"expires_days": "soon"}}),
    ("POST", "/api/unmask", {"json": []}),
    ("PATCH", "/api/users/admin", {"json": {"role": 7}}),
    ("POST", "/api/exports", {"content": b"\xff\xfe", "headers": JSON}),
    ("POST", "/api/entries/e1/photos", {"content": b"--b\r\nbroken", "headers": MULTIPART}),
    ("GET", "/api/events", {"params": {"limit": "many"}}),
    ("GET", "/api/counts", {"params": {"bucket": "x"}}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), MALFORMED)
def test_strangers_get_401_before_any_validation(
    anon: TestClient, method: str, path: str, kwargs: dict[str, object]
) -> None:
    """Finding 11: malformed unauthenticated requests got 422/400, not 401."""
    answer = anon.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == 401, answer.text


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/tokens", "GET, POST"),
        ("PUT", "/api/unmask", "DELETE, GET, POST"),
        ("GET", "/api/events/ev-1/hold", "DELETE, POST"),
        ("PUT", "/healthz", "GET"),
    ],
)
def test_405_answers_list_every_allowed_method(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    """Finding 11: 405 answers named only the first matching route's methods."""
    answer = client.request(method, path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow


def test_forwarded_for_cannot_escape_the_sign_in_throttle(deps: AppDeps) -> None:
    """Finding 11: rotating X-Forwarded-For from 127.0.0.1 escaped the per-address throttle.

    With the default ``api.trusted_proxies`` (none) the header is ignored.
    """
    deps.security = SecurityConfig(ip_max_failures=3, max_failures=100)
    del deps.auth  # rebuilt with the new settings (cached_property)
    statuses = []
    with serve_in_thread(create_app(deps)) as url:
        for n in range(5):
            answer = httpx.post(
                f"{url}/auth/login",
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
                json={"username": "admin", "password": "wrong " + PASSWORD},
            )
            statuses.append(answer.status_code)
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    ips = {r.ip for r in deps.audit.list(AuditQuery()).items if r.action == "auth.login_failed"}
    assert ips == {"127.0.0.1"}


EXTREME_TIMES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "3000-01-01T00:00:00"]


@pytest.mark.parametrize("when", EXTREME_TIMES)
@pytest.mark.parametrize(
    ("path", "who"),
    [("/api/events", "client"), ("/api/counts?camera=gate", "client"),
     ("/api/plates/reads", "analyst")],
)
def test_times_out_of_range_are_422_not_500(
    request: pytest.FixtureRequest, path: str, who: str, when: str
) -> None:
    """``since=9999-12-31T23:59:59-14:00`` overflowed in the conversion to UTC: a 500."""
    caller: TestClient = request.getfixturevalue(who)
    sep = "&" if "?" in path else "?"
    for key in ("since", "until"):
        answer = caller.get(f"{path}{sep}{key}={when.replace('+', '%2B')}")
        assert answer.status_code == 422, answer.text
        assert "time" in answer.text
