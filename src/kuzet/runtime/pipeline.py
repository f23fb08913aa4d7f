"""One camera's analysis stages, in data-flow order.

``CameraPipeline.process(frame)`` runs motion -> region planning -> detection
(only where needed) -> tracking -> rules, and has evidence snapshots stored for
events that open (``events.evidence``). The detector is injected (with its
facts: classes, input size) so the same pipeline runs in-process (``kuzet
analyze``) and in a camera worker talking to the shared detector processes
(``kuzet serve``). Build one with ``runtime.build.build_pipeline``.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

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
    FloatArray,
    Frame,
    Image,
    Motion,
    Observation,
)
from kuzet.detect.base import DetectorInfo
from kuzet.enrich.face.tracker import FaceTracker
from kuzet.enrich.plate.reader import VehiclePlateReader
from kuzet.enrich.plate.tracks import TrackPlates
from kuzet.events.evidence import EvidenceWriter
from kuzet.ingest.timing import FrameSampler
from kuzet.motion import MotionDetector, RegionPlanner
from kuzet.privacy.redaction import Redactor
from kuzet.privacy.snapshots import redacted_key
from kuzet.rules import analytics, build_behaviour_rules, build_rules
from kuzet.runtime.behaviour import BehaviourOutput, BehaviourStage, FightScorer, PoseFn
from kuzet.runtime.filters import DetectionFilter
from kuzet.runtime.live_redaction import live_regions
from kuzet.runtime.scene import SceneAnalysis
from kuzet.store.media import Media
from kuzet.track import ByteTracker, TrackerFactory

log = logging.getLogger(__name__)

_NO_MOTION = Motion(np.zeros((0, 4), np.float32), np.zeros((0, 4), np.float32))


class FrameDetector(Protocol):
    """The detector as the pipeline sees it: facts, and detections or a drop.

    Any ``ObjectDetector`` is one; a camera worker's ``RemoteDetector`` returns
    None when its request was dropped (queue full / stale): the frame is then
    not analysed.
    """

    @property
    def info(self) -> DetectorInfo:
        """The model's classes, input size and task."""
        ...

    def detect(self, image: Image, regions: FloatArray | None = None) -> Detections | None:
        """Detections on the whole frame (``regions`` None) or on square crops."""
        ...


@dataclass(frozen=True)
class PipelineParts:
    """A camera pipeline's collaborators, all given at construction.

    Attributes:
        media: Where evidence snapshots are stored; None stores none.
        events: Snapshot quality and size.
        state_dir: Where rules keep state across restarts (baselines).
        redactor: When set (and ``media``), a redacted copy of each snapshot is
            also stored under ``redacted/<snapshot key>``.
        tracker: Builds the tracker for the tracking settings and frame size.
        plate_reader: Plate reader; None loads the default on the first frame
            (only when ``plates.enabled``).
        pose: Pose estimator; None loads MoveNet on the first frame when needed.
        fight_analyzer: Fight scorer; None loads the shipped model when needed.
    """

    media: Media | None = None
    events: EventsConfig = field(default_factory=EventsConfig)
    state_dir: Path | None = None
    redactor: Redactor | None = None
    tracker: TrackerFactory = ByteTracker
    plate_reader: VehiclePlateReader | None = None
    pose: PoseFn | None = None
    fight_analyzer: FightScorer | None = None


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
    # The detector's own output for this very frame (None: no detection pass ran
    # on it); live redaction trusts only these, not the tracker's older boxes.
    fresh: Detections | None = None


