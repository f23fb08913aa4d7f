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
    ZonePresenceRuleConfig | AbandonedObjectRuleConfig | CameraTamperRuleConfig,
    Field(discriminator="kind"),
]
