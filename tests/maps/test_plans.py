"""Site plans and placements in a real store and media folder; the demo's plan."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kuzet.maps.demo import DEMO_PLAN_NAME, draw_demo_plan, ensure_demo_plan
from kuzet.maps.images import prepare_plan_image
from kuzet.maps.plans import GeoPlacement, PlanNotFound, PlanPlacement, SitePlans


def _plan_image() -> bytes:
    ok, data = cv2.imencode(".png", np.full((100, 200, 3), 200, np.uint8))
    assert ok
    return data.tobytes()


def test_plan_lifecycle_keeps_rows_and_files_together(plans: SitePlans) -> None:
    row = plans.create("Hall", "HQ", prepare_plan_image(_plan_image()), "admin")
    assert plans.media.exists(row.media_key)
    assert plans.image(row.id)[1] == "image/png"
    plans.place(row.id, PlanPlacement("gate", 0.1, 0.2, heading=30), "admin")
    plans.place(row.id, PlanPlacement("gate", 0.3, 0.4, heading=60), "sam")
    [placed] = plans.placements()[row.id]
    assert (placed.x, placed.y, placed.heading, placed.updated_by) == (0.3, 0.4, 60, "sam")
    assert plans.update(row.id, {"name": "Hall 2", "site": None}).name == "Hall 2"
    assert plans.unplace(row.id, "gate") and not plans.unplace(row.id, "gate")
    plans.place(row.id, PlanPlacement("gate", 0.5, 0.5), "admin")
    plans.delete(row.id)
    assert not plans.media.exists(row.media_key)
    assert plans.placements() == {} and plans.list_plans() == []
    for call in (lambda: plans.get(row.id), lambda: plans.image(row.id),
                 lambda: plans.place(row.id, PlanPlacement("gate", 0, 0), None),
                 lambda: plans.delete(row.id)):
        with pytest.raises(PlanNotFound):
            call()


def test_geo_placements_one_per_camera(plans: SitePlans) -> None:
    plans.place_geo(GeoPlacement("gate", 43.2, 76.9), "admin")
    plans.place_geo(GeoPlacement("gate", 43.3, 76.8, range_m=90), "admin")
    plans.place_geo(GeoPlacement("hall", 51.1, 71.4), "admin")
    assert [(g.camera_id, g.lat, g.range_m) for g in plans.geo()] == [
        ("gate", 43.3, 90), ("hall", 51.1, 40)]
    assert plans.unplace_geo("gate") and not plans.unplace_geo("gate")


def test_demo_plan_is_drawn_once_with_the_cameras_looking_in(plans: SitePlans) -> None:
    image = draw_demo_plan()
    assert image.shape == (800, 1200, 3) and len(np.unique(image.reshape(-1, 3), axis=0)) > 5
    plan_id = ensure_demo_plan(plans, ["plaza_1", "plaza_2"])
    row = plans.get(plan_id)
    assert (row.name, row.site, row.width, row.height) == (DEMO_PLAN_NAME, "demo", 1200, 800)
    placed = {p.camera_id: p for p in plans.placements()[plan_id]}
    assert set(placed) == {"plaza_1", "plaza_2"}
    for p in placed.values():  # each cone points towards the plaza's centre
        towards = np.degrees(np.arctan2(0.5 - p.x, p.y - 0.5)) % 360
        assert abs((p.heading - towards + 180) % 360 - 180) < 15
    plans.place(plan_id, PlanPlacement("plaza_1", 0.5, 0.5), "admin")  # an admin's edit
    assert ensure_demo_plan(plans, ["plaza_1", "plaza_2"]) == plan_id
    assert len(plans.list_plans()) == 1
    assert {p.camera_id: p.x for p in plans.placements()[plan_id]}["plaza_1"] == 0.5
