"""Snapshots are redacted unless the viewer may unmask and holds an active grant."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from api_factories import make_event, make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app
from kuzet.config.privacy import PrivacyConfig
from kuzet.core.types import Evidence
from kuzet.privacy.redaction import Redactor, Regions, head_regions
from kuzet.privacy.snapshots import redacted_key
from kuzet.privacy.unmask import GrantRequest, UnmaskGrants
from kuzet.render.jpeg import decode_jpeg, encode_jpeg

PERSON = np.array([[120, 40, 200, 340]], np.float32)
HEAD = (slice(46, 100), slice(128, 192))  # rows, cols inside the head region
AWAY = (slice(200, 360), slice(300, 640))  # far from the person
KEY = "snapshots/gate/2025/03/01/ev-1.jpg"
REASON = "incident 42 at the north gate"


def _raw_image() -> np.ndarray:
    # 16-px cells of random colour: detail a blur destroys, stable under JPEG re-encoding
    cells = np.random.default_rng(3).integers(0, 255, (360 // 16, 640 // 16, 3), np.uint8)
    return np.kron(cells, np.ones((16, 16, 1), np.uint8))


def _store_event(deps: AppDeps, with_copy: bool = True) -> bytes:
    raw = encode_jpeg(_raw_image(), 95)
    digest = deps.media.put(KEY, raw)
    if with_copy:  # what the camera worker stores: head regions of tracked people blurred
        regions = Regions.of("head", head_regions(PERSON, 0.22))
        deps.media.put(redacted_key(KEY), encode_jpeg(Redactor().apply(_raw_image(), regions), 95))
    deps.store.events.upsert(make_event(evidence=Evidence(KEY, digest)))
    return raw


def _diff(a: bytes, b: bytes) -> tuple[float, float]:
    x, y = (decode_jpeg(j).astype(np.int16) for j in (a, b))
    return float(np.abs(x[HEAD] - y[HEAD]).mean()), float(np.abs(x[AWAY] - y[AWAY]).mean())


def _client(deps: AppDeps, username: str) -> TestClient:
    client = TestClient(create_app(deps))
    client.__enter__()
    sign_in(client, username)
    return client


@pytest.fixture
def users(deps: AppDeps) -> Iterator[dict[str, TestClient]]:
    make_user(deps, "olga", "operator")
    make_user(deps, "sam", "supervisor")
    clients = {name: _client(deps, name) for name in ("olga", "sam")}
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def _get(client: TestClient) -> tuple[bytes, str]:
    resp = client.get("/api/events/ev-1/snapshot.jpg")
    assert resp.status_code == 200, resp.text
    return resp.content, resp.headers["x-kuzet-redacted"]


def test_masked_operator_gets_the_redacted_copy(
    deps: AppDeps, users: dict[str, TestClient]
) -> None:
    raw = _store_event(deps)
    got, flag = _get(users["olga"])
    head, away = _diff(got, raw)
    assert flag == "1"
    assert head > 30, head
    assert away < 3, away
    # an operator cannot unmask at all
    assert users["olga"].post("/api/unmask", json={"reason": REASON}).status_code == 403
    assert _get(users["olga"])[1] == "1"


def test_supervisor_sees_raw_only_while_a_grant_lasts(
    deps: AppDeps, users: dict[str, TestClient]
) -> None:
    raw = _store_event(deps)
    sam = users["sam"]
    assert _get(sam) != (raw, "0")
    assert sam.post("/api/unmask", json={"reason": REASON, "minutes": 5}).status_code == 201
    assert _get(sam) == (raw, "0")
    assert sam.delete("/api/unmask").status_code == 200
    got, flag = _get(sam)
    assert flag == "1" and _diff(got, raw)[0] > 30
    # a grant that expires by itself
    user = deps.auth.users.by_username("sam")
    UnmaskGrants(deps.store.engine).grant(GrantRequest(user.id, "sam", REASON, 0.3))
    assert _get(sam) == (raw, "0")
    time.sleep(0.35)
    assert _get(sam)[1] == "1"
    with deps.store.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT details FROM audit_log WHERE action = 'evidence.view'")
        ).all()
    assert len(rows) == 5 and '"redacted": false' in rows[1][0]


class _FakeRedactor:
    """Blurs the head region only; counts calls; can fail like a missing model."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def redact_jpeg(self, jpeg: bytes) -> bytes:
        self.calls += 1
        if self.fail:
            raise ValueError("centerface model missing")
        regions = Regions.of("face", head_regions(PERSON, 0.22))
        return encode_jpeg(Redactor().apply(decode_jpeg(jpeg), regions), 95)


def test_old_snapshot_is_redacted_on_the_fly_and_cached(
    deps: AppDeps, users: dict[str, TestClient]
) -> None:
    raw = _store_event(deps, with_copy=False)
    fake = _FakeRedactor()
    deps.redactor = fake  # type: ignore[assignment]
    first, _ = _get(users["olga"])
    assert _diff(first, raw)[0] > 30 and _diff(first, raw)[1] < 4  # one more JPEG pass
    assert deps.media.get(redacted_key(KEY)) == first
    assert _get(users["olga"])[0] == first and fake.calls == 1


def test_failed_redaction_is_503_never_the_raw_image(
    deps: AppDeps, users: dict[str, TestClient]
) -> None:
    _store_event(deps, with_copy=False)
    deps.redactor = _FakeRedactor(fail=True)  # type: ignore[assignment]
    resp = users["olga"].get("/api/events/ev-1/snapshot.jpg")
    assert resp.status_code == 503
    assert "centerface model missing" in resp.json()["detail"]
    assert not resp.content.startswith(b"\xff\xd8")
    assert not deps.media.exists(redacted_key(KEY))


FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"


@pytest.mark.models
@pytest.mark.shared
def test_on_the_fly_redaction_blurs_a_real_face(
    deps: AppDeps, users: dict[str, TestClient]
) -> None:
    photos = sorted((FACES / "face_recognition_examples").rglob("*.jpg"))
    if not photos:
        pytest.skip(f"no face photos under {FACES} (shared evaluation data absent)")
    raw = photos[0].read_bytes()
    faces = Redactor().faces.detect(decode_jpeg(raw)).xyxy
    assert len(faces), f"no face found in {photos[0].name}"
    digest = deps.media.put(KEY, raw)
    deps.store.events.upsert(make_event(evidence=Evidence(KEY, digest)))
    got, flag = _get(users["olga"])
    x1, y1, x2, y2 = (int(v) for v in faces[0])
    a, b = decode_jpeg(got).astype(np.int16), decode_jpeg(raw).astype(np.int16)
    assert flag == "1" and a.shape == b.shape
    assert np.abs(a[y1:y2, x1:x2] - b[y1:y2, x1:x2]).mean() > 10


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"reason": "only fifteen ch", "minutes": 5}, 422),
        ({"reason": "a reason of twenty chars", "minutes": 6}, 422),
        ({"reason": "a reason of twenty chars", "minutes": 5}, 201),
    ],
)
def test_unmask_limits_come_from_the_privacy_config(
    deps: AppDeps, users: dict[str, TestClient], body: dict[str, object], status: int
) -> None:
    deps.privacy = PrivacyConfig(unmask_min_reason=20, unmask_max_minutes=5)
    resp = users["sam"].post("/api/unmask", json=body)
    assert resp.status_code == status, resp.text
