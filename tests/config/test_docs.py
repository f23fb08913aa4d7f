"""docs/config.md is generated from the models and must match the committed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.config.docs import render_docs, walk
from kuzet.config.docs_text import EXAMPLE_YAML
from kuzet.config.load import load_config_text
from kuzet.config.root import KuzetConfig

DOC = Path(__file__).resolve().parents[2] / "docs" / "config.md"


def test_committed_docs_match_the_models() -> None:
    assert DOC.read_text(encoding="utf-8") == render_docs(), (
        "docs/config.md is stale: run `python -m kuzet.config.docs > docs/config.md`"
    )


def test_every_key_has_a_description() -> None:
    missing = [key.path for key in walk(KuzetConfig) if not key.description]
    assert missing == []


@pytest.mark.parametrize(
    "path",
    [
        "version",
        "cameras.<id>.source.url",
        "cameras.<id>.zones.<name>.points",
        "cameras.<id>.rules[].kind",
        "cameras.<id>.rules[].min_duration",
        "detect.model.path",
        "detect.filters.<class>.min_area",
        "events.mqtt.password",
        "runtime.queue_size",
    ],
)
def test_reference_lists_key(path: str) -> None:
    assert f"| `{path}` |" in render_docs()


def test_full_example_is_valid() -> None:
    env = {"ENTRANCE_PASSWORD": "s3cret", "PGPASSWORD": "pg"}
    config = load_config_text(EXAMPLE_YAML, "example", env)
    entrance = config.cameras["entrance"]
    assert (entrance.detect.fps, entrance.detect.width) == (5.0, 800)
    assert config.cameras["lobby_file"].motion.threshold == 30
    assert config.api.port == 8800
