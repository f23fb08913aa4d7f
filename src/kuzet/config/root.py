"""The whole configuration file."""

from pydantic import Field, model_validator

from kuzet.config.api import ApiConfig
from kuzet.config.base import KuzetModel
from kuzet.config.bus import BusConfig
from kuzet.config.cameras import CameraConfig
from kuzet.config.citizen import CitizenConfig
from kuzet.config.detect import DetectConfig
from kuzet.config.errors import Loc, LocatedValueError
from kuzet.config.events import EventsConfig
from kuzet.config.fights import FightsConfig, SmokingConfig
from kuzet.config.hotlists import HotlistsConfig
from kuzet.config.identity import IdentityConfig
from kuzet.config.integrations import IntegrationsConfig
from kuzet.config.map import MapConfig
from kuzet.config.metrics import MetricsConfig, TransparencyConfig
from kuzet.config.motion import MotionConfig
from kuzet.config.privacy import PrivacyConfig
from kuzet.config.record import RecordConfig
from kuzet.config.response import ResponseConfig
from kuzet.config.retention import RetentionConfig
from kuzet.config.runtime import RuntimeConfig
from kuzet.config.sectors import sector_issues
from kuzet.config.security import SecurityConfig
from kuzet.config.store import StoreConfig
from kuzet.config.timezone import TimeZoneName
from kuzet.config.tracking import TrackingConfig


class KuzetConfig(KuzetModel):
    """Root of the YAML file.

    Global `detect`, `motion`, `tracking`, `fights`, `smoking` and `record` sections are
    defaults; a camera's own section overrides only the keys it sets (merged by the loader).
    """

    version: int = Field(default=1, ge=1, le=1, description="Config format version.")
    timezone: TimeZoneName
    cameras: dict[str, CameraConfig] = Field(
        min_length=1, description="Cameras by id (letters, digits, `_`, `-`)."
    )
    detect: DetectConfig = Field(default_factory=DetectConfig, description="Default detection.")
    motion: MotionConfig = Field(default_factory=MotionConfig, description="Default motion.")
    tracking: TrackingConfig = Field(
        default_factory=TrackingConfig, description="Default tracking."
    )
    fights: FightsConfig = Field(
        default_factory=FightsConfig, description="Default fight analysis (off)."
    )
    smoking: SmokingConfig = Field(
        default_factory=SmokingConfig, description="Default experimental smoking cue (off)."
    )
    record: RecordConfig = Field(
        default_factory=RecordConfig, description="Default recording (off) and the quota."
    )
    events: EventsConfig = Field(default_factory=EventsConfig, description="Event delivery.")
    store: StoreConfig = Field(default_factory=StoreConfig, description="Database and media.")
    bus: BusConfig = Field(
        default_factory=BusConfig, description="Message bus: in-process or NATS JetStream."
    )
    api: ApiConfig = Field(default_factory=ApiConfig, description="HTTP API.")
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig, description="Processes.")
    security: SecurityConfig = Field(
        default_factory=SecurityConfig, description="Sign-in, sessions and OIDC."
    )
    retention: RetentionConfig = Field(
        default_factory=RetentionConfig, description="How long each data class is kept."
    )
    privacy: PrivacyConfig = Field(
        default_factory=PrivacyConfig, description="Redaction and unmasking."
    )
    identity: IdentityConfig = Field(
        default_factory=IdentityConfig, description="Face matching against watchlists."
    )
    hotlists: HotlistsConfig = Field(
        default_factory=HotlistsConfig, description="Licence-plate hotlist matching."
    )
    response: ResponseConfig = Field(
        default_factory=ResponseConfig, description="Alarms, incidents and escalation."
    )
    integrations: IntegrationsConfig = Field(
        default_factory=IntegrationsConfig,
        description="Signed webhooks and MQTT topics of alarm and incident changes.",
    )
    citizen: CitizenConfig = Field(
        default_factory=CitizenConfig, description="Public citizen report intake (off)."
    )
    metrics: MetricsConfig = Field(
        default_factory=MetricsConfig, description="Prometheus /metrics (off without a token)."
    )
    transparency: TransparencyConfig = Field(
        default_factory=TransparencyConfig, description="The public transparency report."
    )
    map: MapConfig = Field(
        default_factory=MapConfig,
        description="Offline map data (GeoJSON, georeferenced image) for the console's map.",
    )

    @model_validator(mode="after")
    def _camera_ids_valid(self) -> "KuzetConfig":
        issues: list[tuple[Loc, str]] = []
        for cam_id in self.cameras:
            if not cam_id.replace("_", "").replace("-", "").isalnum():
                message = f"camera id {cam_id!r} may use only letters, digits, _ and -"
                issues.append((("cameras", cam_id), message))
        issues += self._response_camera_issues()
        sites = {cam_id: cam.site for cam_id, cam in self.cameras.items()}
        issues += sector_issues(self.response.sectors, sites)
        if issues:
            raise LocatedValueError(issues)
        return self

    def _response_camera_issues(self) -> list[tuple[Loc, str]]:
        """Unknown cameras named by `response.rules` and `response.correlation`."""
        issues: list[tuple[Loc, str]] = []
        for i, rule in enumerate(self.response.rules):
            if rule.camera is not None and rule.camera not in self.cameras:
                message = f"unknown camera {rule.camera!r}"
                issues.append((("response", "rules", i, "camera"), message))
        for i, group in enumerate(self.response.correlation):
            for camera in group.cameras:
                if camera not in self.cameras:
                    loc: Loc = ("response", "correlation", i, "cameras")
                    issues.append((loc, f"unknown camera {camera!r}"))
        return issues
