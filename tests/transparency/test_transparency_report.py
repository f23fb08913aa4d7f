"""The transparency report from demo-like data: counts right, small counts suppressed,
no personal data in the JSON or the HTML, published copy served publicly."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView, make_jpeg
from kuzet.citizen.intake import Submission
from kuzet.config.load import load_config
from kuzet.core.roles import Role
from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.events.bus import Bus
from kuzet.identity.models import FaceMatchRow, WatchlistEntryRow, WatchlistRow
from kuzet.response.actor import Actor
from kuzet.response.planning import ActionRequest
from kuzet.response.states import Action
from kuzet.store import MediaStore, open_store
from kuzet.store.models import HotlistEntryRow, HotlistRow
from kuzet.transparency.report import ReportInput, build
from kuzet.transparency.suppress import cell, group, ratio

PASSWORD = "correct horse battery"
REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Strings that identify people: none may appear in a published report.
PERSONAL = ["Aidar Bekov", "Dana Serikova", "777ABC02", "CASE-2026-118", "+7 701 555 0199",
            "ana.operator", "supervisor.sam", "Broken window at the kiosk", "kiosk"]
NOW = datetime.now(UTC)
PERIOD = NOW.strftime("%Y-%m")
# (kind, verdict or None for still open, how many)
ALARMS = [("zone_presence", "confirmed", 10), ("zone_presence", "false_alarm", 6),
          ("zone_presence", "duplicate", 2), ("zone_presence", "no_action", 3),
          ("loitering", "confirmed", 3),
          ("loitering", None, 1), ("abandoned_object", "false_alarm", 5)]


def _event(i: int, kind: str) -> Event:
    return Event(id=f"ev-{i}", camera_id="plaza_1" if i % 2 else "plaza_2",
                 kind=EventKind(kind), rule_id=kind, phase=EventPhase.CLOSE,
                 started_at=NOW - timedelta(minutes=i), severity=Severity.ALERT)


def _alarms(deps: AppDeps) -> None:
    ana = Actor("ana.operator", "u-ana")
    i = 0
    for kind, verdict, count in ALARMS:
        for _ in range(count):
            i += 1
            deps.response.open_alarm(_event(i, kind))
            if verdict is not None:
                deps.response.act(f"ev-{i}", ActionRequest(Action.ACKNOWLEDGE), ana)
                deps.response.act(f"ev-{i}", ActionRequest(Action.RESOLVE, verdict=verdict), ana)


def _identity(deps: AppDeps) -> None:
    with sessionmaker(deps.store.engine).begin() as s:
        s.add(WatchlistRow(id="wl1", name="Wanted persons", kind="wanted", threshold=0.5,
                           created_at=NOW, updated_at=NOW))
        s.add(HotlistRow(id="hl1", name="Stolen", reason="stolen", priority=1, created_at=NOW))
        s.flush()  # the lists first: entries refer to them
        for n, (name, basis, days) in enumerate([
                ("Aidar Bekov", "Court warrant", 30), ("Dana Serikova", "Court warrant", -3)]
                + [(f"Person {k}", "Missing person report", 60) for k in range(6)]):
            s.add(WatchlistEntryRow(
                id=f"we{n}", watchlist_id="wl1", name=name, legal_basis=basis,
                authority="Almaty court", case_ref="CASE-2026-118", purpose="search",
                owner="supervisor.sam", expires_at=NOW + timedelta(days=days),
                status="active", created_at=NOW - timedelta(days=1), updated_at=NOW))
        s.add(HotlistEntryRow(id="he1", hotlist_id="hl1", plate="777ABC02", match="exact",
                              reason="stolen", priority=1, legal_basis="Theft report",
                              owner="supervisor.sam", expires_at=NOW + timedelta(days=9),
                              status="active", created_at=NOW, updated_at=NOW))
        for n, status in enumerate(["confirmed"] * 6 + ["rejected"] * 2 + ["pending"]):
            s.add(FaceMatchRow(
                id=f"fm{n}", event_id=f"ev-fm{n}", camera_id="plaza_1", track_id=n,
                watchlist_id="wl1", watchlist_name="Wanted persons", watchlist_kind="wanted",
                entry_id="we0", entry_name="Aidar Bekov", photo_id="p0", score=0.3,
                threshold=0.5, quality=0.9, probe_sha256="0" * 64, status=status,
                matched_at=NOW, frame_ts=0.0))


def _audit(deps: AppDeps) -> None:
    for action, count in (("face.search", 7), ("plate.search", 2), ("unmask", 1),
                          ("export.create", 5), ("event.view", 40)):
        for _ in range(count):
            deps.audit.record(action, actor="ana.operator", details={"q": "777ABC02"})


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[AppDeps]:
    config = load_config(REPO / "examples" / "demo.yml", env={})
    store = open_store(None, tmp_path)
    deps = AppDeps(store, MediaStore(tmp_path / "media"), Bus(),
                   FakeLiveView.with_cameras(*config.cameras), cameras=dict(config.cameras),
                   citizen_config=config.citizen.model_copy(update={"pow_bits": 0}))
    _alarms(deps)
    _identity(deps)
    _audit(deps)
    for n in range(2):
        deps.citizen.submit(Submission(
            category="vandalism", description="Broken window at the kiosk",
            occurred_at=NOW - timedelta(minutes=5), lat=43.2389 + n * 0.01, lon=76.9455,
            contact="+7 701 555 0199", photos=[make_jpeg()]))
    yield deps
    store.close()


def _sign_in(client: TestClient, username: str) -> None:
    answer = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]


def _assert_no_personal_data(text: str) -> None:
    found = [p for p in PERSONAL if p.lower() in text.lower()]
    assert not found, f"personal data in the report: {found}"


def test_report_counts_suppression_and_no_personal_data(deps: AppDeps) -> None:
    report = build(ReportInput(deps.store.engine, deps.cameras, deps.transparency), PERIOD)
    _assert_no_personal_data(json.dumps(report))
    assert report["cameras"] == {"total": 2, "by_site_type": {"public_square": 2}}
    zone = report["alarms"]["by_kind"]["zone_presence"]
    assert zone["total"] == 21 and zone["precision"] == pytest.approx(10 / 16, abs=1e-3)
    assert zone["by_verdict"] == {"confirmed": 10, "duplicate": "<5", "false_alarm": 6,
                                  "no_action": "<5"}
    loiter = report["alarms"]["by_kind"]["loitering"]
    assert loiter == {"total": "<5", "by_verdict": {"confirmed": "<5", "open": "<5"},
                      "precision": None}
    # one hidden cell would be total minus the others: the next smallest is hidden too
    assert report["alarms"]["by_kind"]["abandoned_object"]["by_verdict"] == {"false_alarm": 5}
    bio = report["biometrics"]
    assert bio["face_searches"] == 7 and bio["plate_searches"] == "<5"
    assert bio["face_matches"] == 9
    assert bio["face_match_outcomes"] == {"confirmed": 6, "pending": "<5", "rejected": "<5"}
    lists = report["watchlist_entries"]
    assert lists["face"]["Missing person report"] == {"active": 6, "expired": 0}
    assert lists["face"]["Court warrant"] == {"active": "<5", "expired": "<5"}
    assert lists["plate"]["Theft report"] == {"active": "<5", "expired": 0}
    assert (report["unmasks"], report["evidence_exports"]) == ("<5", 5)
    assert report["citizen_reports"]["received"] == "<5"
    assert report["audit_chain"]["verified"] is True and report["audit_chain"]["records"] > 50


def test_cli_writes_html_and_json_and_publish_serves_it(deps: AppDeps, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.run(
        [str(BIN / "kuzet"), "report", "transparency", "--period", PERIOD, "--out", str(out),
         "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    html = (out / f"transparency-{PERIOD}.html").read_text()
    body = json.loads((out / f"transparency-{PERIOD}.json").read_text())
    assert body["alarms"]["total"] == 32  # 30 camera alarms and 2 citizen reports
    assert 'data-testid="audit-status"' in html
    assert "&lt;5" in html
    _assert_no_personal_data(html)
    for name, role in (("aud", Role.AUDITOR), ("op", Role.OPERATOR)):
        deps.auth.users.create(name, PASSWORD, role)
    with TestClient(create_app(deps)) as client:
        assert client.get(f"/transparency/{PERIOD}").status_code == 404
        _sign_in(client, "op")
        assert client.post(f"/api/transparency/{PERIOD}/publish").status_code == 403
        _sign_in(client, "aud")
        assert client.post(f"/api/transparency/{PERIOD}/publish").status_code == 200
    with TestClient(create_app(deps)) as anon:
        page = anon.get(f"/transparency/{PERIOD}")
        assert page.status_code == 200 and "<5" in page.text.replace("&lt;", "<")
        assert anon.get(f"/api/public/transparency/{PERIOD}").json()["period"] == PERIOD
        assert PERIOD in anon.get("/transparency").text
        assert anon.get("/transparency/2026-13").status_code == 404
        _assert_no_personal_data(page.text)


@pytest.mark.parametrize(("value", "k", "shown"), [(0, 5, 0), (1, 5, "<5"), (4, 5, "<5"),
                                                   (5, 5, 5), (2, 3, "<3"), (3, 3, 3)])
def test_cell(value: int, k: int, shown: Any) -> None:
    assert cell(value, k) == shown


@pytest.mark.parametrize(("counts", "shown"), [
    ({"a": 10, "b": 2}, {"a": "≥5", "b": "<5"}),
    ({"a": 10, "b": 2, "c": 3}, {"a": 10, "b": "<5", "c": "<5"}),
    ({"a": 10, "b": 7, "c": 1}, {"a": 10, "b": "≥5", "c": "<5"}),
    ({"a": 10, "b": 0}, {"a": 10, "b": 0}),
])
def test_group_hides_a_lone_small_cell(counts: dict[str, int], shown: dict[str, Any]) -> None:
    assert group(counts, 5) == shown


@pytest.mark.parametrize(("num", "den", "out"), [(8, 10, None), (10, 16, 0.625), (4, 20, None),
                                                 (0, 10, 0.0), (10, 10, 1.0), (3, 4, None)])
def test_ratio(num: int, den: int, out: float | None) -> None:
    assert ratio(num, den, 5) == out
