"""Evidence exports carry the media the exporter may see (issue 14, finding 1).

An analyst without an unmask grant got the original snapshot in the zip
(``media_redacted: false``, its hash equal to ``snapshot_sha256``) while the
snapshot route gave the same user a blurred image.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from api_factories import bearer, make_event, make_user
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.core.types import Evidence
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.export import verify_export
from kuzet.privacy.keys import Signer
from kuzet.privacy.redaction import Redactor, Regions, head_regions
from kuzet.privacy.snapshots import redacted_key
from kuzet.privacy.unmask import GrantRequest, UnmaskGrants
from kuzet.render.jpeg import encode_jpeg

KEY = "snapshots/gate/2025/03/01/ev-1.jpg"
PERSON = np.array([[120, 40, 200, 340]], np.float32)
REASON = "incident 42 at the north gate"


def _image() -> np.ndarray:
    cells = np.random.default_rng(3).integers(0, 255, (360 // 16, 640 // 16, 3), np.uint8)
    return np.kron(cells, np.ones((16, 16, 1), np.uint8))


class _BrokenRedactor:
    """Stands in for a redactor whose model file is missing."""

    def redact_jpeg(self, jpeg: bytes) -> bytes:
        raise FileNotFoundError("centerface model missing")


@pytest.fixture
def ana(deps: AppDeps, tmp_path: Any) -> Iterator[TestClient]:
    """An analyst (export and unmask permissions, no grant yet), by bearer token."""
    deps.audit.signer = Signer.load_or_create(tmp_path)
    make_user(deps, "ana", "analyst")
    with TestClient(create_app(deps), headers=bearer(deps, "ana")) as client:
        yield client


def _store(deps: AppDeps, with_copy: bool) -> tuple[bytes, bytes | None]:
    raw = encode_jpeg(_image(), 95)
    digest = deps.media.put(KEY, raw)
    copy = None
    if with_copy:  # what the camera worker stores next to the snapshot
        regions = Regions.of("head", head_regions(PERSON, 0.22))
        copy = encode_jpeg(Redactor().apply(_image(), regions), 95)
        deps.media.put(redacted_key(KEY), copy)
    deps.store.events.upsert(make_event(evidence=Evidence(KEY, digest)))
    return raw, copy


def _export(client: TestClient, deps: AppDeps) -> dict[str, Any]:
    resp = client.post("/api/exports", json={"event_id": "ev-1", "reason": "court order 9"})
    assert resp.status_code == 200, resp.text
    assert verify_export(resp.content, deps.audit.signer.public_pem()).ok
    with zipfile.ZipFile(io.BytesIO(resp.content)) as archive:
        names = archive.namelist()
        media = [archive.read(n) for n in names if n.startswith("media/")]
        manifest = json.loads(archive.read("manifest.json"))
        custody = json.loads(archive.read("custody.json"))
    return {"media": media, "listed": manifest.get("media", []), "custody": custody}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_analyst_without_a_grant_exports_the_redacted_image(
    deps: AppDeps, ana: TestClient
) -> None:
    raw, copy = _store(deps, with_copy=True)
    seen = ana.get("/api/events/ev-1/snapshot.jpg")
    assert seen.headers["x-kuzet-redacted"] == "1"
    got = _export(ana, deps)
    assert got["media"] == [seen.content] == [copy]
    assert _sha(got["media"][0]) != deps.store.events.get("ev-1").snapshot_sha256
    assert got["custody"]["media_redacted"] is True
    [item] = got["listed"]
    assert item["exported"] == "redacted" and item["file"] == f"media/{KEY}"
    assert (item["original_sha256"], item["redacted_sha256"]) == (_sha(raw), _sha(copy))


def test_an_unmask_grant_exports_the_original(deps: AppDeps, ana: TestClient) -> None:
    raw, _ = _store(deps, with_copy=True)
    user = deps.auth.users.by_username("ana")
    UnmaskGrants(deps.store.engine).grant(GrantRequest(user.id, "ana", REASON, 60, "gate"))
    got = _export(ana, deps)
    assert got["media"] == [raw] and got["custody"]["media_redacted"] is False
    assert got["listed"][0]["exported"] == "original"
    assert got["listed"][0]["original_sha256"] == _sha(raw)
    [record] = deps.audit.list(AuditQuery(action="export.create")).items
    assert record.details["redacted"] is False and record.details["media"]["original"] == 1


def test_a_snapshot_that_cannot_be_redacted_is_left_out(deps: AppDeps, ana: TestClient) -> None:
    _store(deps, with_copy=False)
    deps.redactor = _BrokenRedactor()  # type: ignore[assignment]
    got = _export(ana, deps)
    assert got["media"] == []
    [item] = got["listed"]
    assert item["exported"] == "omitted" and item["file"] is None
    assert "centerface model missing" in item["reason"]
    assert got["custody"]["media_omitted"] == [item]
