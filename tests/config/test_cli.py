"""`kuzet config check` and `kuzet config schema`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.cli import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        pytest.param(None, 0, ["OK: 2 cameras, 2 rules"], id="demo"),
        pytest.param(
            "cameras:\n  a:\n    source: {url: a}\n    detect: {fsp: 1}\napi: {port: x}\n",
            1,
            ["cfg.yml:4: cameras.a.detect.fsp: unknown key", "cfg.yml:5: api.port: "],
            id="errors",
        ),
        pytest.param("cameras: [\n", 1, ["cfg.yml:2:1: "], id="syntax"),
    ],
)
def test_check(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str | None,
    code: int,
    expected: list[str],
) -> None:
    monkeypatch.delenv("KUZET_DEMO_VIDEO", raising=False)
    path = REPO / "examples" / "demo.yml"
    if text is not None:
        monkeypatch.chdir(tmp_path)
        path = Path("cfg.yml")
        path.write_text(text)
    result = runner.invoke(app, ["config", "check", str(path)])
    assert result.exit_code == code, result.output
    for line in expected:
        assert line in result.output


def test_schema_is_json_of_the_model() -> None:
    result = runner.invoke(app, ["config", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "KuzetConfig"
    assert "cameras" in schema["required"]
