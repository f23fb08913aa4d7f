"""Typed data passed between pipeline stages.

These are the only things that cross stage boundaries: ``Frame`` (ingest ->
motion/detect), ``Detections`` (detect -> track -> rules), ``Observation``
(one camera at one instant, what every rule consumes) and ``Event``.
``Detections`` is struct-of-arrays, in the manner of supervision's type: filter
with boolean masks, build with ``empty()``/``merge()``.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from kuzet.core.health import CameraHealth as CameraHealth
from kuzet.core.health import CameraState as CameraState

if TYPE_CHECKING:  # core.fight imports this module at run time
    from kuzet.core.fight import FightWindow

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame of one camera.

    Attributes:
        camera_id: Camera name from the config.
        seq: Index of the frame in its source (decoded order, starts at 0).
        ts: Seconds; from the stream's PTS for files, wall clock for live streams.
        wall: Wall-clock UNIX time when the frame was decoded.
        image: HxWx3 BGR uint8 at analysis resolution.
    """

    camera_id: str
    seq: int
    ts: float
    wall: float
    image: Image

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) of the image."""
        return (int(self.image.shape[0]), int(self.image.shape[1]))


@dataclass(frozen=True, slots=True)
class Motion:
    """Motion found on a frame.

    Attributes:
        boxes: (N,4) xyxy pixel boxes of moving areas.
        regions: (M,4) xyxy square crops the detector should scan.
        full_frame: True when the detector should scan the whole frame.
        changed_fraction: Fraction of the frame area that changed.
    """

    boxes: FloatArray
    regions: FloatArray
    full_frame: bool = False
    changed_fraction: float = 0.0


def _column(values: Any, dtype: Any, n: int, name: str) -> Any:
    arr = np.asarray(values, dtype=dtype)
    if arr.shape != (n,):
        raise ValueError(f"Detections.{name} must have shape ({n},), got {arr.shape}")
    return arr


@dataclass(frozen=True)
class Detections:
    """A batch of detected (optionally tracked) objects, one row per object.

    Attributes:
        xyxy: (N,4) float32 boxes in absolute pixels.
        score: (N,) float32 confidences in 0..1.
        class_id: (N,) int64 class indices (see ``class_names``).
        track_id: (N,) int64 track ids, or None before tracking. Every row has a
            real id when present: untracked rows are filtered, never -1.
        attrs: Extra per-row columns (e.g. ``keypoints`` (N,17,3), ``landmarks``).
        class_names: Index -> name for ``class_id``.

    Example:
        >>> d = Detections.empty()
        >>> len(d)
        0
    """

    xyxy: FloatArray
    score: FloatArray
    class_id: IntArray
    track_id: IntArray | None = None
    attrs: Mapping[str, npt.NDArray[Any]] = field(default_factory=dict)
    class_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        n = xyxy.shape[0]
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "score", _column(self.score, np.float32, n, "score"))
        object.__setattr__(self, "class_id", _column(self.class_id, np.int64, n, "class_id"))
        if self.track_id is not None:
            object.__setattr__(self, "track_id", _column(self.track_id, np.int64, n, "track_id"))
        for key, col in self.attrs.items():
            if len(col) != n:
                raise ValueError(f"Detections.attrs[{key!r}] has {len(col)} rows, expected {n}")

    @classmethod
    def empty(cls, class_names: tuple[str, ...] = ()) -> Detections:
        """No objects."""
        return cls(
            xyxy=np.zeros((0, 4), np.float32),
            score=np.zeros(0, np.float32),
            class_id=np.zeros(0, np.int64),
            class_names=class_names,
        )

    @classmethod
    def merge(cls, parts: list[Detections]) -> Detections:
        """Concatenate batches; attrs present in every part are kept."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        keys = set.intersection(*(set(p.attrs) for p in parts))
        tracked = all(p.track_id is not None for p in parts)
        return cls(
            xyxy=np.concatenate([p.xyxy for p in parts]),
            score=np.concatenate([p.score for p in parts]),
            class_id=np.concatenate([p.class_id for p in parts]),
            track_id=(
                np.concatenate([p.track_id for p in parts if p.track_id is not None])
                if tracked
                else None
            ),
            attrs={k: np.concatenate([p.attrs[k] for p in parts]) for k in keys},
            class_names=parts[0].class_names,
        )

    def __len__(self) -> int:
        return int(self.xyxy.shape[0])

    def __getitem__(self, index: Any) -> Detections:
        """Select rows with a boolean mask, an index array or a slice."""
        if isinstance(index, int):
            index = [index]
        return Detections(
            xyxy=self.xyxy[index],
            score=self.score[index],
            class_id=self.class_id[index],
            track_id=None if self.track_id is None else self.track_id[index],
            attrs={k: v[index] for k, v in self.attrs.items()},
            class_names=self.class_names,
        )

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self)))

    def with_columns(self, **changes: Any) -> Detections:
        """A copy with some columns replaced (inputs are never mutated)."""
        values: dict[str, Any] = {
            "xyxy": self.xyxy,
            "score": self.score,
            "class_id": self.class_id,
            "track_id": self.track_id,
            "attrs": dict(self.attrs),
            "class_names": self.class_names,
        }
        values.update(changes)
        return Detections(**values)

    @property
    def labels(self) -> list[str]:
        """Class names per row (falls back to the numeric id)."""
        names = self.class_names
        return [names[c] if 0 <= c < len(names) else str(int(c)) for c in self.class_id]

    @property
    def area(self) -> FloatArray:
        """Box areas in square pixels."""
        wh = np.clip(self.xyxy[:, 2:] - self.xyxy[:, :2], 0, None)
        area: FloatArray = (wh[:, 0] * wh[:, 1]).astype(np.float32)
        return area

    @property
    def bottom_center(self) -> FloatArray:
        """(N,2) bottom-centre anchor points, the point every rule uses."""
        return np.stack([(self.xyxy[:, 0] + self.xyxy[:, 2]) / 2, self.xyxy[:, 3]], axis=1).astype(
            np.float32
        )

    def to_records(self) -> list[dict[str, Any]]:
        """JSON-friendly rows (label, score, box, track id)."""
        rows = []
        labels = self.labels
        for i in range(len(self)):
            row: dict[str, Any] = {
                "label": labels[i],
                "class_id": int(self.class_id[i]),
                "score": round(float(self.score[i]), 4),
                "box": [round(float(v), 1) for v in self.xyxy[i]],
            }
            if self.track_id is not None:
                row["track_id"] = int(self.track_id[i])
            rows.append(row)
        return rows


