"""Schemathesis over the OpenAPI spec, as every role, against a real server.

The app runs under uvicorn on 127.0.0.1 with a real SQLite file database and
media store in ``tmp_path``, seeded with an event, a snapshot and a user to act
on. For each operation, Hypothesis draws positive and negative cases from the
spec, a role (each role's own bearer token) and whether path parameters are
replaced by the ids of real rows (so handlers run past the 404). Every
response must: not be a 5xx, have a documented status code, a documented
content type and a body matching the documented schema.

Bounded: ``KUZET_FUZZ_EXAMPLES`` cases per operation and mode (default 16),
about 2 minutes on two busy cores. Failures are collected (no shrinking) and reported
together with a summary line.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, make_jpeg, serve_in_thread
from kuzet.config.citizen import CitizenConfig
from kuzet.config.hotlists import HotlistsConfig
from kuzet.config.metrics import MetricsConfig
from kuzet.config.sectors import SectorConfig
from kuzet.core.sightings import PlateRead
from kuzet.core.types import Event, EventKind, EventPhase, Evidence, Severity
from kuzet.events.bus import Bus
from kuzet.identity.plate_reads import ReadQuery
from kuzet.identity.plates_service import HotlistService
from kuzet.privacy.keys import Signer
from kuzet.privacy.principal import Role
from kuzet.response.shifts import Routing
from kuzet.store import MediaStore, open_store

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("KUZET_FUZZ_EXAMPLES", "16"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Endless streams (covered by tests/api/test_streams.py) would hold a case for ever.
ENDLESS = {("GET", "/api/events/stream"), ("GET", "/api/cameras/{camera_id}/live.mjpg")}
PASSWORD = "correct horse battery"
# Ids of real rows, substituted into path parameters for about half of the cases.
KNOWN = {
    "camera_id": "gate",
    "event_id": "ev-fuzz",
    "username": "victim",
}


@dataclass
class Tally:
    """What the run saw: requests, 5xx and check failures by operation."""

    requests: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the report."""
        return (
            f"fuzz: {self.requests} requests, {self.server_errors} 5xx, "
            f"{len(self.failures)} schema violations; "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


def _seed(deps: AppDeps) -> dict[str, dict[str, str]]:
    """An event with a snapshot, a user to act on, and one bearer token per role."""
    digest = deps.media.put("snapshots/gate/ev-fuzz.jpg", make_jpeg())
    deps.store.events.upsert(
        Event(
            id="ev-fuzz",
            camera_id="gate",
            kind=EventKind.ZONE_PRESENCE,
            rule_id="gate-zone",
            phase=EventPhase.OPEN,
            started_at=datetime(2025, 3, 1, tzinfo=UTC),
            severity=Severity.ALERT,
            evidence=Evidence("snapshots/gate/ev-fuzz.jpg", digest),
        )
    )
    users = deps.auth.users
    users.create("victim", PASSWORD, Role.OPERATOR)
    headers = {}
    for role in Role:
        user = users.create(f"fuzz-{role}", PASSWORD, role)
        secret, _ = deps.auth.tokens.create(user.id, "fuzz", user.principal().permissions, None)
        headers[str(role)] = {"Authorization": f"Bearer {secret}"}
    return headers


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(base URL, OpenAPI spec, (role -> headers, ids of real rows)) of a seeded app."""
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    store = open_store(None, tmp)
    deps = AppDeps(
        store, MediaStore(tmp / "media"), Bus(), FakeLiveView.with_cameras("gate", "hall")
    )
    deps.audit.signer = Signer.load_or_create(tmp / "keys")
    # The public citizen intake and /metrics on, so their routes run past the 404 of
    # "not enabled" (no proof of work: generated bodies can be accepted).
    deps.citizen_config = CitizenConfig(enabled=True, pow_bits=0)
    deps.metrics = MetricsConfig(token="fuzz-metrics-token-0123")
    sectors = {"north": SectorConfig(cameras=["gate"])}
    deps.response.routing = Routing(store.engine, sectors, {"gate": "north"})
    headers = _seed(deps)
    app = create_app(deps)
    with serve_in_thread(app) as url:
        known = _seed_over_http(url, headers[str(Role.ADMIN)], deps)
        yield url, app.openapi(), (headers, known)
    store.close()


def _seed_over_http(url: str, admin: dict[str, str], deps: AppDeps) -> dict[str, str]:
    """A watchlist with an entry, a hotlist with an entry and a plate read that hit it."""
    known = dict(KNOWN)
    until = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    governance = {"legal_basis": "CPC art. 253", "owner": "kim", "expires_at": until}

    def post(path: str, body: dict[str, Any]) -> str:
        resp = requests.post(url + path, json=body, headers=admin, timeout=10)
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])

    watchlist = post("/api/watchlists", {"name": "fuzz"})
    known["watchlist_id"] = watchlist
    known["entry_id"] = post(
        f"/api/watchlists/{watchlist}/entries",
        {"name": "X", "authority": "court", "case_ref": "K-1", "purpose": "search", **governance},
    )
    hotlist = post("/api/hotlists", {"name": "fuzz", "reason": "stolen"})
    known["hotlist_id"] = hotlist
    known["hotlist_entry_id"] = post(
        f"/api/hotlists/{hotlist}/entries", {"plate": "123AB01", "reason": "stolen", **governance}
    )
    service = HotlistService(deps.store.engine, deps.media, deps.bus, HotlistsConfig())
    read = PlateRead(
        "gate", 5, 1.0, datetime.now(UTC).timestamp(), "123AB01", 0.9, "KZ", "car",
        (10.0, 10.0, 60.0, 25.0), make_jpeg(50, 15),
    )  # fmt: skip
    service.handle(read)
    known["plate_read_id"] = service.reads.search(ReadQuery(None, None, None, None, 1))[0]["id"]
    start = datetime.now(UTC)
    known["shift_id"] = post("/api/shifts", {
        "username": "victim", "sectors": ["north"], "start": start.isoformat(),
        "end": (start + timedelta(hours=8)).isoformat()})
    known["delivery_id"] = deps.integrations.queue.enqueue(["gone"], "alarm", "{}", start)[0]
    return known


def _operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    ops = [(m.upper(), p) for p, item in spec["paths"].items() for m in item]
    return [op for op in ops if op not in ENDLESS]


def _run_operation(
    operation: Any, mode: GenerationMode, ctx: tuple[str, Any], tally: Tally
) -> None:
    url, (headers, known_ids) = ctx
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        role=st.sampled_from(sorted(headers)),
        known=st.booleans(),
    )
    def fuzz(case: Any, role: str, known: bool) -> None:
        if known and case.path_parameters:
            for name in case.path_parameters:
                if name in known_ids:
                    case.path_parameters[name] = known_ids[name]
        response = case.call(
            base_url=url, session=session, headers=headers[role], timeout=10, allow_redirects=False
        )
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        tally.server_errors += response.status_code >= 500
        try:
            case.validate_response(response, checks=CHECKS, headers=headers[role])
        except (Failure, FailureGroup) as exc:  # collected, reported together
            key = f"{operation.method.upper()} {operation.path} -> {response.status_code}"
            tally.failures.setdefault(key, f"{role} {mode}: {str(exc)[:700]}")

    try:
        fuzz()
    except Unsatisfiable:  # negative mode on an operation without inputs: nothing to break
        assert mode is GenerationMode.NEGATIVE, operation.path


def test_api_fuzz_every_role(served: tuple[str, dict[str, Any], Any]) -> None:
    url, spec, seeded = served
    schema = schemathesis.openapi.from_dict(spec)
    tally = Tally()
    for method, path in _operations(spec):
        operation = schema[path][method]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run_operation(operation, mode, (url, seeded), tally)
    print("\n" + tally.summary())
    for key, text in sorted(tally.failures.items()):
        print(f"--- {key}\n{text}")
    assert tally.server_errors == 0 and not tally.failures, tally.summary()
