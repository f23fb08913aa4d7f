"""``kuzet report handover`` (a real subprocess on a real SQLite file) writes a PDF with the
shift's figures and notes, times in the configured zone, and audits the export."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.privacy.audit import AuditLog, AuditQuery
from kuzet.response.actor import Actor
from kuzet.response.handover import HandoverDesk
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, Verdict
from kuzet.store import open_store

ANA = Actor("ana", "u-ana")


def _seed(data_dir: Path) -> None:
    store = open_store(None, data_dir)
    try:
        service = ResponseService(store.engine, AuditLog(store.engine))
        for i, verdict in enumerate([Verdict.CONFIRMED, Verdict.FALSE_ALARM, None]):
            service.open_alarm(Event(
                id=f"ev-{i}", camera_id="gate", kind=EventKind.FIGHT, rule_id="gate-fight",
                phase=EventPhase.OPEN, started_at=datetime.now(UTC), severity=Severity.ALERT))
            service.act(f"ev-{i}", ActionRequest(Action.ACKNOWLEDGE), ANA)
            if verdict is not None:
                service.act(f"ev-{i}", ActionRequest(Action.RESOLVE, verdict=verdict), ANA)
        HandoverDesk(store.engine, service).write_note("Patrol 7 still at the market", ANA)
    finally:
        store.close()


def test_report_handover_writes_a_pdf(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    data = tmp_path / "data"
    _seed(data)
    config = tmp_path / "kuzet.yml"
    config.write_text("timezone: Asia/Almaty\ncameras:\n  gate: {source: {url: gate.mp4}}\n")
    out = tmp_path / "shift.pdf"
    start = (datetime.now(UTC) - timedelta(hours=1)).astimezone().isoformat()
    env = {**os.environ, "KUZET_DATA_DIR": str(data)}
    run = subprocess.run(
        [sys.executable, "-m", "kuzet.cli", "report", "handover", "--from", start,
         "--out", str(out), "--config", str(config)],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "3 alarms" in run.stdout and "1 notes" in run.stdout
    assert out.read_bytes().startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(
        out.read_bytes())).pages).split())
    assert "Asia/Almaty (UTC+05:00)" in text and "Alarms opened 3" in text
    assert "fight 3" in text and "confirmed 1" in text and "false_alarm 1" in text
    assert "Patrol 7 still at the market" in text
    store = open_store(None, data)
    try:
        records = AuditLog(store.engine).list(AuditQuery(action="handover.export")).items
        assert [r.target for r in records] == ["shift.pdf"]
    finally:
        store.close()
    bad = subprocess.run(
        [sys.executable, "-m", "kuzet.cli", "report", "handover", "--from", "yesterday",
         "--out", str(out)], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert bad.returncode != 0 and "ISO 8601" in bad.stderr
