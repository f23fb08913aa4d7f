"""Config loader: env substitution, global->camera merge, line-numbered errors."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from kuzet.config.errors import ConfigIssue, InvalidConfigError
from kuzet.config.load import load_config, load_config_text
from kuzet.config.merge import deep_merge
from kuzet.config.root import KuzetConfig
from kuzet.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def load(text: str, env: dict[str, str] | None = None) -> KuzetConfig:
    """Load dedented YAML text as file `t.yml` with an explicit environment."""
    return load_config_text(textwrap.dedent(text).lstrip("\n"), "t.yml", env or {})


def issues_of(text: str, env: dict[str, str] | None = None) -> list[ConfigIssue]:
    with pytest.raises(InvalidConfigError) as info:
        load(text, env)
    assert isinstance(info.value, ConfigError)
    for issue in info.value.errors:
        assert issue.format() in str(info.value)
    return info.value.errors


MINIMAL = """
cameras:
  a:
    source: {url: a.mp4}
"""

ZONE_CAM = """
cameras:
  a:
    source: {url: a.mp4}
    zones:
      z: {points: [[0, 0], [1, 0], [1, 1]]}
    rules:
      - kind: zone_presence
        id: r
        zone: %s
"""


@pytest.mark.parametrize(
    ("text", "path", "line", "fragment"),
    [
        pytest.param(  # typo in a key: exact line, and a suggestion
            "detect:\n  fsp: 3\n" + MINIMAL, "detect.fsp", 2, "did you mean `fps`", id="typo"
        ),
        pytest.param(  # typo inside a camera
            MINIMAL + "    enabld: true\n",
            "cameras.a.enabld",
            4,
            "did you mean `enabled`",
            id="typo-cam",
        ),
        pytest.param(  # wrong type
            MINIMAL + "api:\n  port: eighty\n", "api.port", 5, "valid integer", id="type"
        ),
        pytest.param(  # out of range
            "motion:\n  threshold: 300\n" + MINIMAL, "motion.threshold", 2, "255", id="range"
        ),
        pytest.param(  # missing required key: the parent's line
            "cameras:\n  a:\n    enabled: true\n", "cameras.a.source", 2, "missing", id="missing"
        ),
        pytest.param(  # error in a merged section the camera sets: camera's own line
            MINIMAL + "    detect:\n      fps: 0\n",
            "cameras.a.detect.fps",
            5,
            "greater",
            id="cam-own",
        ),
        pytest.param(  # error in a rule inside a list (union tag dropped from the path)
            ZONE_CAM % "z" + "        min_duration: soon\n",
            "cameras.a.rules[0].min_duration",
            10,
            "valid number",
            id="rule-field",
        ),
        pytest.param(  # rule names an unknown zone
            ZONE_CAM % "nowhere", "cameras.a.rules[0].zone", 9, "zone 'nowhere'", id="zone-ref"
        ),
        pytest.param(  # rule without kind
            MINIMAL + "    rules:\n      - id: r\n", "cameras.a.rules[0]", 5, "`kind`", id="no-kind"
        ),
        pytest.param(
            "cameras:\n  bad id:\n    source: {url: a}\n",
            "cameras.bad id",
            2,
            "letters",
            id="cam-id",
        ),
        pytest.param("cameras: {}\n", "cameras", 1, "at least 1", id="no-cameras"),
        pytest.param(
            MINIMAL + "    timezone: Asia/Almatyy\n", "cameras.a.timezone", 4, "IANA", id="tz",
        ),
    ],
)
def test_validation_error_points_at_line(text: str, path: str, line: int, fragment: str) -> None:
    issues = issues_of(text)
    assert [(i.path, i.line) for i in issues] == [(path, line)]
    assert fragment in issues[0].message
    assert issues[0].format().startswith(f"t.yml:{line}: {path}: ")


def test_error_from_global_section_names_global_key_once() -> None:
    text = "detect:\n  fps: 0\ncameras:\n  a: {source: {url: a}}\n  b: {source: {url: b}}\n"
    issues = issues_of(text)
    assert [(i.path, i.line) for i in issues] == [("detect.fps", 2)]


def test_every_error_is_reported() -> None:
    text = """
    detect:
      fsp: 3
    cameras:
      a:
        source: {url: a.mp4, pace: slow}
        motion: {threshold: -1}
      b:
        enabled: true
    api:
      port: 0
    """
    issues = issues_of(text)
    assert [(i.path, i.line) for i in issues] == [
        ("detect.fsp", 2),
        ("cameras.a.source.pace", 5),
        ("cameras.a.motion.threshold", 6),
        ("cameras.b.source", 7),
        ("api.port", 10),
    ]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        pytest.param("cameras:\n  a:\n    source: {url: a\n", 4, 1, id="unclosed-flow"),
        pytest.param("cameras:\n  a: [1\n  b: 2\n", 3, 4, id="unclosed-seq"),
        pytest.param("cameras:\n\ta: 1\n", 2, 1, id="tab"),
        pytest.param("a: 1\na: 2\n", 2, 1, id="duplicate-key"),
    ],
)
def test_yaml_syntax_error_has_line_and_column(text: str, line: int, column: int) -> None:
    (issue,) = issues_of(text)
    assert (issue.line, issue.column) == (line, column)
    assert issue.format().startswith(f"t.yml:{line}:{column}: ")


@pytest.mark.parametrize("text", ["", "# nothing\n", "- a\n- b\n", "just text\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    (issue,) = issues_of(text)
    assert "mapping" in issue.message and issue.line == 1


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        ("${CAM}", {"CAM": "rtsp://h/s"}, "rtsp://h/s"),
        ("rtsp://u:${PW}@h/s", {"PW": "p4ss"}, "rtsp://u:p4ss@h/s"),
        ("${CAM:-a.mp4}", {}, "a.mp4"),
        ("${CAM:-a.mp4}", {"CAM": ""}, "a.mp4"),
        ("${CAM:-a.mp4}", {"CAM": "b.mp4"}, "b.mp4"),
        ("${A}/${B:-x}/${A}", {"A": "1"}, "1/x/1"),
        ("$${CAM}", {"CAM": "ignored"}, "${CAM}"),
        ("plain $HOME", {}, "plain $HOME"),
    ],
)
def test_env_substitution(url: str, env: dict[str, str], expected: str) -> None:
    config = load(f'cameras:\n  a:\n    source: {{url: "{url}"}}\n', env)
    assert config.cameras["a"].source.url == expected


def test_env_substitution_feeds_numbers() -> None:
    config = load(MINIMAL + "api:\n  port: ${PORT:-9000}\n", {})
    assert config.api.port == 9000


@pytest.mark.parametrize(
    ("text", "path", "line", "name"),
    [
        ('cameras:\n  a:\n    source: {url: "${CAM}"}\n', "cameras.a.source.url", 3, "CAM"),
        (MINIMAL + "api:\n  port: ${PORT}\n", "api.port", 5, "PORT"),
    ],
)
def test_missing_env_var_is_an_error(text: str, path: str, line: int, name: str) -> None:
    issues = issues_of(text)
    assert [(i.path, i.line) for i in issues] == [(path, line)]
    assert f"environment variable {name} is not set" in issues[0].message


@pytest.mark.parametrize(
    ("text", "camera", "expected"),
    [
        pytest.param(  # global key kept, camera key added
            "detect: {fps: 3}\ncameras:\n  a:\n    source: {url: a}\n    detect: {width: 800}\n",
            "a",
            {"detect.fps": 3.0, "detect.width": 800},
            id="add",
        ),
        pytest.param(  # camera key overrides global key
            "detect: {fps: 3, width: 320}\ncameras:\n  a:\n    source: {url: a}\n"
            "    detect: {fps: 8}\n",
            "a",
            {"detect.fps": 8.0, "detect.width": 320},
            id="override",
        ),
        pytest.param(  # camera without the section inherits the global one
            "tracking: {max_lost: 7}\n" + MINIMAL, "a", {"tracking.max_lost": 7.0}, id="inherit"
        ),
        pytest.param(  # lists are replaced, not appended
            "detect: {classes: [person, car]}\ncameras:\n  a:\n    source: {url: a}\n"
            "    detect: {classes: [dog]}\n",
            "a",
            {"detect.classes": ["dog"]},
            id="list",
        ),
        pytest.param(  # the global time zone is inherited ...
            "timezone: Asia/Almaty\n" + MINIMAL, "a", {"timezone": "Asia/Almaty"}, id="tz",
        ),
        pytest.param(  # ... unless the camera sets its own
            "timezone: Asia/Almaty\n" + MINIMAL + "    timezone: Asia/Tokyo\n", "a",
            {"timezone": "Asia/Tokyo"}, id="tz-own",
        ),
        pytest.param(  # nested mappings merge too
            "detect: {filters: {person: {min_score: 0.6}}}\ncameras:\n  a:\n    source: {url: a}\n"
            "    detect: {filters: {person: {min_area: 0.01}}}\n",
            "a",
            {"detect.filters.person.min_score": 0.6, "detect.filters.person.min_area": 0.01},
            id="nested",
        ),
    ],
)
def test_global_sections_merge_under_camera(text: str, camera: str, expected: dict) -> None:
    cam = load(text).cameras[camera]
    for dotted, value in expected.items():
        node = cam
        for part in dotted.split("."):
            node = node[part] if isinstance(node, dict) else getattr(node, part)
        assert node == value, dotted


def test_model_with_other_type_replaces_global_model() -> None:
    merged = deep_merge(
        {"model": {"type": "yolo", "path": "m.onnx"}, "fps": 2}, {"model": {"type": "nanodet"}}
    )
    assert merged == {"model": {"type": "nanodet"}, "fps": 2}


def test_anchor_keys_and_merge_keys() -> None:
    text = """
    x-src: &src
      url: a.mp4
      pace: slowly
    cameras:
      a:
        source:
          <<: *src
          loop: true
    """
    (issue,) = issues_of(text)
    assert (issue.path, issue.line) == ("cameras.a.source.pace", 3)


def test_load_config_reads_files_and_reports_unreadable(tmp_path: Path) -> None:
    good = tmp_path / "ok.yml"
    good.write_text(MINIMAL)
    assert list(load_config(good, env={}).cameras) == ["a"]
    with pytest.raises(InvalidConfigError, match="cannot read config file"):
        load_config(tmp_path / "absent.yml", env={})


def test_demo_config_loads() -> None:
    config = load_config(REPO / "examples" / "demo.yml", env={})
    assert sorted(config.cameras) == ["plaza_1", "plaza_2"]
    for cam in config.cameras.values():
        assert cam.source.url == "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
        assert (cam.source.pace, cam.source.loop, cam.detect.fps) == ("realtime", True, 5.0)
        assert set(cam.zones) == {"centre"} and set(cam.lines) == {"crossing"}
        (rule,) = cam.rules
        assert (rule.id, rule.kind, rule.zone, rule.classes) == (
            "people_in_centre",
            "zone_presence",
            "centre",
            ["person"],
        )
        assert (rule.min_duration, rule.cooldown, rule.close_after) == (2, 20, 3)


LAUGHS = "x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"x-l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 9)
) + "cameras: {a: {source: {url: a.mp4}}}\n"
DEEP = "cameras: {a: {source: {url: a.mp4}}}\nx-deep: " + "[" * 200 + "]" * 200 + "\n"


# (YAML text, key path named, line named, words in the message); before, the
# billion laughs took the loader to gigabytes of memory (issue 14)
HOSTILE = [
    (LAUGHS, "x-l", 1, "alias bomb"),
    (DEEP, "x-deep", 2, "too deep"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "path", "line", "words"), HOSTILE)
def test_hostile_yaml_is_refused_with_file_and_key(
    text: str, path: str, line: int | None, words: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidConfigError) as caught:
        load_config_text(text, "bomb.yml", env={})
    assert time.perf_counter() - started < 5
    (issue,) = caught.value.errors
    assert issue.source == "bomb.yml" and words in issue.message
    assert issue.path.startswith(path) and issue.line == line
    assert str(caught.value).startswith("bomb.yml:")


def test_an_oversized_config_file_is_refused_unread(tmp_path: Path) -> None:
    from kuzet.config.source import MAX_CONFIG_BYTES

    big = tmp_path / "big.yml"
    with big.open("wb") as out:
        out.truncate(MAX_CONFIG_BYTES + 1)  # sparse: nothing to read
    with pytest.raises(InvalidConfigError, match=r"big.yml: config file is \d+ bytes; the limit"):
        load_config(big, env={})
