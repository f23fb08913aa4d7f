"""`GET /metrics`: token-protected, and parsed by prometheus_client's own text parser."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from api_factories import make_event
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from citizen_factories import citizen_deps, report_body
from kuzet.api import AppDeps, create_app
from kuzet.api.testing import FakeLiveView
from kuzet.config.metrics import MetricsConfig
from kuzet.core.health import CameraState
from kuzet.response.actor import Actor
from kuzet.response.planning import ActionRequest
from kuzet.response.states import Action
from kuzet.runtime.messages import DetectorStats

TOKEN = "metrics-token-0123456789"


@dataclass
class LiveWithDetectors(FakeLiveView):
    """The fake live view plus the supervisor's ``detector_stats``."""

    def detector_stats(self) -> list[DetectorStats]:
        return [DetectorStats(0, 1200, 3, 7, 41.5), DetectorStats(1, 900, 0, 2, 38.0)]


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[AppDeps]:
    deps = citizen_deps(tmp_path)
    live = LiveWithDetectors(dict(FakeLiveView.with_cameras(*deps.cameras).health))
    live.health["depot"] = replace(live.health["depot"], state=CameraState.OFFLINE, fps_in=0.0)
    deps.live = live
    deps.metrics = MetricsConfig(token=TOKEN)
    yield deps
    deps.store.close()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_parse_and_carry_the_figures(deps: AppDeps) -> None:
    clock = deps.response.clock
    for i, camera in enumerate(("square-north", "square-east", "depot")):
        deps.response.open_alarm(make_event(id=f"ev-{i}", camera_id=camera))
    deps.response.clock = lambda: clock() + timedelta(seconds=45)
    deps.response.act("ev-0", ActionRequest(Action.ACKNOWLEDGE), Actor("ana"))
    with TestClient(create_app(deps)) as client:
        assert client.post("/api/public/reports", json=report_body(client)).status_code == 201
        client.post("/api/public/reports", content=b"{", headers={"content-type": "x"})
        answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    got = _samples(answer.text)
    assert got[("kuzet_cameras_online", ())] == 2
    assert got[("kuzet_cameras", (("state", "offline"),))] == 1
    assert got[("kuzet_camera_fps", (("camera", "square-north"), ("stage", "decoded")))] == 10
    assert got[("kuzet_detector_latency_ms", (("worker", "0"),))] == 41.5
    assert got[("kuzet_detector_queue_drops_total", (("why", "full"), ("worker", "0")))] == 7
    assert got[("kuzet_alarms", (("state", "new"),))] == 3  # two camera alarms + the report
    assert got[("kuzet_alarms", (("state", "acknowledged"),))] == 1
    ack = "kuzet_alarm_time_to_acknowledge_seconds"
    assert got[(f"{ack}_count", ())] == 1 and got[(f"{ack}_sum", ())] == pytest.approx(45, abs=1)
    assert got[(f"{ack}_bucket", (("le", "30.0"),))] == 0
    assert got[(f"{ack}_bucket", (("le", "60.0"),))] == 1
    assert got[("kuzet_disk_free_bytes", (("path", "media"),))] > 0
    assert got[("kuzet_citizen_reports_accepted_total", ())] == 1
    assert got[("kuzet_citizen_rejections_total", (("reason", "malformed"),))] == 1


@pytest.mark.parametrize(("header", "status"), [
    (None, 401), ("Bearer wrong-token-wrong-token", 401), (f"Basic {TOKEN}", 401),
    (f"Bearer {TOKEN}", 200)])
def test_metrics_need_the_token(deps: AppDeps, header: str | None, status: int) -> None:
    headers = {"Authorization": header} if header else {}
    with TestClient(create_app(deps)) as client:
        assert client.get("/metrics", headers=headers).status_code == status


def test_metrics_off_without_token(deps: AppDeps) -> None:
    deps.metrics = MetricsConfig()
    with TestClient(create_app(deps)) as client:
        assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code \
            == 404
