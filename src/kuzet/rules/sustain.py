"""A condition that must hold for a while before it counts, and stop for a while to end.

Shared by the crowd rules: "count >= N for 10 s opens; below for 10 s closes".
Times are frame timestamps in seconds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kuzet.events.lifecycle import TIME_EPS


class Step(enum.Enum):
    """What a ``Sustained.step`` asks the rule to do."""

    NONE = "none"
    HOLD = "hold"  # the condition holds and has held long enough: open / update
    END = "end"  # the condition stopped long enough ago: close


@dataclass(slots=True)
class Sustained:
    """Debounces a boolean condition in both directions.

    Example:
        >>> s = Sustained(min_duration=2, close_after=1)
        >>> script = [(0, True), (2, True), (2.5, False), (3.5, False)]
        >>> [s.step(t, 0.0, ok).value for t, ok in script]
        ['none', 'hold', 'none', 'end']
    """

    min_duration: float
    close_after: float
    active: bool = False
    since: float | None = None  # ts the condition started (or, while active, stopped)
    since_wall: float = 0.0

    def step(self, ts: float, wall: float, condition: bool) -> Step:
        """Feed the condition at ``ts``; returns HOLD, END or NONE."""
        if not self.active:
            if not condition:
                self.since = None
                return Step.NONE
            if self.since is None:
                self.since, self.since_wall = ts, wall
            if ts - self.since < self.min_duration - TIME_EPS:
                return Step.NONE
            self.active, self.since = True, None
            return Step.HOLD
        if condition:
            self.since = None
            return Step.HOLD
        if self.since is None:
            self.since, self.since_wall = ts, wall
        if ts - self.since < self.close_after - TIME_EPS:
            return Step.NONE
        self.active, self.since = False, None
        return Step.END

    def reset(self) -> None:
        """Forget everything (the rule closed its event by other means)."""
        self.active, self.since = False, None
