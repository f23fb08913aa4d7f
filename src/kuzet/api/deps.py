"""Dependencies of the API: one typed container, reached through ``Depends``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, cast

from fastapi import Depends, Request

from kuzet.api.live import LiveView
from kuzet.api.live_leases import WatchLeases
from kuzet.config.api import ApiConfig
from kuzet.config.cameras import CameraConfig
from kuzet.config.citizen import CitizenConfig
from kuzet.config.metrics import MetricsConfig, TransparencyConfig
from kuzet.config.privacy import PrivacyConfig
from kuzet.config.security import SecurityConfig
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.privacy.audit import AuditLog
from kuzet.privacy.auth.service import AuthService
from kuzet.privacy.redaction import Redactor
from kuzet.record.playback import Recordings
from kuzet.store.db import Store
from kuzet.store.events import EventRepo
from kuzet.store.media import Media

if TYPE_CHECKING:
    from kuzet.citizen.intake import CitizenDesk
    from kuzet.identity.service import IdentityService
    from kuzet.integrations.service import Integrations
    from kuzet.maps.geodata import MapData
    from kuzet.maps.plans import SitePlans
    from kuzet.response.field import FieldDesk
    from kuzet.response.service import ResponseService


@dataclass
class AppDeps:
    """Everything the routers use; built by the composition root (``kuzet.runtime``).

    Attributes:
        store: Open database.
        media: Evidence files.
        bus: Event bus; live push subscribes to it.
        live: Live camera state (health, frames).
        api: API settings (``live_fps``).
        sse_heartbeat_s: Seconds between SSE heartbeat comments.
        sse_queue_size: Events buffered per SSE client; the oldest are dropped beyond.
        security: Sessions, sign-in throttling and OIDC settings.
        audit: The audit trail (``audit.record(...)``); built on ``store`` (without
            signed checkpoints) when not given.
        privacy: Redaction settings and unmask limits (reason length, minutes).
        recordings: Recorded video (segments, spans, clips); None when not recording.
        timezone: The site's IANA time zone (the config's ``timezone``) for reports, week
            boundaries and the console's times; None = UTC, labelled as such.
        cameras: The cameras' config (positions for citizen reports, site types for the
            transparency report); empty in tests that need neither.
        citizen_config: The public citizen report intake (off by default).
        metrics: The `/metrics` token (no endpoint without one).
        transparency: Small-count suppression of the transparency report.
    """

    store: Store
    media: Media
    bus: Bus[Event]
    live: LiveView
    api: ApiConfig = field(default_factory=ApiConfig)
    sse_heartbeat_s: float = 15.0
    sse_queue_size: int = 256
    security: SecurityConfig = field(default_factory=SecurityConfig)
    audit: AuditLog = field(default=None)  # type: ignore[assignment]  # see __post_init__
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    recordings: Recordings | None = None
    timezone: str | None = None
    cameras: dict[str, CameraConfig] = field(default_factory=dict)
    citizen_config: CitizenConfig = field(default_factory=CitizenConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    transparency: TransparencyConfig = field(default_factory=TransparencyConfig)

    def __post_init__(self) -> None:
        if self.audit is None:
            self.audit = AuditLog(self.store.engine)

    @cached_property
    def auth(self) -> AuthService:
        """Users, sessions and tokens on ``store`` (assign to replace, e.g. in tests)."""
        return AuthService.from_engine(self.store.engine, self.security)

    @cached_property
    def redactor(self) -> Redactor:
        """Redacts old snapshots on request (models load on first use; assign to replace)."""
        return Redactor(self.privacy)

    @cached_property
    def live_leases(self) -> WatchLeases:
        """Watch leases that keep polled cameras rendering (the grid's JPEG polling)."""
        return WatchLeases(self.live)

    @cached_property
    def identity(self) -> IdentityService:
        """Watchlists, matching and confirmation on ``store`` (the runtime assigns its own)."""
        from kuzet.identity.service import IdentityService

        return IdentityService(self.store.engine, self.media, self.bus)

    @cached_property
    def response(self) -> ResponseService:
        """Alarms and incidents on ``store`` (default config; the runtime assigns its own)."""
        from kuzet.response.service import ResponseService

        return ResponseService(self.store.engine, self.audit)

    @cached_property
    def field(self) -> FieldDesk:
        """Field officers' duty, positions and photos on ``store`` (the response clock)."""
        from kuzet.response.field import FieldDesk

        return FieldDesk(self.store.engine, self.response.clock)

    @cached_property
    def integrations(self) -> Integrations:
        """Webhook queue (no endpoints, no MQTT) on ``store``; the runtime assigns its own."""
        from kuzet.config.integrations import IntegrationsConfig
        from kuzet.integrations.service import Integrations

        return Integrations.build(self.store.engine, IntegrationsConfig(), {},
                                  self.response.clock)

    @cached_property
    def citizen(self) -> CitizenDesk:
        """Citizen reports into :attr:`response`'s queue (cameras with positions suggested)."""
        from kuzet.citizen.geo import CameraPlace
        from kuzet.citizen.intake import CitizenDesk, DeskParts

        places = [CameraPlace(cid, cam.name or cid, cam.lat, cam.lon)
                  for cid, cam in self.cameras.items()
                  if cam.lat is not None and cam.lon is not None]
        recordings = self.recordings

        def recorded(camera_id: str, at: datetime) -> bool:
            span = timedelta(seconds=30)
            return recordings is not None and bool(recordings.segments(camera_id, at - span,
                                                                       at + span))

        return CitizenDesk(DeskParts(self.store.engine, self.media, self.response,
                                     self.store.events, self.citizen_config, places,
                                     recorded=recorded if recordings is not None else None))

    @cached_property
    def maps(self) -> SitePlans:
        """Site plans and camera placements on ``store`` and ``media``."""
        from kuzet.maps.plans import SitePlans

        return SitePlans(self.store.engine, self.media)

    @cached_property
    def map_data(self) -> MapData:
        """The offline base map's files (none configured; the runtime assigns its own)."""
        from kuzet.config.map import MapConfig
        from kuzet.maps.geodata import MapData

        return MapData(MapConfig())


def get_deps(request: Request) -> AppDeps:
    """The app's :class:`AppDeps` (set by ``create_app``)."""
    return cast(AppDeps, request.app.state.deps)


Deps = Annotated[AppDeps, Depends(get_deps)]


def get_event_repo(deps: Deps) -> EventRepo:
    """The event repository."""
    return deps.store.events


def get_media(deps: Deps) -> Media:
    """The media store."""
    return deps.media


def get_live(deps: Deps) -> LiveView:
    """The live camera view."""
    return deps.live


EventRepoDep = Annotated[EventRepo, Depends(get_event_repo)]
MediaDep = Annotated[Media, Depends(get_media)]
LiveDep = Annotated[LiveView, Depends(get_live)]
