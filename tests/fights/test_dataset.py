"""Data set layout, source groups and unreadable clips."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from kuzet.core.errors import ConfigError
from kuzet.fights.dataset import RowCache, extract_all, list_clips, read_groups


def _layout(root: Path) -> Path:
    for sub, names in (("fight", ("fi001", "fi002")), ("noFight", ("nofi001", "nofi062"))):
        (root / sub).mkdir(parents=True)
        for name in names:
            (root / sub / f"{name}.mp4").write_bytes(b"not a video")
    (root / "videos.txt").write_text(
        "https://example.org/a\nfi001: 0.1 - 0.3\nnofi001: 1.0 - 1.2\n"
        "https://example.org/b \nfi002: 0.0 - 0.2\n\nnofi060 - nofi065 : CamNet Dataset\n",
        encoding="utf-8",
    )
    return root


def test_groups_from_videos_txt(tmp_path: Path) -> None:
    root = _layout(tmp_path / "data")
    groups = read_groups(root / "videos.txt")
    assert groups["fi001"] == groups["nofi001"] == "https://example.org/a"
    assert groups["fi002"] == "https://example.org/b"
    assert groups["nofi062"] == "CamNet Dataset"
    clips = list_clips(root)
    assert [(c.path.name, c.label) for c in clips] == [
        ("fi001.mp4", 1), ("fi002.mp4", 1), ("nofi001.mp4", 0), ("nofi062.mp4", 0)]
    assert len({c.group for c in clips}) == 3


def test_missing_folders_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a folder"):
        list_clips(tmp_path / "nowhere")
    (tmp_path / "fight").mkdir()
    (tmp_path / "fight" / "a.mp4").write_bytes(b"x")
    with pytest.raises(ConfigError, match="no noFight/ folder"):
        list_clips(tmp_path)
    (tmp_path / "noFight").mkdir()
    with pytest.raises(ConfigError, match="noFight: no video clips"):
        list_clips(tmp_path)


def test_unreadable_clips_are_skipped_and_named(tmp_path: Path) -> None:
    clips = list_clips(_layout(tmp_path / "data"))
    seen: list[str] = []
    # The clips fail to open before the pose model is ever called.
    done, failed = extract_all(clips, cast(Any, None), RowCache(tmp_path / "cache"),
                               progress=lambda c, s: seen.append(s))
    assert done == [] and len(failed) == 4
    assert all(c.path.name in why or "cannot open" in why for c, why in failed)
    assert all(s.startswith("skipped") for s in seen)
