"""Evidence for events as they open: a snapshot of the triggering frame, stored.

A camera pipeline hands each event with the frame and its tracked objects to
``EvidenceWriter.attach``; an event that opens gets a JPEG of the frame with
its objects (and zone) drawn, stored in the media store, and the key and hash
in ``Event.evidence``. When the caller also has the frame with faces and plates
blurred, the same drawing on it is stored first, under ``redacted_key(key)``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import numpy as np

from kuzet.config.events import EventsConfig
from kuzet.core.types import Detections, Event, EventPhase, Evidence, FloatArray, Frame, Image
from kuzet.events.snapshot import snapshot_key
from kuzet.render.snapshot import render_snapshot
from kuzet.store.media import Media

log = logging.getLogger(__name__)


class EvidenceWriter:
    """Renders and stores the snapshot of each event that opens.

    Args:
        camera_id: The camera (part of the media key).
        media: Where snapshots are stored.
        cfg: Snapshot quality and maximum width.
        redacted_key: Media key of the redacted copy of a snapshot key.

    Example:
        >>> writer = EvidenceWriter("gate", media, EventsConfig(), str)  # doctest: +SKIP
        >>> writer.attach(event, frame, dets, zones={})  # doctest: +SKIP
    """

    def __init__(
        self,
        camera_id: str,
        media: Media,
        cfg: EventsConfig,
        redacted_key: Callable[[str], str],
    ) -> None:
        self.camera_id = camera_id
        self._media = media
        self._cfg = cfg
        self._redacted_key = redacted_key

    def attach(
        self,
        event: Event,
        frame: Frame,
        dets: Detections,
        zones: Mapping[str, FloatArray],
        masked: Image | None = None,
    ) -> Event:
        """``event`` with its snapshot stored and referenced, if it opens here.

        Args:
            event: An event of this frame (only OPEN phases get a snapshot).
            frame: The frame that triggered it.
            dets: The frame's tracked objects (the event's are drawn).
            zones: Zone polygons in pixels of the frame, by name.
            masked: The frame with faces and plates blurred, if made.

        Returns:
            The event, with ``evidence`` set when a snapshot was stored.
        """
        if event.phase is not EventPhase.OPEN:
            return event
        if dets.track_id is None:
            chosen = dets
        else:
            chosen = dets[np.isin(dets.track_id, event.track_ids)]
        zone_name = event.attrs.get("zone")
        zone = zones.get(zone_name) if isinstance(zone_name, str) else None
        boxes, labels = evidence_boxes(event, chosen)
        quality, max_width = self._cfg.snapshot_quality, self._cfg.snapshot_max_width
        jpeg = render_snapshot(frame.image, boxes, labels, zone, quality, max_width)
        when = datetime.fromtimestamp(frame.wall, UTC)
        key = snapshot_key(self.camera_id, event.id, when)
        try:
            if masked is not None:  # same drawing on the blurred frame; stored before the raw one
                safe = render_snapshot(masked, boxes, labels, zone, quality, max_width)
                self._media.put(self._redacted_key(key), safe)
            digest = self._media.put(key, jpeg)
        except OSError as error:  # disk full or media paused: the event goes on without it
            log.warning("event %s: snapshot not stored: %s", event.id, error)
            attrs = {**event.attrs, "snapshot_error": error.strerror or str(error)}
            return dataclasses.replace(event, attrs=attrs)
        return dataclasses.replace(
            event, evidence=Evidence(snapshot_key=key, snapshot_sha256=digest)
        )


def evidence_boxes(event: Event, chosen: Detections) -> tuple[FloatArray, list[str]]:
    """Boxes and captions to draw: the event's tracked objects, plus its own boxes.

    Rules about things that are not tracks (an abandoned object, the people of a
    fight) put their box in ``attrs["box"]``, or several in ``attrs["boxes"]``.

    Args:
        event: The event.
        chosen: The frame's detections that belong to the event.

    Returns:
        (N,4) xyxy boxes and N captions.
    """
    boxes = event.attrs.get("boxes")
    if not (isinstance(boxes, list) and boxes and all(len(b) == 4 for b in boxes)):
        box = event.attrs.get("box")
        if not (isinstance(box, list) and len(box) == 4):
            return chosen.xyxy, chosen.labels
        boxes = [box]
    what = str(event.attrs.get("object", event.kind.value))
    extra = np.asarray(boxes, np.float32).reshape(-1, 4)
    return np.concatenate([chosen.xyxy, extra]), [*chosen.labels, *[what] * len(extra)]
