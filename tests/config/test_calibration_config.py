"""Camera calibration at config check: good points load; bad ones name their key."""

from __future__ import annotations

import json
import textwrap

import pytest

from kuzet.config.errors import InvalidConfigError
from kuzet.config.load import load_config_text

GOOD = [((0.1, 0.9), (0, 0)), ((0.9, 0.9), (10, 0)), ((0.6, 0.4), (10, 30)), ((0.4, 0.4), (0, 30))]
Pairs = list[tuple[tuple[float, float], tuple[float, float]]]


def _config(points: Pairs, **extra: float) -> str:
    cal = {"points": [{"image": list(i), "ground": list(g)} for i, g in points], **extra}
    return textwrap.dedent(f"""
        cameras:
          road:
            source: {{url: a.mp4}}
            calibration: {json.dumps(cal)}
    """).lstrip("\n")


def test_good_calibration_loads() -> None:
    cfg = load_config_text(_config(GOOD), "t.yml", {})
    cal = cfg.cameras["road"].calibration
    assert cal is not None and len(cal.points) == 4
    assert cal.fit().rms_m == pytest.approx(0, abs=1e-9)


def _with(index: int, image: tuple[float, float] | None = None,
          ground: tuple[float, float] | None = None) -> Pairs:
    out = list(GOOD)
    old_image, old_ground = out[index]
    out[index] = (image or old_image, ground or old_ground)
    return out


@pytest.mark.parametrize(
    ("points", "extra", "path", "message"),
    [
        pytest.param(_with(1, image=(0.5, 0.5))[:3] + [((0.9, 0.1), (5, 5))], {},
                     "cameras.road.calibration.points", "image points [0, 1, 2] are collinear",
                     id="collinear-image"),
        pytest.param(_with(2, ground=(20, 0)), {}, "cameras.road.calibration.points",
                     "ground points [0, 1, 2] are collinear", id="collinear-ground"),
        pytest.param([*GOOD, ((0.5, 0.6), (2, 3))], {"max_error": 0.5},
                     "cameras.road.calibration.points", "inconsistent", id="inconsistent"),
        pytest.param(GOOD[:3], {}, "cameras.road.calibration.points", "at least 4",
                     id="three-points"),
        pytest.param(_with(3, image=(1.4, 0.4)), {}, "cameras.road.calibration.points[3].image",
                     "", id="outside-frame"),
    ],
)
def test_bad_calibration_is_refused_naming_the_key(
    points: Pairs, extra: dict[str, float], path: str, message: str
) -> None:
    with pytest.raises(InvalidConfigError) as info:
        load_config_text(_config(points, **extra), "t.yml", {})
    issues = info.value.errors
    assert any(i.path.startswith(path) and message in i.message for i in issues), issues
    assert all(i.line is not None for i in issues)


def test_speeding_rule_needs_a_calibration() -> None:
    text = textwrap.dedent("""
        cameras:
          road:
            source: {url: a.mp4}
            zones:
              lane: {points: [[0, 0], [1, 0], [1, 1], [0, 1]]}
            rules:
              - {kind: speeding, id: fast, zone: lane, limit_kmh: 60}
    """).lstrip("\n")
    with pytest.raises(InvalidConfigError) as info:
        load_config_text(text, "t.yml", {})
    assert any("calibration" in i.message and i.path.endswith("rules[0].kind")
               or "calibration" in i.message for i in info.value.errors)
