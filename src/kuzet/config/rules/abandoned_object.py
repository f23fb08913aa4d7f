"""Abandoned object rule settings (``kind: abandoned_object``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase


class AbandonedObjectRuleConfig(RuleBase):
    """An object left behind: static for a while, its owner gone for `unattended_s` seconds.

    Candidates are tracked bags that stopped and class-agnostic static-foreground
    blobs (a long-term vs a short-term background model).
    """

    kind: Literal["abandoned_object"] = "abandoned_object"
    event_kinds: ClassVar[tuple[str, ...]] = ("abandoned_object",)
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
