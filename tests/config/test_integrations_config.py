"""`response.sectors` and `integrations:` at `config check`: FILE:LINE: key errors."""

from __future__ import annotations

import pytest

from kuzet.config.errors import InvalidConfigError
from kuzet.config.load import load_config_text
from kuzet.config.sectors import sector_of_cameras

BASE = ("cameras:\n  gate: {source: {url: a.mp4}, site: market}\n"
        "  pier: {source: {url: b.mp4}}\n")
HOOK = ("integrations:\n  webhooks:\n    - name: cad\n      url: 'http://cad.local/k'\n"
        "      secret: '%s'\n")
CASES = [
    ("response:\n  sectors:\n    north: {cameras: [yard]}\n",
     "response.sectors.north.cameras", 6, "unknown camera 'yard'"),
    ("response:\n  sectors:\n    north: {sites: [harbour]}\n",
     "response.sectors.north.sites", 6, "no camera has site 'harbour'"),
    ("response:\n  sectors:\n    north: {cameras: [gate]}\n    south: {sites: [market]}\n",
     "response.sectors.south", 7, "already in sector 'north'"),
    ("response:\n  sectors:\n    'no way': {cameras: [pier]}\n",
     "response.sectors.no way", 6, "letters, digits"),
    ("response:\n  sectors:\n    north: {camera: [pier]}\n",
     "response.sectors.north.camera", 6, "did you mean `cameras`"),
    (HOOK % "${UNSET_SECRET:-}", "integrations.webhooks[0].secret", 8, "at least 16"),
    (HOOK % "0123456789abcdef" + "      topics: [alarms]\n",
     "integrations.webhooks[0].topics[0]", 9, "alarm"),
    ("integrations:\n  webhooks:\n    - {name: cad, url: 'ftp://x/', secret: 0123456789abcdefgh}\n",
     "integrations.webhooks[0].url", 6, "scheme"),
    ("integrations:\n  webhooks:\n"
     "    - {name: cad, url: 'http://a/', secret: 0123456789abcdefgh}\n"
     "    - {name: cad, url: 'http://b/', secret: 0123456789abcdefgh}\n",
     "integrations.webhooks", 5, "repeated: ['cad']"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "path", "line", "fragment"), CASES)
def test_errors(text: str, path: str, line: int, fragment: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        load_config_text(BASE + text, "t.yml", env={})
    issues = caught.value.errors
    assert [(i.path, i.line) for i in issues] == [(path, line)], issues
    assert fragment in issues[0].message, issues[0].message


def test_sectors_and_a_secret_from_the_environment() -> None:
    text = BASE + ("response:\n  sectors:\n    north: {name: North, sites: [market]}\n"
                   + HOOK % "${CAD_SECRET}")
    config = load_config_text(text, "t.yml", env={"CAD_SECRET": "s" * 32})
    sites = {cid: cam.site for cid, cam in config.cameras.items()}
    assert sector_of_cameras(config.response.sectors, sites) == {"gate": "north"}
    hook = config.integrations.webhooks[0]
    assert hook.secret == "s" * 32 and hook.wants("escalation") and hook.max_attempts == 8
