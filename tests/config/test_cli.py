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


HELMET_CONFIG = """\
cameras:
  site:
    source: {{url: site.mp4}}
    detect:
      model: {{type: yolo, path: {model}}}
      classes: {classes}
    zones:
      gate: {{points: [[0, 0], [1, 0], [1, 1], [0, 1]]}}
    rules:
      - {{kind: zone_presence, id: helmets, zone: gate, classes: {rule_classes}}}
"""


@pytest.mark.parametrize(
    ("classes", "rule_classes", "code", "expected"),
    [
        pytest.param("[helmet, vest]", "[helmet]", 0, ["OK: 1 cameras, 1 rules"], id="own-classes"),
        pytest.param(
            "[helmet, hat]", "[person]", 1,
            ["cfg.yml:6: cameras.site.detect.classes: unknown class names ['hat']; "
             "the yolo model's classes are ['helmet', 'vest']",
             "cfg.yml:10: cameras.site.rules[0].classes: unknown class names ['person']"],
            id="unknown",
        ),
    ],
)
def test_check_uses_the_models_own_classes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    classes: str,
    rule_classes: str,
    code: int,
    expected: list[str],
) -> None:
    from yolo_models import helmet_model

    model = helmet_model(tmp_path / "helmet.onnx")
    monkeypatch.chdir(tmp_path)
    text = HELMET_CONFIG.format(model=model, classes=classes, rule_classes=rule_classes)
    Path("cfg.yml").write_text(text)
    result = runner.invoke(app, ["config", "check", "cfg.yml"])
    assert result.exit_code == code, result.output
    for line in expected:
        assert line in result.output


def test_check_reports_an_unreadable_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.onnx").write_text("not onnx")
    Path("cfg.yml").write_text(HELMET_CONFIG.format(model="bad.onnx", classes="[a]",
                                                    rule_classes="[a]"))
    result = runner.invoke(app, ["config", "check", "cfg.yml"])
    assert result.exit_code == 1
    assert "cfg.yml:5: cameras.site.detect.model: cannot read YOLO model bad.onnx" in result.output
