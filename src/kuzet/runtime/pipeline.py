"""One camera's analysis stages, in data-flow order.

``CameraPipeline.process(frame)`` runs motion -> region planning -> detection
(only where needed) -> tracking -> rules, and renders evidence snapshots for
events that open. The detector is injected as a function so the same pipeline
runs in-process (``kuzet analyze``) and in a camera worker talking to the shared
detector processes (``kuzet serve``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from kuzet.config.cameras import CameraConfig
from kuzet.config.events import EventsConfig
from kuzet.core.counts import LineCount
from kuzet.core.geometry import rel_to_abs
from kuzet.core.sightings import FaceProbe, PlateRead
from kuzet.core.types import (
    Detections,
    Event,
    EventPhase,
    Evidence,
    FloatArray,
    Frame,
    Image,
    Motion,
    Observation,
)
from kuzet.enrich.face.tracker import FaceTracker
from kuzet.enrich.plate.reader import VehiclePlateReader
from kuzet.enrich.plate.tracks import TrackPlates
from kuzet.events.snapshot import render_snapshot, snapshot_key
from kuzet.ingest.timing import FrameSampler
from kuzet.motion import MotionDetector, RegionPlanner
from kuzet.privacy.redaction import Redactor
from kuzet.privacy.snapshots import redacted_key
from kuzet.rules import analytics, build_behaviour_rules, build_rules
from kuzet.runtime.behaviour import BehaviourOutput, BehaviourStage, FightScorer, PoseFn
from kuzet.runtime.filters import DetectionFilter
from kuzet.runtime.live_redaction import live_regions
from kuzet.runtime.scene import SceneAnalysis
from kuzet.store.media import MediaStore
from kuzet.track import ByteTracker

log = logging.getLogger(__name__)

# (image, regions or None for the full frame) -> detections, or None when the
# request was dropped (queue full / stale): the frame is then not analysed.
DetectFn = Callable[[Image, FloatArray | None], Detections | None]

MODEL_SIZE = 416
_NO_MOTION = Motion(np.zeros((0, 4), np.float32), np.zeros((0, 4), np.float32))


@dataclass
class PipelineStats:
    """Counters for health reporting and benchmarks."""

    frames: int = 0
    analysed: int = 0
    full_frame_passes: int = 0
    region_passes: int = 0
    skipped_no_motion: int = 0
    detect_drops: int = 0
    events: int = 0
    redacted_snapshots: int = 0  # frames redacted for snapshots (once per frame, not event)
    redact_s: float = 0.0  # time spent on them (regions + blur), seconds


@dataclass(frozen=True)
class PipelineOutput:
    """What one frame produced."""

    frame: Frame
    motion: Motion
    detections: Detections
    events: list[Event] = field(default_factory=list)
    analysed: bool = True
    # Line count increments of this frame (per minute, class, direction).
    counts: list[LineCount] = field(default_factory=list)
    # Faces of person tracks for central matching (only when ``faces.enabled``).
    face_probes: list[FaceProbe] = field(default_factory=list)
    # Voted plate reads of vehicle tracks (only when ``plates.enabled``).
    plate_reads: list[PlateRead] = field(default_factory=list)


class CameraPipeline:
    """Motion-gated detection, tracking and rules for one camera."""

    def __init__(
        self,
        camera_id: str,
        cfg: CameraConfig,
        detect: DetectFn,
        class_names: tuple[str, ...],
        media: MediaStore | None = None,
        events_cfg: EventsConfig | None = None,
    ) -> None:
        self.camera_id = camera_id
        self.cfg = cfg
        self._detect = detect
        self._media = media
        self._events_cfg = events_cfg or EventsConfig()
        self._filter = DetectionFilter(cfg.detect, class_names)
        self._class_names = class_names
        self._shape: tuple[int, int] | None = None
        self.stats = PipelineStats()
        # Where rules keep state across restarts (baselines); set before the first frame.
        self.state_dir: Path | None = None
        # Set (by the camera worker) to also store ``redacted/<snapshot key>``.
        self.redactor: Redactor | None = None
        self.faces = FaceTracker(camera_id, cfg.faces) if cfg.faces.enabled else None
        # Plate reading; the reader (models) loads on the first frame unless injected.
        self.plate_reader: VehiclePlateReader | None = None
        self.plates: TrackPlates | None = None
        # Pose and fight analyser (fights / smoking); loaded on the first frame unless set.
        self.pose: PoseFn | None = None
        self.fight_analyzer: FightScorer | None = None

    def _start(self, shape: tuple[int, int]) -> None:
        # Stages that need the frame size are built on the first frame.
        self._shape = shape
        masks = [*self.cfg.motion.masks, *self.cfg.masks]
        self._motion = MotionDetector(self.cfg.motion.model_copy(update={"masks": masks}), shape)
        self._planner = RegionPlanner(MODEL_SIZE, self.cfg.detect.full_frame_interval)
        self._tracker = ByteTracker(self.cfg.tracking, shape)
        self._rules = build_rules(self.camera_id, self.cfg, shape)
        self._scene = SceneAnalysis(self.cfg, shape)
        self.behaviour = BehaviourStage(self.cfg, shape, self.pose, self.fight_analyzer)
        self._behaviour_rules = build_behaviour_rules(
            self.camera_id, self.cfg, self.behaviour.threshold
        )
        self._all_rules = [*self._rules, *self._behaviour_rules]
        # With pose on, frames arrive at the pose rate; detection keeps detect.fps.
        rate, fps = self.cfg.decode_fps, self.cfg.detect.fps
        self._detect_gate = FrameSampler(fps, rate) if rate > fps else None
        self._last: tuple[Motion, Detections] | None = None
        analytics.use_state_dir(self._rules, self.state_dir)
        if self.cfg.plates.enabled and self.plates is None:
            self.plates = TrackPlates(self.camera_id, self.cfg.plates, self._plate_reader())

    def process(self, frame: Frame) -> PipelineOutput:
        """Analyse one frame (at analysis resolution, at ``CameraConfig.decode_fps``)."""
        if self._shape != frame.shape:
            self._start(frame.shape)
        self.stats.frames += 1
        behaviour = self.behaviour.update(frame)
        if self._detect_gate is not None and not self._detect_gate.keep(frame.ts):
            return self._pose_only(frame, behaviour)
        # Stationary tracks are left to the periodic full-frame pass; they coast
        # in the tracker meanwhile instead of being re-detected on every frame.
        motion = self._planner.plan(
            self._motion.detect(frame), self._tracker.moving_boxes, frame.shape, frame.ts
        )
        static_blobs, tamper = self._scene.measure(frame)
        raw = self._run_detector(frame, motion)
        if raw is None:
            out = self._pose_only(frame, behaviour)
            return dataclasses.replace(out, motion=motion, detections=Detections.empty(
                self._class_names))
        self.stats.analysed += 1
        h, w = frame.shape
        scanned = None if motion.full_frame or not self.cfg.detect.motion_gating else motion.regions
        tracked = self._tracker.update(self._filter(raw, float(h * w)), frame.ts, scanned)
        self._last = (motion, tracked.detections)
        obs = Observation(
            camera_id=self.camera_id,
            ts=frame.ts,
            wall=frame.wall,
            frame_shape=frame.shape,
            detections=tracked.detections,
            stationary=tracked.stationary,
            ended_tracks=tracked.ended,
            static_blobs=static_blobs,
            tamper=tamper,
            poses=behaviour.poses,
            fight=behaviour.fight,
        )
        events: list[Event] = []
        for rule in self._all_rules:
            events.extend(rule.update(obs))
            for track_id in tracked.ended:
                rule.forget(track_id)
        probes = self._face_probes(frame, tracked.detections, tracked.ended)
        events = self._evidenced(frame, tracked.detections, events)
        counts = analytics.drain_counts(self._rules)
        plates = [] if self.plates is None else self.plates.update(
            frame, tracked.detections, tracked.ended)
        return PipelineOutput(
            frame, motion, tracked.detections, events, True, counts, probes, plate_reads=plates
        )

    def _pose_only(self, frame: Frame, behaviour: BehaviourOutput) -> PipelineOutput:
        # A frame between detection frames (or whose detection was dropped): only the
        # pose-based rules run; the last tracked objects stand for this instant.
        motion, dets = self._last or (_NO_MOTION, Detections.empty(self._class_names))
        events: list[Event] = []
        if behaviour.poses is not None or behaviour.fight is not None:
            obs = Observation(
                self.camera_id, frame.ts, frame.wall, frame.shape, dets,
                poses=behaviour.poses, fight=behaviour.fight,
            )
            events = [e for rule in self._behaviour_rules for e in rule.update(obs)]
        return PipelineOutput(frame, motion, dets, self._evidenced(frame, dets, events), False)

    def _evidenced(self, frame: Frame, dets: Detections, events: list[Event]) -> list[Event]:
        masked = self._masked(frame, dets, events)
        events = [self._with_evidence(e, frame, dets, masked) for e in events]
        self.stats.events += len(events)
        return events

    def _plate_reader(self) -> VehiclePlateReader:
        if self.plate_reader is None:
            from kuzet.enrich.plate.reader import PlateReader

            plates = self.cfg.plates
            self.plate_reader = PlateReader(tuple(plates.countries), 1, plates.min_plate_px)
        return self.plate_reader

    def close_plates(self) -> list[PlateRead]:
        """Final plate reads of the vehicle tracks still open (camera stopping)."""
        return [] if self.plates is None else self.plates.finish_all()

    def _face_probes(self, frame: Frame, dets: Detections, ended: Iterable[int]) -> list[FaceProbe]:
        if self.faces is None:
            return []
        for track_id in ended:
            self.faces.forget(track_id)
        return self.faces.update(frame, dets)

    def _run_detector(self, frame: Frame, motion: Motion) -> Detections | None:
        if motion.full_frame or not self.cfg.detect.motion_gating:
            self.stats.full_frame_passes += 1
            dets = self._detect(frame.image, None)
        elif len(motion.regions):
            self.stats.region_passes += 1
            dets = self._detect(frame.image, motion.regions)
        else:
            self.stats.skipped_no_motion += 1
            return Detections.empty(self._class_names)
        if dets is None:
            self.stats.detect_drops += 1
        return dets

    def close(self, frame_ts: float, wall: float) -> list[Event]:
        """Close every open event (camera stopping)."""
        if self._shape is None:
            return []
        closed: list[Event] = []
        for rule in self._all_rules:
            closed.extend(rule.close_all(frame_ts, wall))
        return closed

    @property
    def zones_abs(self) -> dict[str, FloatArray]:
        """Zone polygons in pixels of the analysed frame (for drawing)."""
        if self._shape is None:
            return {}
        return {n: rel_to_abs(z.points, self._shape) for n, z in self.cfg.zones.items()}

    def _masked(self, frame: Frame, dets: Detections, events: list[Event]) -> Image | None:
        # The frame with faces, heads and plates blurred, made once per frame and only
        # when an event opens here (frames without new events cost nothing).
        opening = any(e.phase is EventPhase.OPEN for e in events)
        if not opening or self.redactor is None or self._media is None:
            return None
        start = time.perf_counter()
        regions = live_regions(self.redactor, frame.image, dets)
        if regions is None:
            return None  # no copy stored: the API redacts on the fly or refuses (503)
        masked = self.redactor.apply(frame.image, regions)
        self.stats.redacted_snapshots += 1
        self.stats.redact_s += time.perf_counter() - start
        return masked

    def _with_evidence(
        self, event: Event, frame: Frame, dets: Detections, masked: Image | None = None
    ) -> Event:
        # A snapshot is taken when an event opens: the frame that triggered it.
        if event.phase is not EventPhase.OPEN or self._media is None:
            return event
        if dets.track_id is None:
            chosen = dets
        else:
            chosen = dets[np.isin(dets.track_id, event.track_ids)]
        zone_name = event.attrs.get("zone")
        zone = self.zones_abs.get(zone_name) if isinstance(zone_name, str) else None
        boxes, labels = _evidence_boxes(event, chosen)
        quality, max_width = self._events_cfg.snapshot_quality, self._events_cfg.snapshot_max_width
        jpeg = render_snapshot(frame.image, boxes, labels, zone, quality, max_width)
        when = datetime.fromtimestamp(frame.wall, UTC)
        key = snapshot_key(self.camera_id, event.id, when)
        if masked is not None:  # same drawing on the blurred frame; stored before the raw one
            safe = render_snapshot(masked, boxes, labels, zone, quality, max_width)
            self._media.put(redacted_key(key), safe)
        digest = self._media.put(key, jpeg)
        return dataclasses.replace(
            event, evidence=Evidence(snapshot_key=key, snapshot_sha256=digest)
        )


def _evidence_boxes(event: Event, chosen: Detections) -> tuple[FloatArray, list[str]]:
    # Rules about things that are not tracks (an abandoned object, the people of a
    # fight) put their box in attrs, or several boxes in attrs["boxes"].
    boxes = event.attrs.get("boxes")
    if not (isinstance(boxes, list) and boxes and all(len(b) == 4 for b in boxes)):
        box = event.attrs.get("box")
        if not (isinstance(box, list) and len(box) == 4):
            return chosen.xyxy, chosen.labels
        boxes = [box]
    what = str(event.attrs.get("object", event.kind.value))
    extra = np.asarray(boxes, np.float32).reshape(-1, 4)
    return np.concatenate([chosen.xyxy, extra]), [*chosen.labels, *[what] * len(extra)]
