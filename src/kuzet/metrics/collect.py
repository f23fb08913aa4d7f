"""One scrape: cameras, detectors, alarms, time to acknowledge, disk and citizen intake.

Values are read when Prometheus scrapes (a custom collector), so nothing is
kept in globals and every scrape sees the current state.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from kuzet.core.health import CameraHealth, CameraState
from kuzet.response.models import AlarmRow

ACK_BUCKETS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
ACK_WINDOW = timedelta(hours=24)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class DetectorCounters(Protocol):
    """A detector process's counters (``runtime.messages.DetectorStats`` has them)."""

    @property
    def worker(self) -> int:
        """Detector process number."""

    @property
    def processed(self) -> int:
        """Requests served."""

    @property
    def dropped_stale(self) -> int:
        """Requests dropped as too old."""

    @property
    def dropped_full(self) -> int:
        """Requests dropped as the queue was full."""

    @property
    def mean_ms(self) -> float:
        """Mean detection time, milliseconds."""


@dataclass(frozen=True)
class Sources:
    """Where a scrape reads from.

    Attributes:
        health: Camera health (the live view's ``camera_health``).
        engine: The store (alarms).
        clock: UTC wall clock.
        media_root: The media folder (disk use); None = not reported.
        detectors: Detector counters; None when the process has none.
        citizen: (accepted reports, refusals by reason) since start; None = no intake.
    """

    health: Callable[[], Sequence[CameraHealth]]
    engine: Engine
    clock: Callable[[], datetime]
    media_root: Path | None = None
    detectors: Callable[[], Sequence[DetectorCounters]] | None = None
    citizen: Callable[[], tuple[int, Mapping[str, int]]] | None = None


def _cameras(health: Sequence[CameraHealth]) -> Iterator[Metric]:
    online = GaugeMetricFamily("kuzet_cameras_online", "Cameras online now")
    online.add_metric([], sum(h.state is CameraState.ONLINE for h in health))
    yield online
    states = GaugeMetricFamily("kuzet_cameras", "Cameras by state", labels=["state"])
    for state in CameraState:
        states.add_metric([state.value], sum(h.state is state for h in health))
    yield states
    fps = GaugeMetricFamily("kuzet_camera_fps", "Frames per second (decoded, analysed)",
                            labels=["camera", "stage"])
    drops = CounterMetricFamily("kuzet_camera_detect_drops", "Detection requests dropped",
                                labels=["camera"])
    for h in health:
        fps.add_metric([h.camera_id, "decoded"], h.fps_in)
        fps.add_metric([h.camera_id, "analysed"], h.fps_analysed)
        drops.add_metric([h.camera_id], h.detect_drops)
    yield fps
    yield drops


def _detectors(stats: Sequence[DetectorCounters]) -> Iterator[Metric]:
    latency = GaugeMetricFamily("kuzet_detector_latency_ms", "Mean detection time",
                                labels=["worker"])
    served = CounterMetricFamily("kuzet_detector_requests", "Detection requests served",
                                 labels=["worker"])
    dropped = CounterMetricFamily("kuzet_detector_queue_drops",
                                  "Detection requests dropped by the detector queue",
                                  labels=["worker", "why"])
    for s in stats:
        worker = str(s.worker)
        latency.add_metric([worker], s.mean_ms)
        served.add_metric([worker], s.processed)
        dropped.add_metric([worker, "stale"], s.dropped_stale)
        dropped.add_metric([worker, "full"], s.dropped_full)
    yield from (latency, served, dropped)


def _alarms(engine: Engine, now: datetime) -> Iterator[Metric]:
    a = AlarmRow
    by_state = sa.select(a.state, sa.func.count()).group_by(a.state)
    acked = sa.select(a.opened_at, a.acknowledged_at).where(
        a.acknowledged_at.is_not(None), a.opened_at >= now - ACK_WINDOW)
    with engine.connect() as conn:
        states = {str(s): int(n) for s, n in conn.execute(by_state)}
        waits = [max(0.0, (ack - opened).total_seconds())
                 for opened, ack in conn.execute(acked) if ack is not None]
    gauge = GaugeMetricFamily("kuzet_alarms", "Alarms by state", labels=["state"])
    for state, n in sorted(states.items()):
        gauge.add_metric([state], n)
    yield gauge
    buckets = [(str(b), sum(w <= b for w in waits)) for b in ACK_BUCKETS]
    buckets.append(("+Inf", len(waits)))
    yield HistogramMetricFamily(
        "kuzet_alarm_time_to_acknowledge_seconds",
        "Seconds from opening to acknowledgement, alarms opened in the last 24 h",
        buckets=buckets, sum_value=sum(waits))


def _disk(root: Path) -> Iterator[Metric]:
    usage = shutil.disk_usage(root)
    for name, value, text in (("kuzet_disk_free_bytes", usage.free, "Free bytes"),
                              ("kuzet_disk_used_bytes", usage.used, "Used bytes"),
                              ("kuzet_disk_total_bytes", usage.total, "Size in bytes")):
        gauge = GaugeMetricFamily(name, f"{text} of the media disk", labels=["path"])
        gauge.add_metric(["media"], value)
        yield gauge


def _citizen(accepted: int, refused: Mapping[str, int]) -> Iterator[Metric]:
    ok = CounterMetricFamily("kuzet_citizen_reports_accepted", "Citizen reports accepted")
    ok.add_metric([], accepted)
    yield ok
    bad = CounterMetricFamily("kuzet_citizen_rejections", "Citizen submissions refused",
                              labels=["reason"])
    for reason, n in sorted(refused.items()):
        bad.add_metric([reason], n)
    yield bad


class KuzetCollector(Collector):
    """Reads :class:`Sources` on every scrape."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        """The metric families of one scrape."""
        src = self.sources
        yield from _cameras(src.health())
        if src.detectors is not None:
            yield from _detectors(src.detectors())
        yield from _alarms(src.engine, src.clock())
        if src.media_root is not None:
            yield from _disk(src.media_root)
        if src.citizen is not None:
            yield from _citizen(*src.citizen())


def exposition(sources: Sources) -> bytes:
    """The Prometheus text exposition of one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(KuzetCollector(sources))
    return generate_latest(registry)
