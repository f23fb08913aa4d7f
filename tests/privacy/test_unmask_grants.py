"""Unmask grants: scope, expiry and early end, on a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kuzet.privacy.unmask import GrantRequest, UnmaskGrants
from kuzet.store import open_store


@pytest.fixture
def grants(tmp_path: Path, db_url: str | None) -> Iterator[UnmaskGrants]:
    store = open_store(db_url, tmp_path)
    yield UnmaskGrants(store.engine)
    store.close()


def test_grant_expires(grants: UnmaskGrants) -> None:
    g = grants.grant(GrantRequest("u1", "ana", "incident 42 at the gate", 60), now=1000.0)
    assert grants.until("u1", "gate", now=1030.0) == 1060.0
    assert grants.until("u1", "gate", now=1060.0) is None  # expired: server-side check
    assert grants.until("u2", "gate", now=1030.0) is None  # someone else's
    assert g.active(1059.9) and not g.active(1060.0)


@pytest.mark.parametrize(
    ("camera", "event", "asked_camera", "asked_event", "covered"),
    [
        (None, None, "gate", None, True),
        ("gate", None, "gate", "e1", True),
        ("gate", None, "hall", None, False),
        (None, "e1", "gate", "e1", True),
        (None, "e1", "gate", None, False),  # an event grant does not unmask live
    ],
)
def test_scope(  # noqa: PLR0913 - one table row
    grants: UnmaskGrants,
    camera: str | None,
    event: str | None,
    asked_camera: str,
    asked_event: str | None,
    covered: bool,
) -> None:
    grants.grant(GrantRequest("u1", "ana", "incident 42", 60, camera, event), now=0.0)
    assert (grants.until("u1", asked_camera, asked_event, now=1.0) is not None) is covered


def test_end_early(grants: UnmaskGrants) -> None:
    grants.grant(GrantRequest("u1", "ana", "incident 42", 600), now=0.0)
    ended = grants.end("u1", now=10.0)
    assert len(ended) == 1
    assert grants.until("u1", "gate", now=11.0) is None
    assert grants.end("u1", now=12.0) == []


def test_bad_request(grants: UnmaskGrants) -> None:
    with pytest.raises(ValueError, match="seconds"):
        grants.grant(GrantRequest("u1", "ana", "  ", 60))
