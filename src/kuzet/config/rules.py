"""Rule settings: one model per rule kind, chosen by `kind`."""

from typing import Annotated, Literal

from pydantic import Field

from kuzet.config.base import KuzetModel
from kuzet.core.types import Severity

StartHour = Annotated[int, Field(ge=0, le=23)]
EndHour = Annotated[int, Field(ge=0, le=24)]


class RuleBase(KuzetModel):
    """Settings shared by every rule."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Unique rule id within the camera.")
    enabled: bool = Field(default=True, description="Turn the rule off without deleting it.")
    severity: Severity = Field(default=Severity.ALERT, description="alert | detection | critical.")
    cooldown: float = Field(
        default=30.0, ge=0,
        description="Seconds after an event closes before the same rule may open another.",
    )
    active_hours: tuple[StartHour, EndHour] | None = Field(
        default=None,
        description=(
            "[start, end) local hours when the rule is active; [22, 6] wraps midnight, "
            "[8, 24] is 08:00 to midnight, equal hours or null = always."
        ),
    )


class ZonePresenceRuleConfig(RuleBase):
    """Objects of given classes inside a zone for at least `min_duration` seconds."""

    kind: Literal["zone_presence"] = "zone_presence"
    zone: str = Field(description="Name of a zone of this camera.")
    classes: list[str] = Field(default_factory=lambda: ["person"], description="Classes watched.")
    min_duration: float = Field(
        default=3.0, ge=0, description="Seconds an object must stay in the zone."
    )
    min_objects: int = Field(default=1, ge=1, description="Objects needed at the same time.")
    close_after: float = Field(
        default=3.0, ge=0,
        description="Seconds with too few objects before the event closes.",
    )


class LineCrossingRuleConfig(RuleBase):
    """Directional counts per class across a line; optional wrong-way alerts.

    Crossing from the left of the line's start->end to its right is `in`.
    """

    kind: Literal["line_crossing"] = "line_crossing"
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


class LoiteringRuleConfig(RuleBase):
    """A track dwelling in a zone longer than `min_duration` seconds."""

    kind: Literal["loitering"] = "loitering"
    zone: str = Field(description="Name of a zone of this camera.")
    classes: list[str] = Field(default_factory=lambda: ["person"], description="Classes watched.")
    min_duration: float = Field(
        default=60.0, ge=0, description="Seconds of dwell before the event opens."
    )
    reentry_grace: float = Field(
        default=10.0, ge=0,
        description="Seconds a track may be away (outside or unseen) and still keep its dwell.",
    )


class CrowdRuleConfig(RuleBase):
    """At least `min_count` objects in a zone (or the frame) for `min_duration` seconds."""

    kind: Literal["crowd"] = "crowd"
    zone: str | None = Field(default=None, description="Zone name; null = the whole frame.")
    classes: list[str] = Field(default_factory=lambda: ["person"], description="Classes counted.")
    min_count: int = Field(default=10, ge=1, description="Objects needed at once.")
    min_duration: float = Field(
        default=10.0, ge=0, description="Seconds the count must stay at or above `min_count`."
    )
    close_after: float = Field(
        default=10.0, ge=0, description="Seconds below `min_count` before the event closes."
    )


class UnusualCrowdRuleConfig(RuleBase):
    """More objects than usual for this zone and hour of the week (a learned baseline)."""

    kind: Literal["unusual_crowd"] = "unusual_crowd"
    zone: str | None = Field(default=None, description="Zone name; null = the whole frame.")
    classes: list[str] = Field(default_factory=lambda: ["person"], description="Classes counted.")
    margin_abs: float = Field(
        default=3.0, ge=0, description="Alert above mean + max(margin_abs, margin_sigma * std)."
    )
    margin_sigma: float = Field(default=3.0, ge=0, description="Standard deviations of margin.")
    min_history: int = Field(
        default=10, ge=1,
        description="Observed minutes an hour-of-week bin needs before its baseline is used.",
    )
    threshold: int | None = Field(
        default=None, ge=1,
        description="Fixed count used while the bin has too little history; null = no alert.",
    )
    min_duration: float = Field(
        default=30.0, ge=0, description="Seconds the count must stay above the limit."
    )
    close_after: float = Field(
        default=30.0, ge=0, description="Seconds at or below the limit before the event closes."
    )
    learn_during_alert: bool = Field(
        default=False, description="Also learn from minutes while an event is open."
    )
    save_every: float = Field(
        default=300.0, gt=0, description="Seconds between writes of the baseline to disk."
    )


class AbandonedObjectRuleConfig(RuleBase):
    """An object left behind: static for a while, its owner gone for `unattended_s` seconds.

    Candidates are tracked bags that stopped and class-agnostic static-foreground
    blobs (a long-term vs a short-term background model).
    """

    kind: Literal["abandoned_object"] = "abandoned_object"
    classes: list[str] = Field(
        default_factory=lambda: ["backpack", "handbag", "suitcase"],
        description="Detector classes that are bags (their stationary tracks are candidates).",
    )
    unattended_s: float = Field(
        default=60.0, ge=0,
        description="Seconds the owner must be away (beyond owner_distance, or gone) to alert.",
    )
    owner_distance: float = Field(
        default=0.15, gt=0, le=1,
        description="Owner-to-object distance, as a fraction of the frame diagonal, beyond "
        "which the object is unattended.",
    )
    require_owner: bool = Field(
        default=True,
        description="Only objects a person was near when they appeared can alert (fewer "
        "false alarms from ghosts and shadows).",
    )
    removed_after: float = Field(
        default=3.0, ge=0,
        description="Seconds an object must be gone (picked up, removed) before it is dropped "
        "and its event closes.",
    )
    static_after: float = Field(
        default=3.0, ge=0, description="Seconds a new foreground blob must stay still."
    )
    min_area: float = Field(
        default=0.0008, ge=0, le=1, description="Smallest blob, as a fraction of the frame area."
    )
    max_area: float = Field(
        default=0.04, gt=0, le=1,
        description="Largest blob, as a fraction of the frame area (larger = vehicles, scene).",
    )
    threshold: int = Field(
        default=22, ge=1, le=255,
        description="Grey-level difference (0-255) from the background that is foreground.",
    )
    background_s: float = Field(
        default=30.0, gt=0,
        description="Time constant (s) of the long-term background where nothing is in front.",
    )
    absorb_s: float = Field(
        default=600.0, gt=0,
        description="Time constant (s) at which a static object melts into the background.",
    )
    downscale_height: int = Field(
        default=160, ge=60, le=720, description="Height of the frame used for the background."
    )


TamperType = Literal["defocus", "occlusion", "scene_change", "signal_loss"]


class CameraTamperRuleConfig(RuleBase):
    """One kind of camera tampering; each kind is its own rule (and event type for operators).

    Baselines (sharpness, reference scene) are learned over the first `learn_s` seconds
    and then adapt slowly while nothing is wrong.
    """

    kind: Literal["camera_tamper"] = "camera_tamper"
    tamper: TamperType = Field(
        description="defocus | occlusion | scene_change | signal_loss (raised by the supervisor)."
    )
    min_duration: float = Field(
        default=3.0, ge=0, description="Seconds the condition must hold before the event opens."
    )
    close_after: float = Field(
        default=3.0, ge=0, description="Seconds the condition must be gone before it closes."
    )
    learn_s: float = Field(
        default=5.0, ge=0, description="Seconds of frames that form the first baselines."
    )
    adapt_s: float = Field(
        default=600.0, gt=0,
        description="Time constant (s) of the slow baseline adaptation while all is well.",
    )
    defocus_ratio: float = Field(
        default=0.4, gt=0, lt=1,
        description="Defocus when sharpness falls below this fraction of its baseline.",
    )
    occlusion_texture: float = Field(
        default=0.15, ge=0, le=1,
        description="Occlusion when less than this fraction of the frame has texture "
        "(or the frame is dark/uniform).",
    )
    scene_similarity: float = Field(
        default=0.5, ge=-1, le=1,
        description="Scene change when the edge-map correlation with the reference falls "
        "below this.",
    )
    signal_loss_after: float = Field(
        default=10.0, gt=0,
        description="signal_loss: seconds without frames before the event opens.",
    )


RuleConfig = Annotated[
    ZonePresenceRuleConfig
    | LineCrossingRuleConfig
    | LoiteringRuleConfig
    | CrowdRuleConfig
    | UnusualCrowdRuleConfig
    | AbandonedObjectRuleConfig
    | CameraTamperRuleConfig,
    Field(discriminator="kind"),
]
