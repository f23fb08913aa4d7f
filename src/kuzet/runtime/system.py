"""The embedded system: store, media, bus, sinks, supervisor and API in one object."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kuzet.config.root import KuzetConfig
from kuzet.core.counts import LineCount
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.runtime.durability import DurableWrites, StorageThread, storage_guard, storage_status
from kuzet.runtime.supervisor import Supervisor
from kuzet.store.outbox import store_unavailable

if TYPE_CHECKING:
    from fastapi import FastAPI

    from kuzet.maps.geodata import MapData
    from kuzet.scale.natsbus import NatsBus

log = logging.getLogger(__name__)
# The recording quota is checked this often, so it acts long before a disk fills.
RECORD_RETENTION_EVERY_S = 15.0


def _config_digest(config: KuzetConfig, path: Path | None) -> tuple[str, str]:
    """(sha256, source) of the config file, or of the model's JSON without a file."""
    if path is not None and path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest(), str(path.resolve())
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest(), "<in-memory config>"


@dataclass
class EmbeddedSystem:
    """Everything ``kuzet serve`` runs, built in start order and stopped in reverse."""

    config: KuzetConfig
    data_dir: Path
    config_path: Path | None = None

    def __post_init__(self) -> None:
        from kuzet.privacy.audit import AuditLog
        from kuzet.privacy.keys import Signer
        from kuzet.store import open_store
        from kuzet.store.media import open_media

        self.bus: Bus[Event] = Bus()
        from kuzet.privacy.audit_checkpoints import CheckpointTimer

        self.store = open_store(self.config.store.url, self.data_dir)
        every_s = self.config.privacy.audit_checkpoint_s
        signer = Signer.load_or_create(self.data_dir)
        self.audit = AuditLog(self.store.engine, signer, checkpoint_interval_s=every_s)
        self.audit.note_config(*_config_digest(self.config, self.config_path))
        self.checkpoints = CheckpointTimer(self.audit, every_s)
        media_root = Path(self.config.store.media_dir or self.data_dir / "media")
        floor = int(self.config.store.floor_free_mb * 2**20)
        self.media = open_media(self.config.store, media_root, floor)  # folder or S3
        from kuzet.privacy.retention import RetentionThread
        from kuzet.runtime.retention import retention_job

        retention = self.config.retention
        job = retention_job(self.store.engine, self.media, self.audit, retention)
        self.retention = RetentionThread(job, retention.run_every)
        # Camera output reaches the store through the outbox (issue 14: nothing lost).
        self.writes = DurableWrites(self.data_dir, self.config.store)
        events, counts = self.store.events, self.store.counts
        self.counts: Bus[tuple[LineCount, ...]] = Bus()
        self._unsubscribe: list[Callable[[], None]] = []
        self.nats: NatsBus | None = None  # bus.kind: nats (routes in _start_response)
        if self.config.bus.kind == "embedded":
            self._unsubscribe.append(
                self.writes.route(self.bus, "event", lambda e, k: events.upsert(e)))
            self._unsubscribe.append(self.writes.route(self.counts, "counts", counts.add))
        self.writes.outbox.on_prune(counts.forget_applied)
        self.mqtt = None
        if self.config.events.mqtt is not None:
            from kuzet.events.mqtt import MqttSink

            self.mqtt = MqttSink(self.config.events.mqtt)
            self._unsubscribe.append(self.bus.subscribe(self.mqtt))
        self.supervisor = Supervisor(
            self.config, media_root, self.bus, self.counts, self.data_dir / "state"
        )
        self._start_identity()
        self._start_plates()
        self._start_response()
        guard = storage_guard(self.config.store, [self.data_dir, media_root], media_root, events)
        self.storage = StorageThread(guard, self.config.store.space_check_every)
        self.supervisor.storage_status = storage_status(self.writes, guard)
        self._start_recording(media_root)

    def _start_identity(self) -> None:
        """Central face matching on the supervisor's face probes."""
        from kuzet.identity.service import IdentityService

        self.identity = IdentityService(
            self.store.engine, self.media, self.bus, self.config.identity
        )
        identity = self.identity
        self._unsubscribe.append(
            self.writes.route(self.supervisor.face_probes, "face_probe", identity.handle)
        )

    def _start_plates(self) -> None:
        """Central hotlist matching on the supervisor's plate reads (stores every read)."""
        from kuzet.identity.plates_service import HotlistService
        from kuzet.privacy.redaction import Redactor

        self.hotlists = HotlistService(
            self.store.engine, self.media, self.bus, self.config.hotlists,
            Redactor(self.config.privacy),
        )
        self._unsubscribe.append(
            self.writes.route(self.supervisor.plate_reads, "plate_read", self.hotlists.handle)
        )

    def _start_response(self) -> None:
        """Alarms for alert-grade events (after the store sink) and the time-limit loop."""
        from kuzet.response.escalation import EscalationThread
        from kuzet.response.flags import RuleFlags
        from kuzet.response.service import ResponseService
        from kuzet.response.sink import AlarmSink

        self.response = ResponseService(self.store.engine, self.audit, self.config.response)
        # Through the outbox too, after each event's own entry (its row exists first).
        alarms = AlarmSink(self.response)
        if self.config.bus.kind == "nats":  # store consumer opens alarms after the row
            from kuzet.runtime.natsroutes import route_over_nats

            self.nats, stops = route_over_nats(self.config, self.writes, (self.bus, self.counts),
                                               self.store, alarms)
            self._unsubscribe += stops
        else:
            self._unsubscribe.append(self.writes.route(self.bus, "alarm", lambda e, k: alarms(e)))
        self.escalation = EscalationThread(self.response, self.config.response.escalate_every)
        flags = RuleFlags(self.store.engine, self.response)  # precision floor, after verdicts
        self._unsubscribe.append(self.response.updates.subscribe(flags.on_update))
        self._start_integrations()

    def _start_integrations(self) -> None:
        """Sector routing, and webhooks/MQTT of every alarm and incident change."""
        from kuzet.config.sectors import sector_of_cameras
        from kuzet.config.timezone import zone
        from kuzet.integrations.service import Integrations
        from kuzet.response.shifts import Routing

        sites = {cid: cam.site for cid, cam in self.config.cameras.items()}
        sectors = self.config.response.sectors
        self.response.routing = Routing(self.store.engine, sectors,
                                        sector_of_cameras(sectors, sites),
                                        zone(self.config.timezone))
        self.integrations = Integrations.build(self.store.engine, self.config.integrations,
                                               sites, self.response.clock)
        self.integrations.attach(self.response.updates.subscribe, self.response.outbox.subscribe)

    def _start_recording(self, media_root: Path) -> None:
        """The segment index (fed by the workers, repaired now) and recording retention."""
        from kuzet.record.index import SegmentIndex
        from kuzet.record.playback import Recordings
        from kuzet.record.repair import repair
        from kuzet.record.retention import RecordingRetention, RetentionLoop

        self.segments = SegmentIndex(self.store.engine)
        report = repair(media_root, self.segments.keys(), self.segments)
        if report.repaired or report.dropped or report.indexed:
            log.info("recordings repaired: %s", report)
        self._unsubscribe.append(self.supervisor.segments.subscribe(self.segments.add))
        cameras = {cid: cam.record for cid, cam in self.config.cameras.items()}
        job = RecordingRetention(self.segments, media_root, self.config.record, cameras)
        self.record_retention = RetentionLoop(job, RECORD_RETENTION_EVERY_S)
        self.recordings = Recordings(self.segments, media_root, self.config.record, cameras)

    def create_app(self) -> FastAPI:
        """The FastAPI app serving this system."""
        from kuzet.api import AppDeps, create_app

        deps = AppDeps(
            store=self.store,
            media=self.media,
            bus=self.bus,
            live=self.supervisor,
            api=self.config.api,
            security=self.config.security,
            audit=self.audit,
            privacy=self.config.privacy,
            recordings=self.recordings,
            timezone=self.config.timezone,
            cameras=dict(self.config.cameras),
            citizen_config=self.config.citizen,
            metrics=self.config.metrics,
            transparency=self.config.transparency,
        )
        deps.identity = self.identity
        deps.response = self.response
        deps.integrations = self.integrations
        deps.map_data = self._map_data()
        return create_app(deps)

    def _map_data(self) -> MapData:
        """The ``map`` files; relative paths are taken from the config file's folder."""
        from kuzet.maps.geodata import MapData

        base = self.config_path.resolve().parent if self.config_path is not None else None
        return MapData(self.config.map, base)

    def start(self) -> None:
        """Start cameras and detectors, retention, audit checkpoints and alarm time limits."""
        self.storage.start()
        self.writes.start()
        self.supervisor.start()
        self.retention.start()
        self.checkpoints.start()
        self.escalation.start()
        self.integrations.start()
        self.record_retention.start()

    def stop(self, reason: str = "shutdown") -> None:
        """Stop processes, then sinks, then the store (on SIGTERM and SIGINT alike).

        Events the cameras close as they stop, and any still open, get
        ``attrs.closed_reason = reason``; a ``system.stop`` record and a final
        signed audit checkpoint are the last writes.
        """
        began = datetime.now(UTC)
        self.checkpoints.stop()
        self.supervisor.stop()
        self.escalation.stop()
        self.integrations.stop()
        self.retention.stop()
        self.storage.stop()
        self.writes.stop()
        self.record_retention.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self.nats is not None:
            self.nats.close()
        if self.mqtt is not None:
            self.mqtt.close()
        try:
            left_open = self.store.events.close_at_shutdown(reason, began)
            self.audit.record("system.stop", actor=None, details={"reason": reason,
                                                                 "events_left_open": left_open})
        except Exception as error:  # the store is down: what is held waits in the outbox
            if not store_unavailable(error):
                raise
            log.error("store unavailable at shutdown (%s): open events are closed from the "
                      "outbox at the next start", error)
        self.audit.close()
        self.store.close()
