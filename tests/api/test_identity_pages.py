"""Console pages for watchlists, matches and face search: who may open them, and the
header links each role sees (the data itself comes from the JSON API)."""

from __future__ import annotations

import pytest
from api_factories import make_user, sign_in
from fastapi.testclient import TestClient

from kuzet.api import AppDeps, create_app

PAGES = ("/watchlists", "/watchlists/wl-1", "/matches", "/search/faces")
NAV = ("nav-watchlists", "nav-matches", "nav-face-search")


@pytest.mark.parametrize(
    ("role", "allowed", "nav"),
    [
        ("admin", {"/watchlists", "/watchlists/wl-1"}, {"nav-watchlists"}),
        ("supervisor", set(PAGES), set(NAV)),
        ("analyst", {"/search/faces"}, {"nav-face-search"}),
        ("operator", set(), set()),
        ("auditor", set(), set()),
    ],
)
def test_pages_need_their_permission(
    deps: AppDeps, role: str, allowed: set[str], nav: set[str]
) -> None:
    if role != "admin":
        make_user(deps, "someone", role)
    with TestClient(create_app(deps), follow_redirects=False) as client:
        sign_in(client, "admin" if role == "admin" else "someone")
        for path in PAGES:
            resp = client.get(path)
            expected = 200 if path in allowed else 403
            assert resp.status_code == expected, (role, path, resp.status_code)
            if expected == 403:
                assert "lacks" in resp.json()["detail"]
        home = client.get("/", follow_redirects=True, headers={"Accept": "text/html"}).text
        shown = {testid for testid in NAV if f'data-testid="{testid}"' in home}
        assert shown == nav, role


def test_pages_redirect_to_sign_in(anon: TestClient) -> None:
    for path in PAGES:
        resp = anon.get(path)
        assert resp.status_code == 303
        assert resp.headers["location"].startswith("/login?next=")


def test_page_shells_carry_their_scripts_and_forms(client: TestClient) -> None:
    watchlists = client.get("/watchlists").text
    assert 'data-testid="watchlist-form"' in watchlists and "watchlists.js" in watchlists
    page = client.get("/watchlists/wl-1").text
    assert 'data-watchlist-id="wl-1"' in page and 'data-can-manage="true"' in page
    for field in ("legal-basis", "authority", "case-ref", "purpose", "owner", "expires"):
        assert f'data-testid="entry-{field}"' in page
    for script in ("identity.js", "watchlist.js", "identity.css"):
        assert client.get(f"/static/{script}").status_code == 200


def test_supervisor_sees_entries_but_cannot_manage(deps: AppDeps) -> None:
    make_user(deps, "sup", "supervisor")
    with TestClient(create_app(deps)) as client:
        sign_in(client, "sup")
        assert 'data-testid="watchlist-form"' not in client.get("/watchlists").text
        page = client.get("/watchlists/wl-1").text
        assert 'data-can-manage="false"' in page and 'data-testid="entry-form"' not in page
        assert 'data-testid="pending-list"' in client.get("/matches").text
        assert 'data-testid="face-search-form"' in client.get("/search/faces").text
