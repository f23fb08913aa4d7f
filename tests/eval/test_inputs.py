"""Ground-truth files, counting lines and default rules of ``kuzet eval``."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.core.errors import ConfigError
from kuzet.eval.counts import parse_line
from kuzet.eval.defaults import (
    available_kinds,
    camera_types,
    check_camera_types,
    check_producible,
    config_with_rules,
    default_config,
)
from kuzet.eval.expected import read_expected

HEADER = "type,start_s,end_s,x1,y1,x2,y2,note\n"


def _csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "clip.events.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "relative", "pixels"),
    [
        ("crowd,1,2,,,,,dense\n", False, None),
        ("crowd,1,2,0.1,0.2,0.5,1.0,\n", True, (64.0, 96.0, 320.0, 480.0)),
        ("crowd,1,2,10,20,50,100,\n", False, (10.0, 20.0, 50.0, 100.0)),
        # one pixel value above 1 makes the whole file pixels
        ("crowd,1,2,0,0,1,1,\ncrowd,3,4,0,0,2,1,\n", False, (0.0, 0.0, 1.0, 1.0)),
    ],
)
def test_box_units_are_decided_per_file(
    tmp_path: Path, body: str, relative: bool, pixels: tuple[float, ...] | None
) -> None:
    parsed = read_expected(_csv(tmp_path, body))
    assert parsed.relative is relative
    assert parsed.in_pixels(640, 480)[0].box == pixels


def test_end_defaults_to_start_and_note_is_kept(tmp_path: Path) -> None:
    row = read_expected(_csv(tmp_path, "camera_tamper,7.5,,,,,,lens covered\n")).rows[0]
    assert (row.type, row.start_s, row.end_s, row.note) == (
        "camera_tamper",
        7.5,
        7.5,
        "lens covered",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("dancing,1,2,,,,,\n", "unknown event type"),
        ("crowd,x,2,,,,,\n", "start_s must be a number"),
        ("crowd,5,2,,,,,\n", "before start_s"),
        ("crowd,1,2,1,2,,,\n", "all of x1,y1,x2,y2"),
        ("crowd,1,2,5,5,1,1,\n", "x2 > x1"),
    ],
)
def test_bad_rows_name_the_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        read_expected(_csv(tmp_path, body))
    assert ":2:" in str(info.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        read_expected(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("0,0.5,1,0.5", (0.0, 0.5, 1.0, 0.5)),
        ("0,180,640,180", (0.0, 0.5, 1.0, 0.5)),
        ("320,0,320,360", (0.5, 0.0, 0.5, 1.0)),
    ],
)
def test_parse_line(text: str, line: tuple[float, ...]) -> None:
    assert parse_line(text, 640, 360) == pytest.approx(line)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0,1,2", "4 numbers"),
        ("a,b,c,d", "numbers"),
        ("0,0,700,10", "outside"),
        ("5,5,5,5", "differ"),
    ],
)
def test_parse_line_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_line(text, 640, 360)


def test_available_kinds_include_zone_presence() -> None:
    assert "zone_presence" in available_kinds()


def test_default_config_covers_expected_types() -> None:
    config = default_config(["zone_presence"])
    rules = config.cameras["eval"].rules
    assert [r.kind for r in rules] == ["zone_presence"]


@pytest.mark.parametrize("kind", ["fight", "face_match", "plate_hit"])
def test_types_no_rule_produces_are_named(kind: str) -> None:
    with pytest.raises(ConfigError, match=kind):
        default_config(["zone_presence", kind])


def test_line_types_need_a_config() -> None:
    with pytest.raises(ConfigError, match="--config"):
        default_config(["line_crossing"])


def test_check_producible_maps_wrong_way_to_the_line_rule() -> None:
    check_producible(["wrong_way"], ["line_crossing"], "here")
    with pytest.raises(ConfigError, match="wrong_way"):
        check_producible(["wrong_way"], ["zone_presence"], "here")


@pytest.mark.parametrize(
    ("rule", "types"),
    [
        ({}, set()),
        ({"emit_events": True}, {"line_crossing"}),
        ({"directions_forbidden": ["out"]}, {"wrong_way"}),
        ({"emit_events": True, "directions_forbidden": ["in"]}, {"line_crossing", "wrong_way"}),
    ],
)
def test_line_rule_types_follow_its_settings(rule: dict[str, object], types: set[str]) -> None:
    if "line_crossing" not in available_kinds():
        pytest.skip("the line_crossing rule is not in this tree")
    cfg = config_with_rules(
        [{"kind": "line_crossing", "id": "l", "line": "road", **rule}],
        lines={"road": {"start": (0, 0.5), "end": (1, 0.5)}},
    )
    cam = cfg.cameras["eval"]
    assert camera_types(cam) == types
    if types != {"line_crossing", "wrong_way"}:
        with pytest.raises(ConfigError, match="emit_events"):
            check_camera_types(["line_crossing", "wrong_way"], cam, "eval")
