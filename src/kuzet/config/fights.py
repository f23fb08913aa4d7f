"""Fights, aggression and (experimental) smoking: pose-based behaviour per camera.

Both sections are off by default. When either is on, the camera decodes frames at
``max(detect.fps, fights.fps, smoking.fps)``; pose runs on every one of them while
the object detector and tracker still run only at ``detect.fps``. The rules these
sections drive (``fight``, ``aggression``, ``smoking``) are built from them, not from
the camera's ``rules`` list: one fight analysis per camera, one set of settings.
"""

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from kuzet.config.base import KuzetModel
from kuzet.config.errors import Loc, LocatedValueError
from kuzet.config.rules import EndHour, StartHour
from kuzet.core.types import Severity


def _multiple_of_32(size: int) -> int:
    if size % 32:
        raise ValueError(f"must be a multiple of 32 (e.g. 192, 256, 320), got {size}")
    return size


class FightsConfig(KuzetModel):
    """Fight and aggression events from multi-person pose and the trained fight model.

    A ``fight`` event opens after ``min_windows`` consecutive analyser windows score at
    or above ``threshold`` and closes once the score has stayed below it for
    ``close_after`` seconds; one situation is one event.
    """

    enabled: bool = Field(default=False, description="Analyse this camera for fights.")
    fps: float = Field(
        default=10.0, gt=0, le=30,
        description="Frames per second pose and the fight analyser see (at least the "
        "analyser's own rate, 10).",
    )
    threshold: float | None = Field(
        default=None, ge=0, le=1,
        description="Window score (0-1) that counts as a fight; null = the model's default.",
    )
    min_windows: int = Field(
        default=3, ge=1, le=50,
        description="Consecutive windows at or above `threshold` before the event opens.",
    )
    close_after: float = Field(
        default=4.0, ge=0, description="Seconds below `threshold` before the event closes."
    )
    min_people: int = Field(
        default=1, ge=0, le=100,
        description="A window counts only with this many people in view (the pose group, "
        "else tracked persons): 1 ignores scenes with nobody (e.g. traffic); 2 also "
        "ignores lone people but halves recall on the training clips (docs/fights.md).",
    )
    mass_brawl_people: int = Field(
        default=4, ge=2, le=100,
        description="People involved at which the event becomes a mass brawl (severity "
        "critical, attrs.mass_brawl).",
    )
    severity: Severity = Field(
        default=Severity.ALERT, description="Severity of a fight that is not a mass brawl."
    )
    cooldown: float = Field(
        default=30.0, ge=0, description="Seconds after a fight event closes before another."
    )
    active_hours: tuple[StartHour, EndHour] | None = Field(
        default=None, description="[start, end) local hours when events may open; null = always."
    )
    aggression: bool = Field(
        default=True,
        description="Raise `aggression` events where the analyser finds one person's motion "
        "directed at another (not while a fight is scored).",
    )
    aggression_min_windows: int = Field(
        default=3, ge=1, le=50,
        description="Consecutive windows with an aggressor-target pair before it opens.",
    )
    aggression_severity: Severity = Field(
        default=Severity.DETECTION, description="Severity of `aggression` events."
    )
    pose_size: int = Field(
        default=256, ge=128, le=640,
        description="MoveNet input side, a multiple of 32 (larger finds smaller people). "
        "The fight model's motion features depend on it: the shipped model was trained "
        "at 256, and another size shifts its scores (a warning is logged).",
    )
    pose_min_score: float = Field(
        default=0.15, ge=0, le=1, description="Minimum person score of a pose."
    )
    model: Path | None = Field(
        default=None, description="Fight model JSON; null = the model shipped with Kuzet."
    )

    _size = field_validator("pose_size")(_multiple_of_32)


class SmokingConfig(KuzetModel):
    """EXPERIMENTAL smoking cue: repeated hand-to-mouth motion of one person (from pose).

    A *touch* is a wrist coming within `near` (fraction of the person's height) of the
    nose, staying there `min_hold`-`max_hold` seconds and leaving beyond `away`. An
    event opens when one person makes `touches` touches within `window_s` seconds.
    Validated only on synthetic keypoints and non-smoking footage (see docs/smoking.md).
    """

    enabled: bool = Field(default=False, description="Experimental: watch for smoking.")
    fps: float = Field(default=10.0, gt=0, le=30, description="Pose frames per second.")
    touches: int = Field(
        default=3, ge=2, le=50, description="Hand-to-mouth touches needed within `window_s`."
    )
    window_s: float = Field(
        default=90.0, gt=0, le=3600, description="Seconds within which the touches must fall."
    )
    near: float = Field(
        default=0.1, gt=0, le=1,
        description="Wrist-to-nose distance, as a fraction of the person's height, that "
        "counts as at the mouth.",
    )
    away: float = Field(
        default=0.22, gt=0, le=1,
        description="Distance (same unit) the wrist must leave to before the next touch.",
    )
    min_hold: float = Field(
        default=0.3, ge=0, description="Shortest touch in seconds (quicker ones are ignored)."
    )
    max_hold: float = Field(
        default=6.0, gt=0,
        description="Longest touch in seconds (longer = a phone call or a hand resting).",
    )
    min_keypoint_score: float = Field(
        default=0.3, ge=0, le=1, description="Keypoints scoring below this are not used."
    )
    close_after: float = Field(
        default=30.0, ge=0,
        description="Seconds without a further touch (or the person gone) before it closes.",
    )
    severity: Severity = Field(default=Severity.DETECTION, description="detection | alert.")
    cooldown: float = Field(
        default=60.0, ge=0, description="Seconds after a person's event closes before another."
    )
    active_hours: tuple[StartHour, EndHour] | None = Field(
        default=None, description="[start, end) local hours when events may open; null = always."
    )

    @model_validator(mode="after")
    def _ordered(self) -> "SmokingConfig":
        issues: list[tuple[Loc, str]] = []
        if self.away <= self.near:
            issues.append((("away",), f"must be larger than near ({self.near}), got {self.away}"))
        if self.max_hold <= self.min_hold:
            message = f"must be larger than min_hold ({self.min_hold}), got {self.max_hold}"
            issues.append((("max_hold",), message))
        if issues:
            raise LocatedValueError(issues)
        return self


def pose_rate(fights: FightsConfig, smoking: SmokingConfig) -> float | None:
    """Frames per second pose must run at, or None when neither section is enabled.

    Example:
        >>> pose_rate(FightsConfig(enabled=True), SmokingConfig())
        10.0
    """
    rates = [c.fps for c in (fights, smoking) if c.enabled]
    return max(rates) if rates else None
