"""fights / smoking sections: defaults, global -> camera merge, errors with key paths."""

from __future__ import annotations

import textwrap

import pytest

from kuzet.config.errors import InvalidConfigError
from kuzet.config.load import load_config_text
from kuzet.config.root import KuzetConfig


def load(text: str) -> KuzetConfig:
    return load_config_text(textwrap.dedent(text).lstrip("\n"), "t.yml", {})


def test_off_by_default_and_decode_rate_is_detect_fps() -> None:
    cam = load("cameras:\n  a: {source: {url: a.mp4}}\n").cameras["a"]
    assert not cam.fights.enabled and not cam.smoking.enabled
    assert cam.fights.threshold is None
    assert cam.decode_fps == cam.detect.fps == 5.0


def test_global_section_is_the_default_and_a_camera_overrides_keys() -> None:
    config = load(
        """
        fights: {enabled: true, mass_brawl_people: 5}
        cameras:
          a: {source: {url: a.mp4}}
          b:
            source: {url: b.mp4}
            fights: {enabled: false}
            smoking: {enabled: true, fps: 8}
          c:
            source: {url: c.mp4}
            detect: {fps: 15}
            fights: {threshold: 0.7}
        """
    )
    a, b, c = (config.cameras[k] for k in "abc")
    assert a.fights.enabled and a.fights.mass_brawl_people == 5 and a.decode_fps == 10.0
    assert not b.fights.enabled and b.smoking.enabled and b.decode_fps == 8.0
    assert c.fights.threshold == 0.7 and c.fights.mass_brawl_people == 5
    assert c.decode_fps == 15.0  # detection already faster than pose


@pytest.mark.parametrize(
    ("text", "path", "line", "fragment"),
    [
        pytest.param(
            "cameras:\n  a:\n    source: {url: a}\n    fights:\n      threshold: 1.5\n",
            "cameras.a.fights.threshold", 5, "less than or equal to 1", id="threshold",
        ),
        pytest.param(
            "cameras:\n  a:\n    source: {url: a}\n    fights: {pose_size: 250}\n",
            "cameras.a.fights.pose_size", 4, "multiple of 32", id="pose-size",
        ),
        pytest.param(
            "cameras:\n  a:\n    source: {url: a}\n    fights: {min_windows: 0}\n",
            "cameras.a.fights.min_windows", 4, "greater than or equal to 1", id="min-windows",
        ),
        pytest.param(
            "cameras:\n  a:\n    source: {url: a}\n    fights: {mass_brawl: 4}\n",
            "cameras.a.fights.mass_brawl", 4, "did you mean `mass_brawl_people`", id="typo",
        ),
        pytest.param(
            "cameras:\n  a:\n    source: {url: a}\n    smoking:\n      near: 0.3\n",
            "cameras.a.smoking.away", 4, "larger than near", id="away-below-near",
        ),
        pytest.param(
            "smoking:\n  max_hold: 0.2\ncameras:\n  a: {source: {url: a}}\n",
            "smoking.max_hold", 2, "larger than min_hold", id="global-hold-order",
        ),
    ],
)
def test_errors_name_the_key_and_line(text: str, path: str, line: int, fragment: str) -> None:
    with pytest.raises(InvalidConfigError) as info:
        load_config_text(text, "t.yml", {})
    issues = info.value.errors
    assert [(i.path, i.line) for i in issues] == [(path, line)], issues
    assert fragment in issues[0].message
