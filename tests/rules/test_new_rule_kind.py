"""A rule kind is its config module plus its rule module; no central file is edited.

The test writes a kind that exists nowhere else (``many_objects``: at least
``min_count`` tracked objects in view) into a copy of the installed ``kuzet``
package, exactly where a developer would put it, and runs a fresh interpreter
on that copy: the kind loads from YAML, builds, runs on Observations, raises
events of its own kind, and shows up in the generated config docs, the eval
harness, the SQLite store and the events API's kind filter. The shipped kinds
are checked for the same wiring.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kuzet
from kuzet.config.rules import RULE_MODELS, event_rule_kinds, kind_of, known_event_kinds
from kuzet.core.types import EventKind
from kuzet.rules.catalog import rule_kinds

CONFIG_MODULE = '''"""Many objects rule settings (``kind: many_objects``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class ManyObjectsRuleConfig(RuleBase):
    """At least `min_count` tracked objects in view."""

    kind: Literal["many_objects"] = "many_objects"
    event_kinds: ClassVar[tuple[str, ...]] = ("many_objects",)
    min_count: int = Field(default=2, ge=1, description="Objects in view that raise the event.")
'''

RULE_MODULE = '''"""Many objects: an event while at least ``min_count`` objects are in view."""

from __future__ import annotations

from datetime import tzinfo

from kuzet.config.rules.many_objects import ManyObjectsRuleConfig
from kuzet.core.types import Event, EventKind, Observation
from kuzet.events.lifecycle import EventContent, EventPolicy, EventSpec, EventTracker
from kuzet.rules.protocol import RuleContext, RuleKind


class ManyObjectsRule:
    kind = EventKind("many_objects")

    def __init__(self, camera_id: str, cfg: ManyObjectsRuleConfig, tz: tzinfo | None) -> None:
        self.id = cfg.id
        self.cfg = cfg
        policy = EventPolicy(cooldown=cfg.cooldown, active_hours=cfg.active_hours, tz=tz)
        self._events = EventTracker(EventSpec(camera_id, self.kind, cfg.id, cfg.severity), policy)

    def update(self, obs: Observation) -> list[Event]:
        count = len(obs.detections)
        event = None
        if count >= self.cfg.min_count:
            content = EventContent(attrs={"count": count})
            event = self._events.open("view", obs.ts, obs.wall, content)
        elif self._events.is_open("view"):
            event = self._events.close("view", obs.ts, obs.wall)
        return [] if event is None else [event]

    def forget(self, track_id: int) -> None:
        pass

    def close_all(self, ts: float, wall: float) -> list[Event]:
        return self._events.close_all(ts, wall)


def build(ctx: RuleContext, cfg: ManyObjectsRuleConfig) -> ManyObjectsRule:
    return ManyObjectsRule(ctx.camera_id, cfg, ctx.tz)


RULE_KINDS = (RuleKind(ManyObjectsRuleConfig, build),)
'''

SCRIPT = '''
import json, sys
from pathlib import Path

import kuzet
from kuzet.api.routers.events import EventFilters
from kuzet.config.docs import render_docs
from kuzet.config.load import load_config_text
from kuzet.core.types import Detections, Observation
from kuzet.core.errors import ConfigError
from kuzet.eval.defaults import available_kinds, camera_types, default_config
from kuzet.rules import build_rules
from kuzet.store import EventQuery
from kuzet.store.db import open_store

YAML = """
cameras:
  gate:
    source: {url: gate.mp4}
    rules:
      - kind: many_objects
        id: busy
        min_count: 2
        cooldown: 0
"""
cam = load_config_text(YAML, "new_kind.yaml", {}).cameras["gate"]
(rule,) = build_rules("gate", cam, (480, 640))


def observe(ts, n):
    boxes = [[40.0 * i, 100.0, 40.0 * i + 30, 200.0] for i in range(n)]
    dets = Detections(xyxy=boxes, score=[0.9] * n, class_id=[0] * n,
                      track_id=list(range(1, n + 1)), class_names=("person",))
    return Observation("gate", ts, 1.7e9 + ts, (480, 640), dets)


steps = [(0, 1), (1, 2), (4, 3), (5, 1), (6, 0)]  # (ts, objects in view)
events = [e for ts, n in steps for e in rule.update(observe(ts, n))]
store = open_store(None, Path(sys.argv[1]))
for event in events:
    store.events.upsert(event)
stored = store.events.count(EventQuery(kinds=["many_objects"]))
store.close()
try:
    default_config(["many_objects"])
    no_default = ""
except ConfigError as exc:
    no_default = str(exc)
api_kinds = EventFilters.model_validate({"kind": ["many_objects"]}).to_query().kinds
try:
    EventFilters.model_validate({"kind": ["many_objcts"]})
    typo_rejected = False
except ValueError:
    typo_rejected = True
print(json.dumps({
    "package": kuzet.__file__,
    "model": type(cam.rules[0]).__name__,
    "events": [[str(e.kind), str(e.phase), e.rule_id, e.attrs.get("count")] for e in events],
    "stored": stored,
    "api": [api_kinds, typo_rejected],
    "docs": "| `cameras.<id>.rules[].min_count` |" in render_docs()
            and "(`kind: many_objects`) Objects in view" in render_docs(),
    "eval": ["many_objects" in available_kinds(), sorted(camera_types(cam)), no_default],
}))
'''


@pytest.fixture(scope="module")
def copy_with_new_kind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the installed package with only the two new modules added."""
    root = tmp_path_factory.mktemp("site")
    package = root / "kuzet"
    shutil.copytree(Path(kuzet.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (package / "config" / "rules" / "many_objects.py").write_text(CONFIG_MODULE)
    (package / "rules" / "many_objects.py").write_text(RULE_MODULE)
    return root


def test_a_new_kind_loads_builds_runs_and_is_documented(
    copy_with_new_kind: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(copy_with_new_kind)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "data")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(out["package"]).is_relative_to(copy_with_new_kind)
    assert out["model"] == "ManyObjectsRuleConfig"
    assert out["events"] == [
        ["many_objects", "open", "busy", 2],
        ["many_objects", "update", "busy", 3],
        ["many_objects", "close", "busy", 3],
    ]
    assert out["stored"] == 1
    assert out["api"] == [["many_objects"], True], "the events API filters by the new kind"
    assert out["docs"] is True
    available, types, no_default = out["eval"]
    assert (available, types) == (True, ["many_objects"])
    assert "have no default eval rule: pass --config" in no_default


def test_the_installed_package_does_not_know_the_kind() -> None:
    """Control: the installed package itself does not know ``many_objects``."""
    assert "many_objects" not in {kind_of(m) for m in RULE_MODELS}
    assert "many_objects" not in rule_kinds()


def test_every_shipped_model_has_exactly_one_builder() -> None:
    models = {kind_of(m): m for m in RULE_MODELS}
    assert set(rule_kinds()) == set(models)
    assert all(rule_kinds()[k].config is models[k] for k in models)


def test_shipped_rule_kinds_raise_canonical_event_kinds() -> None:
    canonical = {k.value for k in EventKind}
    assert set(event_rule_kinds()) <= canonical
    assert event_rule_kinds()["wrong_way"] == "line_crossing"
    assert known_event_kinds() == canonical
