"""Optional capabilities of rules beyond ``Rule``, which the pipeline uses.

Some rules offer:
``CountingRule.drain_counts()`` (line counts to export) and
``StatefulRule.use_state_dir()/save_state()`` (a baseline kept on disk).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from kuzet.core.counts import LineCount


@runtime_checkable
class CountingRule(Protocol):
    """A rule that counts (e.g. line crossings) and hands the increments over."""

    def drain_counts(self) -> list[LineCount]:
        """Increments since the last call."""
        ...


@runtime_checkable
class StatefulRule(Protocol):
    """A rule with state that outlives the process (e.g. a learned baseline)."""

    def use_state_dir(self, state_dir: Path) -> None:
        """Load state from, and later save it to, ``state_dir``."""
        ...

    def save_state(self) -> None:
        """Write the state now."""
        ...


def drain_counts(rules: Iterable[object]) -> list[LineCount]:
    """Every count increment of the counting rules among ``rules``."""
    return [c for rule in rules if isinstance(rule, CountingRule) for c in rule.drain_counts()]


def use_state_dir(rules: Iterable[object], state_dir: Path | None) -> None:
    """Give every stateful rule its state dir (no-op when None)."""
    if state_dir is None:
        return
    for rule in rules:
        if isinstance(rule, StatefulRule):
            rule.use_state_dir(state_dir)