@dataclass(frozen=True, slots=True)
class TamperSignals:
    """Whole-frame measurements the camera-tamper rules judge against baselines.

    Attributes:
        sharpness: Mean gradient energy of the grey frame (drops when defocused).
        texture: Fraction of the frame's cells that have texture (drops when covered).
        brightness: Mean grey level 0-255.
        contrast: Standard deviation of the grey level.
        edges: Small (H,W) float32 edge-magnitude map; its correlation with a
            reference tells whether the camera still sees the same scene.
    """

    sharpness: float
    texture: float
    brightness: float
    contrast: float
    edges: FloatArray


@dataclass(frozen=True, slots=True)
class Observation:
    """One camera at one instant: what every rule consumes.

    Attributes:
        camera_id: Camera name.
        ts: Seconds (the frame's timestamp).
        wall: Wall-clock UNIX time of the frame.
        frame_shape: (height, width) of the analysed frame.
        detections: Tracked detections (``track_id`` set).
        stationary: (N,) bool, True where the track has not moved for a while.
        ended_tracks: Ids of tracks that ended at this instant.
        static_blobs: (N,5) ``x1, y1, x2, y2, static_since_ts`` of foreground blobs
            that became still (computed only for cameras with an abandoned_object rule).
        tamper: Per-frame camera-tamper measurements (only for cameras with a
            camera_tamper rule).
        poses: Multi-person poses of this frame, tracked (``track_id`` are pose-track
            ids, not those of ``detections``) with ``attrs["keypoints"]`` (N,17,3)
            x, y, score; only for cameras with ``smoking`` enabled.
        fight: The fight analyser's verdict on the window ending at this frame (one
            every stride, None between and when ``fights`` is off).
    """

    camera_id: str
    ts: float
    wall: float
    frame_shape: tuple[int, int]
    detections: Detections
    stationary: npt.NDArray[np.bool_] | None = None
    ended_tracks: tuple[int, ...] = ()
    static_blobs: FloatArray | None = None
    tamper: TamperSignals | None = None
    poses: Detections | None = None
    fight: FightWindow | None = None


class EventKind(enum.StrEnum):
    """Event types (store, API, MQTT, eval): the canonical members, and any new rule kind's
    snake_case type (<= 64 chars, the store column) such as ``EventKind("speed_bump")``,
    no member but it compares, hashes, pickles and validates like one (else ValueError)."""

    ZONE_PRESENCE = "zone_presence"
    LINE_CROSSING = "line_crossing"
    WRONG_WAY = "wrong_way"
    LOITERING = "loitering"
    CROWD = "crowd"
    UNUSUAL_CROWD = "unusual_crowd"
    ABANDONED_OBJECT = "abandoned_object"
    CAMERA_TAMPER = "camera_tamper"
    FIGHT = "fight"
    AGGRESSION = "aggression"
    SMOKING = "smoking"
    FACE_MATCH = "face_match"
    PLATE_HIT = "plate_hit"
    SPEEDING = "speeding"
    STOPPED_VEHICLE = "stopped_vehicle"
    CITIZEN_REPORT = "citizen_report"

    @classmethod
    def _missing_(cls, value: object) -> EventKind | None:
        if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", value):
            return None
        kind = str.__new__(cls, value)  # not cached on the class: no registry
        kind._value_, kind._name_ = value, value.upper()
        return kind


class Severity(enum.StrEnum):
    """``alert`` needs an operator; ``detection`` is searchable only."""

    DETECTION = "detection"
    ALERT = "alert"
    CRITICAL = "critical"


class EventPhase(enum.StrEnum):
    """Lifecycle step carried by an event update on the bus."""

    OPEN = "open"
    UPDATE = "update"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class Evidence:
    """References to the media that backs an event.

    Attributes:
        snapshot_key: Object-store-style key of the JPEG snapshot, or None.
        snapshot_sha256: Hex SHA-256 of the snapshot bytes.
        clip_start: Start of the relevant clip span (UTC), if any.
        clip_end: End of the relevant clip span (UTC), if any.
    """

    snapshot_key: str | None = None
    snapshot_sha256: str | None = None
    clip_start: datetime | None = None
    clip_end: datetime | None = None


def new_event_id() -> str:
    """A fresh, sortable-enough unique event id."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Event:
    """Something an operator may act on, with its lifecycle phase.

    The same ``id`` is published with phase ``open``, then zero or more
    ``update`` and finally ``close``; sinks upsert by id.
    """

    id: str
    camera_id: str
    kind: EventKind
    rule_id: str
    phase: EventPhase
    started_at: datetime
    severity: Severity = Severity.ALERT
    ended_at: datetime | None = None
    track_ids: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()
    attrs: Mapping[str, Any] = field(default_factory=dict)
    evidence: Evidence = field(default_factory=Evidence)
    frame_ts: float = 0.0
    frame_wall: float = 0.0
