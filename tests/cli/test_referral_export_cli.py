"""`kuzet export create` refuses an event whose referral awaits a second person, and signs
who verified it into the manifest once verified."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from kuzet.core.types import Event, EventKind, EventPhase, Severity
from kuzet.response.actor import Actor
from kuzet.response.planning import ActionRequest
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, Verdict
from kuzet.store import open_store

ANA, SUE = Actor("ana", "u-ana"), Actor("sue", "u-sue", supervisor=True)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "kuzet.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_cli_export_waits_for_verification(tmp_path: Path) -> None:
    store = open_store(None, tmp_path)
    event = Event(id="ev-r", camera_id="gate", kind=EventKind.SMOKING, rule_id="smoke",
                  phase=EventPhase.CLOSE, started_at=datetime.now(UTC),
                  severity=Severity.ALERT)
    store.events.upsert(event)
    service = ResponseService(store.engine)
    service.open_alarm(event)
    service.act("ev-r", ActionRequest(Action.ACKNOWLEDGE), ANA)
    service.act("ev-r", ActionRequest(Action.RESOLVE, verdict=Verdict.REFERRED), ANA)
    out = tmp_path / "e.zip"
    args = ["export", "create", "--event", "ev-r", "--reason", "offence record", "--out",
            str(out), "--data-dir", str(tmp_path)]
    refused = _cli(*args)
    assert refused.returncode == 2 and "not yet verified" in refused.stderr
    assert not out.exists()
    service.referrals.decide("ev-r", True, "checked", SUE)
    done = _cli(*args)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        (referral,) = json.loads(archive.read("manifest.json"))["referrals"]
    assert (referral["referred_by"], referral["checked_by"]) == ("ana", "sue")
    store.close()
