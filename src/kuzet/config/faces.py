"""Faces: per-camera face capture on person tracks (probes for central watchlist matching)."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class FacesConfig(KuzetModel):
    """Face capture on person tracks; off unless a camera turns it on.

    The camera keeps the best few faces of each person track, embeds them, combines
    them into one decision per track and sends it to the main process for matching;
    it holds no watchlist data.
    """

    enabled: bool = Field(
        default=False, description="Capture faces on this camera's person tracks."
    )
    min_quality: float = Field(
        default=0.35,
        ge=0,
        le=1,
        description="Faces scoring below this (size, sharpness, pose) are ignored.",
    )
    min_face_px: int = Field(
        default=40, ge=8, le=1000, description="Smallest face width, pixels of the analysed frame."
    )
    per_track: int = Field(
        default=2,
        ge=1,
        le=20,
        description="Face cost budget: most face embeddings made per person track. The "
        "track's best faces (quality x detector score) are embedded and combined into one "
        "decision; the others are never embedded.",
    )
    early_quality: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="A face at least this good is embedded and matched at once (an early "
        "probe); the track's combined decision follows when it ends or its looks run out.",
    )
    every_s: float = Field(
        default=0.5, gt=0, le=60, description="Seconds between face looks at one track."
    )
    max_looks: int = Field(
        default=12, ge=1, le=200, description="Face looks per track before it is left alone."
    )
    min_person_px: int = Field(
        default=48, ge=8, le=4000, description="Person boxes lower than this are not searched."
    )
