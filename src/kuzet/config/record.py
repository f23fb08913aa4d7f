"""Recording: what each camera records, how segments are cut, how long they are kept."""

from typing import Literal

from pydantic import Field

from kuzet.config.base import KuzetModel
from kuzet.config.retention import MAX_DAYS


class RecordConfig(KuzetModel):
    """A camera's recording (the global section is the default, merged per camera)."""

    enabled: bool = Field(default=False, description="Record this camera's video.")
    mode: Literal["continuous", "events"] = Field(
        default="continuous",
        description=(
            "`continuous` keeps every segment (until retention); `events` keeps only "
            "segments overlapping an event's span (start - pre_s .. end + post_s)."
        ),
    )
    pre_s: float = Field(default=5.0, ge=0, le=300, description="Seconds kept before an event.")
    post_s: float = Field(default=5.0, ge=0, le=300, description="Seconds kept after an event.")
    segment_s: float = Field(
        default=4.0,
        ge=1,
        le=600,
        description="Target segment length (cut at the first keyframe after it).",
    )
    days: int | None = Field(
        default=7, ge=1, le=MAX_DAYS, description="Days segments are kept; null keeps them."
    )
    crf: int = Field(
        default=26,
        ge=15,
        le=40,
        description=(
            "H.264 quality (x264 CRF) for sources a browser cannot play (MJPEG, MPEG-4 "
            "part 2, ...), which are transcoded once; H.264/H.265 are copied untouched."
        ),
    )
    preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] = Field(
        default="veryfast", description="x264 speed preset for transcoded sources."
    )
    quota_gb: float | None = Field(
        default=None,
        gt=0,
        description=(
            "Global only: disk quota of all recordings in the media dir (GB); oldest "
            "segments not under legal hold are deleted first when it is reached."
        ),
    )
