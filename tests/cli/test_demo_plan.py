"""`kuzet demo` start-up: the demo's site plan, drawn from code, with the demo cameras on it."""

from __future__ import annotations

from pathlib import Path

from kuzet.cli.run import _demo_plan
from kuzet.config.load import load_config
from kuzet.maps.plans import SitePlans
from kuzet.runtime.paths import demo_config_path
from kuzet.store import MediaStore, open_store


def test_demo_start_up_places_the_demo_cameras_on_a_drawn_plan(tmp_path: Path) -> None:
    store = open_store(None, tmp_path)
    try:
        _demo_plan(store.engine, tmp_path)
        _demo_plan(store.engine, tmp_path)  # a second start keeps the first plan
        plans = SitePlans(store.engine, MediaStore(tmp_path / "media"))
        [plan] = plans.list_plans()
        assert (tmp_path / "media" / plan.media_key).is_file()
        cameras = list(load_config(demo_config_path()).cameras)
        assert sorted(p.camera_id for p in plans.placements()[plan.id]) == sorted(cameras)
    finally:
        store.close()