class CameraPipeline:
    """Motion-gated detection, tracking and rules for one camera.

    Build one with ``runtime.build.build_pipeline`` (which also checks the
    camera's class names against the detector's model).

    Args:
        camera_id: The camera's id.
        cfg: The camera's merged config.
        detector: Its detector, with the facts of its model.
        parts: The collaborators; nothing is set on the pipeline afterwards.
    """

    def __init__(
        self, camera_id: str, cfg: CameraConfig, detector: FrameDetector, parts: PipelineParts
    ) -> None:
        self.camera_id = camera_id
        self.cfg = cfg
        self.info = detector.info
        self._detector = detector
        self._parts = parts
        self._filter = DetectionFilter(cfg.detect, self.info.class_names)
        self._class_names = self.info.class_names
        self._shape: tuple[int, int] | None = None
        self.stats = PipelineStats()
        self.faces = FaceTracker(camera_id, cfg.faces) if cfg.faces.enabled else None
        self._plate_reader = parts.plate_reader  # loaded on the first frame when needed
        self.plates: TrackPlates | None = None
        self._evidence = None if parts.media is None else EvidenceWriter(
            camera_id, parts.media, parts.events, redacted_key)

    def _start(self, shape: tuple[int, int]) -> None:
        # Stages that need the frame size are built on the first frame.
        self._shape = shape
        masks = [*self.cfg.motion.masks, *self.cfg.masks]
        self._motion = MotionDetector(self.cfg.motion.model_copy(update={"masks": masks}), shape)
        # Crops are squares the model sees at native resolution (its input size).
        self._planner = RegionPlanner(self.info.region_size, self.cfg.detect.full_frame_interval)
        self._tracker = self._parts.tracker(self.cfg.tracking, shape)
        self._rules = build_rules(self.camera_id, self.cfg, shape)
        self._scene = SceneAnalysis(self.cfg, shape)
        parts = self._parts
        self.behaviour = BehaviourStage(self.cfg, shape, parts.pose, parts.fight_analyzer)
        self._behaviour_rules = build_behaviour_rules(
            self.camera_id, self.cfg, self.behaviour.threshold
        )
        self._all_rules = [*self._rules, *self._behaviour_rules]
        # With pose on, frames arrive at the pose rate; detection keeps detect.fps.
        rate, fps = self.cfg.decode_fps, self.cfg.detect.fps
        self._detect_gate = FrameSampler(fps, rate) if rate > fps else None
        self._last: tuple[Motion, Detections] | None = None
        analytics.use_state_dir(self._rules, parts.state_dir)
        if self.cfg.plates.enabled and self.plates is None:
            self.plates = TrackPlates(self.camera_id, self.cfg.plates, self._plates_reader())

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
            frame, motion, tracked.detections, events, True, counts, probes, plate_reads=plates,
            fresh=raw,
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
        if self._evidence is not None:
            masked = self._masked(frame, dets, events)
            zones = self.zones_abs
            events = [self._evidence.attach(e, frame, dets, zones, masked) for e in events]
        self.stats.events += len(events)
        return events

    def _plates_reader(self) -> VehiclePlateReader:
        if self._plate_reader is None:
            from kuzet.enrich.plate.reader import PlateReader

            plates = self.cfg.plates
            self._plate_reader = PlateReader(tuple(plates.countries), 1, plates.min_plate_px)
        return self._plate_reader

    def close_plates(self) -> list[PlateRead]:
        """Final plate reads of the vehicle tracks still open (camera stopping)."""
        return [] if self.plates is None else self.plates.finish_all()

    def close_faces(self) -> list[FaceProbe]:
        """Face decisions of the person tracks still open (camera stopping)."""
        return [] if self.faces is None else self.faces.finish_all()

    def _face_probes(self, frame: Frame, dets: Detections, ended: Iterable[int]) -> list[FaceProbe]:
        if self.faces is None:
            return []
        decided = [self.faces.finish(track_id) for track_id in ended]
        return [p for p in decided if p is not None] + self.faces.update(frame, dets)

    def _run_detector(self, frame: Frame, motion: Motion) -> Detections | None:
        if motion.full_frame or not self.cfg.detect.motion_gating:
            self.stats.full_frame_passes += 1
            dets = self._detector.detect(frame.image, None)
        elif len(motion.regions):
            self.stats.region_passes += 1
            dets = self._detector.detect(frame.image, motion.regions)
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
        redactor = self._parts.redactor
        if not opening or redactor is None:
            return None
        start = time.perf_counter()
        regions = live_regions(redactor, frame.image, dets)
        if regions is None:
            return None  # no copy stored: the API redacts on the fly or refuses (503)
        masked = redactor.apply(frame.image, regions)
        self.stats.redacted_snapshots += 1
        self.stats.redact_s += time.perf_counter() - start
        return masked
