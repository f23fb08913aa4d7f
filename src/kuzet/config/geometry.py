"""Zones, lines and masks in relative 0-1 coordinates (independent of resolution)."""

from typing import Annotated

from pydantic import Field, field_validator

from kuzet.config.base import KuzetModel

Point = Annotated[
    tuple[Annotated[float, Field(ge=0, le=1)], Annotated[float, Field(ge=0, le=1)]],
    Field(description="A point (x, y), each 0-1 relative to frame width and height."),
]


class ZoneConfig(KuzetModel):
    """A named polygon zone."""

    points: list[Point] = Field(
        min_length=3, description="Polygon vertices (x, y) in 0-1 relative coordinates."
    )
    color: tuple[int, int, int] = Field(
        default=(0, 200, 255), description="BGR colour used when drawing the zone."
    )


class LineConfig(KuzetModel):
    """A named counting line from ``start`` to ``end``.

    Crossing from the left of start->end to its right is direction ``in``.
    """

    start: Point = Field(description="Start point (x, y), 0-1.")
    end: Point = Field(description="End point (x, y), 0-1.")

    @field_validator("end")
    @classmethod
    def _distinct(cls, end: tuple[float, float], info: object) -> tuple[float, float]:
        start = getattr(info, "data", {}).get("start")
        if start is not None and tuple(start) == tuple(end):
            raise ValueError("line start and end must differ")
        return end


class MaskConfig(KuzetModel):
    """A polygon whose area is ignored by motion detection (e.g. trees, a clock)."""

    points: list[Point] = Field(min_length=3, description="Polygon vertices (x, y), 0-1.")
