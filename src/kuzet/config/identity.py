"""Face identity: matching against watchlists, enrolment quality, retention of unknown faces."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class IdentityConfig(KuzetModel):
    """Central face matching. Faces that match nothing are dropped unless retained here."""

    retain_unmatched: bool = Field(
        default=False,
        description="Keep every face probe (crop and embedding) as a face sighting for "
        "retrospective search. Off by default: unknown faces leave nothing stored.",
    )
    retain_days: int = Field(
        default=7, ge=1, le=365, description="Days a retained face sighting is kept."
    )
    default_threshold: float = Field(
        default=0.6,
        gt=0,
        le=1.5,
        description="Threshold of new watchlists (Euclidean distance of dlib embeddings). "
        "Calibrated for a false-accept rate of 1e-3 (docs/faces.md: `kuzet eval faces "
        "--far 1e-3`; 0.665 on the shared pairs, kept at dlib's 0.6 for margin).",
    )
    search_k: int = Field(
        default=10, ge=1, le=100, description="Nearest enrolled photos checked per probe."
    )
    min_face_px: int = Field(
        default=60, ge=20, le=1000, description="Smallest face side (pixels) accepted at enrolment."
    )
    min_sharpness: float = Field(
        default=20.0,
        ge=0,
        description="Lowest variance of the Laplacian of the face (resized to 112 px) "
        "accepted at enrolment; lower is blurrier.",
    )
    enrol_min_score: float = Field(
        default=0.5, gt=0, lt=1, description="CenterFace score counted as a face at enrolment."
    )
