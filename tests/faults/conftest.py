"""Fixtures of the fault-injection suite (the rig is in ``fault_rig``); the fault table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_rig import ROWS, Recorder, Rig, write_clip

from kuzet.config.root import KuzetConfig
from kuzet.runtime.system import EmbeddedSystem


@pytest.fixture
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clip") / "scene.mp4")


@pytest.fixture
def make_rig(nanodet_installed: Path) -> Iterator[Callable[..., Rig]]:
    rigs: list[Rig] = []

    def make(config: KuzetConfig, data_dir: Path) -> Rig:
        system = EmbeddedSystem(config, data_dir)
        recorder = Recorder()
        system.bus.subscribe(recorder)
        system.start()
        rig = Rig(system, data_dir, recorder)
        rigs.append(rig)
        rig.wait(rig.online, 90, "the camera online")
        return rig

    yield make
    for rig in rigs:
        rig.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fault table (for the issue note)."""
    if not ROWS:
        return
    write = terminalreporter.write_line
    write("")
    write("fault injection: events published vs stored by id")
    write(f"{'fault':<34} {'published':>9} {'stored':>7} {'recovery_s':>10}  after stop")
    for fault, published, stored, recovery, note in ROWS:
        write(f"{fault:<34} {published!s:>9} {stored:>7} {recovery:>10.1f}  {note}")
