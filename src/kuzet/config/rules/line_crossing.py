"""Line crossing rule settings (``kind: line_crossing``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class LineCrossingRuleConfig(RuleBase):
    """Directional counts per class across a line; optional wrong-way alerts.

    Crossing from the left of the line's start->end to its right is `in`.
    """

    kind: Literal["line_crossing"] = "line_crossing"
    event_kinds: ClassVar[tuple[str, ...]] = ("line_crossing", "wrong_way")
    line: str = Field(description="Name of a line of this camera.")
    classes: list[str] = Field(
        default_factory=lambda: ["person", "bicycle", "car", "motorcycle", "bus", "truck"],
        description="Classes counted.",
    )
    min_distance: float = Field(
        default=0.01, ge=0, le=0.5,
        description=(
            "Hysteresis: how far (fraction of the frame diagonal) a track must be on each "
            "side of the line for a crossing to count."
        ),
    )
    anchor: Literal["bottom", "centre"] = Field(
        default="bottom",
        description=(
            "Point of a box that crosses the line: `bottom` (bottom centre, where the "
            "object meets the ground: right for a line drawn on the road) or `centre` "
            "(box centre: for lines across a view where the bottoms are hidden)."
        ),
    )
    recount_after: float = Field(
        default=10.0, ge=0,
        description="Seconds before the same track may count again in the same direction.",
    )
    directions_forbidden: list[Literal["in", "out"]] = Field(
        default_factory=list,
        description="Crossing in one of these directions raises a `wrong_way` event.",
    )
    emit_events: bool = Field(
        default=False,
        description="Also raise a `line_crossing` event (severity detection) per crossing.",
    )

    def raised_kinds(self) -> frozenset[str]:
        """``line_crossing`` only with ``emit_events``, ``wrong_way`` only with forbidden ones."""
        kinds = {"line_crossing"} if self.emit_events else set()
        if self.directions_forbidden:
            kinds.add("wrong_way")
        return frozenset(kinds)
