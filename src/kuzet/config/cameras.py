"""Cameras: a source plus optional overrides of the global sections."""

from typing import Literal

from pydantic import Field, model_validator

from kuzet.config.base import KuzetModel
from kuzet.config.calibration import CalibrationConfig
from kuzet.config.detect import DetectConfig
from kuzet.config.errors import Loc, LocatedValueError
from kuzet.config.faces import FacesConfig
from kuzet.config.fights import FightsConfig, SmokingConfig, pose_rate
from kuzet.config.geometry import LineConfig, MaskConfig, ZoneConfig
from kuzet.config.motion import MotionConfig
from kuzet.config.plates import PlatesConfig
from kuzet.config.record import RecordConfig
from kuzet.config.rules import RuleConfig
from kuzet.config.timezone import TimeZoneName
from kuzet.config.tracking import TrackingConfig


class SourceConfig(KuzetModel):
    """Where frames come from: a file path or an rtsp/rtmp/http(s) URL."""

    url: str = Field(
        min_length=1,
        description="File path or stream URL (rtsp://, rtmp://, http(s)://); `${ENV}` allowed.",
    )
    pace: Literal["realtime", "fast"] = Field(
        default="realtime",
        description="Files only: `realtime` paces to the video's timestamps, `fast` runs flat out.",
    )
    loop: bool = Field(default=False, description="Files only: start again at the end.")
    rtsp_transport: Literal["tcp", "udp"] = Field(default="tcp", description="RTSP transport.")
    timeout: float = Field(
        default=10.0, gt=0, description="Seconds to wait when opening or reading a stream."
    )
    reconnect_initial: float = Field(
        default=1.0, gt=0, description="First reconnect delay in seconds (doubles each try)."
    )
    reconnect_max: float = Field(default=60.0, gt=0, description="Longest reconnect delay.")
    max_pixels: int = Field(
        default=7680 * 4320, gt=0, le=2**31,
        description="Largest frame accepted (width x height; default 8K): a source whose "
        "frames are larger is refused before they are decoded, with the camera and file.",
    )  # fmt: skip
    max_duration: float = Field(
        default=86_400.0, gt=0,
        description="Files only: longest video accepted in seconds (declared in the header, "
        "and checked again while decoding each pass).",
    )  # fmt: skip


class CameraConfig(KuzetModel):
    """One camera. Sections left out inherit the global ones; keys set here override them."""

    source: SourceConfig = Field(description="Video source.")
    enabled: bool = Field(default=True, description="Start this camera.")
    name: str | None = Field(default=None, description="Display name (default: the key).")
    site: str | None = Field(default=None, description="Site or area the camera belongs to.")
    site_type: str | None = Field(
        default=None, max_length=64,
        description="Kind of place (street, transport, school ...): the transparency report "
        "counts cameras by it.",
    )
    lat: float | None = Field(
        default=None, ge=-90, le=90, description="Latitude (WGS 84): citizen reports nearby "
        "suggest this camera."
    )
    lon: float | None = Field(default=None, ge=-180, le=180, description="Longitude (WGS 84).")
    timezone: TimeZoneName
    detect: DetectConfig = Field(default_factory=DetectConfig, description="Detection overrides.")
    motion: MotionConfig = Field(default_factory=MotionConfig, description="Motion overrides.")
    tracking: TrackingConfig = Field(
        default_factory=TrackingConfig, description="Tracking overrides."
    )
    zones: dict[str, ZoneConfig] = Field(default_factory=dict, description="Named zones.")
    lines: dict[str, LineConfig] = Field(default_factory=dict, description="Named lines.")
    masks: list[MaskConfig] = Field(
        default_factory=list, description="Motion masks (added to motion.masks)."
    )
    rules: list[RuleConfig] = Field(default_factory=list, description="Rules run on this camera.")
    calibration: CalibrationConfig | None = Field(
        default=None,
        description="Ground-plane calibration (image points -> metres) for speeds.",
    )
    faces: FacesConfig = Field(default_factory=FacesConfig, description="Face capture (off).")
    plates: PlatesConfig = Field(default_factory=PlatesConfig, description="Plate reading.")
    fights: FightsConfig = Field(
        default_factory=FightsConfig, description="Fight and aggression analysis (off)."
    )
    smoking: SmokingConfig = Field(
        default_factory=SmokingConfig, description="Experimental smoking cue (off)."
    )
    record: RecordConfig = Field(
        default_factory=RecordConfig, description="Recording of this camera's video (off)."
    )

    @property
    def decode_fps(self) -> float:
        """Frames per second the source delivers: ``detect.fps``, or the pose rate if higher.

        The detector and tracker still run at ``detect.fps`` (the pipeline skips the
        frames between); pose (fights, smoking) runs on every delivered frame.
        """
        pose = pose_rate(self.fights, self.smoking)
        return self.detect.fps if pose is None else max(self.detect.fps, pose)

    @model_validator(mode="after")
    def _references_exist(self) -> "CameraConfig":
        issues = _reference_issues(self)
        if issues:
            raise LocatedValueError(issues)
        return self


def _reference_issues(cam: CameraConfig) -> list[tuple[Loc, str]]:
    """Duplicate rule ids and rules naming zones or lines the camera lacks."""
    issues: list[tuple[Loc, str]] = []
    if (cam.lat is None) != (cam.lon is None):
        issues.append((("lat",), "give both lat and lon, or neither"))
    seen: set[str] = set()
    for index, rule in enumerate(cam.rules):
        if rule.id in seen:
            issues.append((("rules", index, "id"), f"duplicate rule id {rule.id!r}"))
        seen.add(rule.id)
        if getattr(rule, "needs_calibration", False) and cam.calibration is None:
            issues.append(
                (("rules", index, "kind"), f"rule {rule.id!r} ({rule.kind}) measures speed: "
                 "the camera needs a `calibration` section")
            )
        for key, names in (("zone", cam.zones), ("line", cam.lines)):
            ref = getattr(rule, key, None)
            if ref is not None and ref not in names:
                issues.append(
                    (
                        ("rules", index, key),
                        f"rule {rule.id!r} names {key} {ref!r}, which is not among this "
                        f"camera's {key}s {sorted(names)}",
                    )
                )
    return issues
