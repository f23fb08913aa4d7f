"""Privacy: redaction of faces and plates, and unmask limits."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class PrivacyConfig(KuzetModel):
    """What is blurred for users without the unmask permission, and how unmasking is limited.

    Redaction errs on the side of blurring: a missed face is a privacy failure,
    a blurred sign is harmless.
    """

    redact_faces: bool = Field(default=True, description="Blur faces in live views and snapshots.")
    redact_plates: bool = Field(
        default=True, description="Blur text-like regions (plates) inside vehicle boxes."
    )
    blur_heads: bool = Field(
        default=True,
        description="Also blur the head region (top of the box) of every person box, so "
        "people too small for the face detector (or turned away) are still redacted.",
    )
    head_fraction: float = Field(
        default=0.22, gt=0, le=1, description="Height of the head region, share of the person box."
    )
    face_min_score: float = Field(
        default=0.3, gt=0, lt=1, description="CenterFace score above which a face is blurred."
    )
    plate_min_score: float = Field(
        default=0.4,
        gt=0,
        lt=1,
        description="Text-detector box score above which a plate is blurred.",
    )
    margin: float = Field(
        default=0.25, ge=0, le=1, description="Each blurred box is enlarged by this share per side."
    )
    unmask_max_minutes: int = Field(
        default=15, ge=1, le=240, description="Longest unmask grant, minutes."
    )
    unmask_min_reason: int = Field(
        default=10, ge=1, le=200, description="Shortest accepted unmask reason, characters."
    )
    audit_checkpoint_s: float = Field(
        default=300,
        ge=1,
        le=86400,
        description="Seconds between the server's signed audit checkpoints (one more is "
        "written on stop). Records newer than the last checkpoint can be deleted "
        "undetected, so this bounds what a database-level attacker can erase unseen.",
    )
