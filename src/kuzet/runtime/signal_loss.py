"""camera_tamper / signal_loss, raised in the main process from camera health.

No frames arrive when a camera's signal is lost, so no in-camera rule can see
it: the supervisor asks ``SignalLossMonitor.check`` about each camera's latest
health twice a second. When no frame has been decoded for ``signal_loss_after``
seconds (wall clock) an event opens (``attrs.tamper = "signal_loss"``); it closes
when frames flow again.
"""

from __future__ import annotations

from collections.abc import Callable

from kuzet.config.cameras import CameraConfig
from kuzet.config.rules import CameraTamperRuleConfig
from kuzet.config.timezone import zone
from kuzet.core.types import CameraHealth, Event
from kuzet.events.bus import Bus
from kuzet.events.lifecycle import EventContent
from kuzet.rules.camera_tamper import tamper_events

_KEY = "signal_loss"


class SignalLossMonitor:
    """Signal-loss events of one camera (one per signal_loss rule).

    Args:
        camera_id: The camera.
        cam: Its config; only enabled ``camera_tamper`` rules of type signal_loss count.
        started: Wall-clock time the camera was started (a camera that never
            delivers a frame is lost ``signal_loss_after`` s after this).

    Example:
        >>> mon = SignalLossMonitor("cam", cam_cfg, time.time())  # doctest: +SKIP
        >>> mon.check(health, time.time())  # doctest: +SKIP
    """

    def __init__(self, camera_id: str, cam: CameraConfig, started: float) -> None:
        self._rules = [
            r
            for r in cam.rules
            if isinstance(r, CameraTamperRuleConfig) and r.enabled and r.tamper == "signal_loss"
        ]
        self._trackers = [tamper_events(r, camera_id, zone(cam.timezone)) for r in self._rules]
        self._started = started
        self._opened: dict[int, float] = {}  # rule index -> started_at of its open event

    @property
    def active(self) -> bool:
        """Whether the camera has a signal_loss rule at all."""
        return bool(self._rules)

    def check(self, health: CameraHealth | None, now: float) -> list[Event]:
        """Events caused by the camera's latest health at wall-clock time ``now``."""
        last = health.last_frame_wall if health is not None else None
        since = last if last is not None else self._started
        stalled = now - since
        events: list[Event] = []
        for index, (rule, tracker) in enumerate(zip(self._rules, self._trackers, strict=True)):
            event = None
            if stalled > rule.signal_loss_after:
                attrs: dict[str, object] = {
                    "tamper": "signal_loss", "since_frame_s": round(stalled, 1),
                    "last_frame_at": last,
                }  # fmt: skip
                if health is not None and health.reason:
                    attrs["reason"] = health.reason
                if not tracker.is_open(_KEY):
                    # The signal counts as lost once no frame came for signal_loss_after s.
                    started = min(now, since + rule.signal_loss_after)
                    self._opened[index] = started
                    event = tracker.open(_KEY, now, started, EventContent(attrs=attrs))
            elif tracker.is_open(_KEY):
                # A frame decoded before the loss was noticed (health arrives late)
                # cannot end the event before it started.
                ended = max(last if last is not None else now, self._opened.get(index, now))
                event = tracker.close(_KEY, now, now, ended_wall=ended)
            if event is not None:
                events.append(event)
        return events

    def close_all(self, now: float) -> list[Event]:
        """Close open events (runtime stopping)."""
        return [e for t in self._trackers for e in t.close_all(now, now)]



class SignalLossWatch:
    """The signal-loss monitors of every camera; events go to ``bus``.

    Args:
        bus: Where the events are published.

    Example:
        >>> watch = SignalLossWatch(bus)  # doctest: +SKIP
        >>> watch.add("gate", config.cameras["gate"], time.time())  # doctest: +SKIP
        >>> watch.check(lambda camera_id: (health, False), time.time())  # doctest: +SKIP
    """

    def __init__(self, bus: Bus[Event]) -> None:
        self._bus = bus
        self._monitors: dict[str, SignalLossMonitor] = {}

    def add(self, camera_id: str, cam: CameraConfig, started: float) -> None:
        """Watch a camera started at wall-clock time ``started``."""
        self._monitors[camera_id] = SignalLossMonitor(camera_id, cam, started)

    def check(self, state: Callable[[str], tuple[CameraHealth | None, bool]], now: float) -> None:
        """Publish the events of every watched camera's latest state.

        Args:
            state: Camera id -> (latest health, whether its file has ended); an
                ended file lost no signal and is not checked.
            now: Wall-clock time.
        """
        for camera_id, monitor in self._monitors.items():
            if not monitor.active:
                continue
            health, finished = state(camera_id)
            if not finished:
                for event in monitor.check(health, now):
                    self._bus.publish(event)

    def close_all(self, now: float) -> None:
        """Close and publish the open events (runtime stopping)."""
        for monitor in self._monitors.values():
            for event in monitor.close_all(now):
                self._bus.publish(event)
