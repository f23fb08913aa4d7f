"""The demo's site plan: a plaza floor plan drawn from code, with the demo cameras on it.

``kuzet demo`` calls :func:`ensure_demo_plan` at start-up: the first time, it
draws the plan (walls, entrances, a fountain, benches, a grid), stores it like
an uploaded plan (through the same checks) and places the demo's cameras with
their view cones looking into the plaza. Later runs find it and leave it (and
any edits an admin made) alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from kuzet.core.types import Image
from kuzet.maps.images import prepare_plan_image
from kuzet.maps.plans import PlanPlacement, SitePlans

DEMO_PLAN_NAME = "Demo plaza"
DEMO_SITE = "demo"
WIDTH, HEIGHT = 1200, 800
# Where the demo cameras stand: corners of the plaza, looking at its centre.
SPOTS = (
    PlanPlacement("", 0.16, 0.78, heading=45.0, fov=70.0, range=0.3),
    PlanPlacement("", 0.84, 0.22, heading=225.0, fov=70.0, range=0.3),
    PlanPlacement("", 0.84, 0.78, heading=315.0, fov=70.0, range=0.3),
    PlanPlacement("", 0.16, 0.22, heading=135.0, fov=70.0, range=0.3),
)
INK = (70, 60, 50)
WALL = (90, 80, 70)
FLOOR = (236, 240, 242)


def _label(image: Image, text: str, at: tuple[int, int], scale: float = 0.7) -> None:
    cv2.putText(image, text, at, cv2.FONT_HERSHEY_SIMPLEX, scale, INK, 2, cv2.LINE_AA)


def draw_demo_plan(width: int = WIDTH, height: int = HEIGHT) -> Image:
    """A plaza floor plan (BGR): outer walls with two entrances, paving grid, fountain,
    benches, a kiosk and labels.

    Example:
        >>> draw_demo_plan().shape
        (800, 1200, 3)
    """
    image = np.full((height, width, 3), 250, np.uint8)
    m = 40
    cv2.rectangle(image, (m, m), (width - m, height - m), FLOOR, -1)
    for x in range(m, width - m, 40):  # paving
        cv2.line(image, (x, m), (x, height - m), (222, 226, 228), 1)
    for y in range(m, height - m, 40):
        cv2.line(image, (m, y), (width - m, y), (222, 226, 228), 1)
    cv2.rectangle(image, (m, m), (width - m, height - m), WALL, 8)
    gap = 90  # entrances: west and east walls
    cv2.line(image, (m, height // 2 - gap), (m, height // 2 + gap), FLOOR, 10)
    cv2.line(image, (width - m, height // 2 - gap), (width - m, height // 2 + gap), FLOOR, 10)
    centre = (width // 2, height // 2)
    cv2.circle(image, centre, 110, (200, 170, 120), -1)  # fountain basin
    cv2.circle(image, centre, 110, WALL, 4)
    cv2.circle(image, centre, 40, (230, 210, 170), -1)
    for dx in (-260, 260):  # benches
        for dy in (-150, 150):
            x, y = centre[0] + dx, centre[1] + dy
            cv2.rectangle(image, (x - 50, y - 10), (x + 50, y + 10), (120, 150, 170), -1)
    cv2.rectangle(image, (width - 260, m + 20), (width - 140, m + 110), (160, 190, 210), -1)
    cv2.rectangle(image, (width - 260, m + 20), (width - 140, m + 110), WALL, 3)
    _label(image, "KIOSK", (width - 242, m + 74), 0.6)
    _label(image, "FOUNTAIN", (centre[0] - 62, centre[1] + 150), 0.7)
    _label(image, "WEST ENTRANCE", (m + 14, height // 2 - gap - 16), 0.6)
    _label(image, "EAST ENTRANCE", (width - m - 200, height // 2 + gap + 30), 0.6)
    _label(image, "DEMO PLAZA - site plan (generated)", (m + 10, height - 12), 0.7)
    _label(image, "N", (width - 30, 30), 0.8)
    cv2.arrowedLine(image, (width - 22, 78), (width - 22, 40), INK, 2, tipLength=0.3)
    return image


def ensure_demo_plan(plans: SitePlans, cameras: list[str], actor: str = "kuzet demo") -> str:
    """The demo plan's id; drawn, stored and given the cameras the first time.

    Args:
        plans: The site plan store.
        cameras: Demo camera ids, placed at the plaza's corners in order (up to four).
        actor: Who the rows name as their author.

    Returns:
        The id of the (existing or new) demo plan.
    """
    for row in plans.list_plans():
        if row.name == DEMO_PLAN_NAME:
            return row.id
    ok, png = cv2.imencode(".png", draw_demo_plan())
    if not ok:
        raise RuntimeError("the demo plan could not be encoded")
    row = plans.create(DEMO_PLAN_NAME, DEMO_SITE, prepare_plan_image(png.tobytes()), actor)
    for camera_id, spot in zip(cameras, SPOTS, strict=False):
        placement = PlanPlacement(camera_id, spot.x, spot.y, spot.heading, spot.fov, spot.range)
        plans.place(row.id, placement, actor)
    return row.id
