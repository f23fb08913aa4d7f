"""Recording retention by time and by space; segments under legal hold are never deleted.

One run (:meth:`RecordingRetention.run`):

1. **days**: segments that ended more than ``record.days`` ago (per camera);
2. **events mode**: segments of ``mode: events`` cameras that overlap no event's
   span (start - pre_s .. end + post_s), once they are ``GRACE_S`` + ``pre_s`` old
   (an event may still open and claim them);
3. **quota**: while all recordings together exceed ``record.quota_gb``, the oldest
   segments first.

Joined and redacted playback copies under ``cache/spans/`` are deleted
``CACHE_S`` after they were last written (they are rebuilt on demand).

A segment overlapping the span of a held event stays in every step. A file that
cannot be deleted is counted in ``errors`` and retried next run; nothing raises.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kuzet.config.record import RecordConfig
from kuzet.record.playback import CACHE, RecordedCameras
from kuzet.record.segment import Segment
from kuzet.record.spans import Span, spans_near

log = logging.getLogger(__name__)

GRACE_S = 60.0
CACHE_S = 3600.0
BATCH = 200
GB = 1_000_000_000


@dataclass
class RecordRetentionReport:
    """What one run deleted (segments per reason), what it kept on hold, and the total."""

    removed: dict[str, int] = field(
        default_factory=lambda: {"days": 0, "events": 0, "quota": 0, "cache": 0}
    )
    freed_bytes: int = 0
    held: int = 0
    errors: int = 0
    total_bytes: int = 0
    over_quota: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (audit details, CLI)."""
        return {
            "removed": dict(self.removed),
            "freed_bytes": self.freed_bytes,
            "held": self.held,
            "errors": self.errors,
            "total_bytes": self.total_bytes,
            "over_quota": self.over_quota,
        }


class RecordingRetention(RecordedCameras):
    """Deletes recording segments by age, by event mode and by quota.

    Args:
        index: The segment index (its engine also holds the events and holds).
        media_root: Media folder the segment keys are relative to.
        default: The global ``record`` section (quota; settings of unknown cameras).
        cameras: Each camera's merged ``record`` section.
    """

    def run(self, now: datetime | None = None) -> RecordRetentionReport:
        """One pass of the three steps; see the module docstring."""
        now = now or datetime.now(UTC)
        report = RecordRetentionReport()
        for camera_id in sorted(set(self.cameras) | self.index.cameras()):
            cfg = self.config(camera_id)
            if cfg.days is not None:
                before = now - timedelta(days=cfg.days)
                old = self.index.oldest(10 * BATCH, camera_id=camera_id, before=before)
                self._delete(self._unheld(old, report), "days", report)
            if cfg.mode == "events":
                self._events_mode(camera_id, cfg, now, report)
        self._quota(report)
        self._prune_cache(now, report)
        report.total_bytes = self.index.total_size()
        return report

    def _spans(self, camera_id: str, segs: list[Segment], held_only: bool) -> list[Span]:
        window = (min(s.start for s in segs), max(s.end for s in segs))
        return spans_near(self.index.engine, camera_id, window, self.config(camera_id), held_only)

    def _unheld(self, segs: list[Segment], report: RecordRetentionReport) -> list[Segment]:
        """``segs`` minus those overlapping a held event's span (counted in ``held``)."""
        out: list[Segment] = []
        by_camera: dict[str, list[Segment]] = {}
        for seg in segs:
            by_camera.setdefault(seg.camera_id, []).append(seg)
        for camera_id, group in by_camera.items():
            held = self._spans(camera_id, group, held_only=True)
            for seg in group:
                if any(span.overlaps(seg.start, seg.end) for span in held):
                    report.held += 1
                else:
                    out.append(seg)
        return out

    def _events_mode(
        self, camera_id: str, cfg: RecordConfig, now: datetime, report: RecordRetentionReport
    ) -> None:
        before = now - timedelta(seconds=GRACE_S + cfg.pre_s)
        segs = self.index.oldest(10 * BATCH, camera_id=camera_id, before=before)
        if not segs:
            return
        spans = self._spans(camera_id, segs, held_only=False)
        loose = [s for s in segs if not any(p.overlaps(s.start, s.end) for p in spans)]
        self._delete(loose, "events", report)

    def _quota(self, report: RecordRetentionReport) -> None:
        if self.default.quota_gb is None:
            return
        quota = int(self.default.quota_gb * GB)
        total, offset = self.index.total_size(), 0
        while total > quota:
            batch = self.index.oldest(BATCH, offset=offset)
            if not batch:
                report.over_quota = True  # everything left is held
                log.warning("recordings exceed the quota; the rest is under legal hold")
                return
            free = self._unheld(batch, report)
            offset += len(batch) - len(free)
            for seg in free:
                if total <= quota:
                    return
                if self._delete([seg], "quota", report):
                    total -= seg.size
                else:
                    offset += 1

    def _prune_cache(self, now: datetime, report: RecordRetentionReport) -> None:
        cutoff = now.timestamp() - CACHE_S
        cache = self.root / CACHE
        for path in [*cache.glob("*/*.mp4"), *cache.glob("*/*.passes.json")]:
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    report.removed["cache"] += 1
            except OSError:
                report.errors += 1

    def _delete(self, segs: Iterable[Segment], reason: str, report: RecordRetentionReport) -> int:
        """Delete files then index rows; a file that cannot go keeps its row. Segments gone."""
        gone: list[str] = []
        for seg in segs:
            try:
                (self.root / seg.key).unlink(missing_ok=True)
            except OSError as exc:
                log.warning("cannot delete recording %s: %s", seg.key, exc)
                report.errors += 1
                continue
            gone.append(seg.key)
            report.freed_bytes += seg.size
        self.index.remove(gone)
        report.removed[reason] += len(gone)
        return len(gone)


class RetentionLoop:
    """Runs a ``RecordingRetention`` every ``every`` seconds in a daemon thread.

    Args:
        job: The retention job.
        every: Seconds between runs (short: the quota must act before the disk fills).
        on_report: Called with each run's report (audit, health).
    """

    def __init__(
        self,
        job: RecordingRetention,
        every: float,
        on_report: Callable[[RecordRetentionReport], None] | None = None,
    ) -> None:
        self.job = job
        self.every = every
        self.last: RecordRetentionReport | None = None
        self._on_report = on_report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="record-retention", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (waits for a run in progress)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.last = self.job.run()
            except Exception:  # noqa: BLE001 - thread boundary: a failed run is retried
                log.exception("recording retention run failed")
                continue
            if self._on_report is not None:
                self._on_report(self.last)
