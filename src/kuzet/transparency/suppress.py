"""Small-count suppression: counts 1 .. k-1 become ``"<k"`` (0 is published as 0).

A group that publishes its total gets secondary suppression: when exactly one
cell is hidden, the next smallest non-zero cell is hidden too, so no hidden cell
can be worked out as the total minus the others.
"""

from __future__ import annotations

from collections.abc import Mapping

Count = int | str


def cell(value: int, k: int) -> Count:
    """One count as published.

    Example:
        >>> [cell(v, 5) for v in (0, 1, 4, 5)]
        [0, '<5', '<5', 5]
    """
    return f"<{k}" if 0 < value < k else value


def group(counts: Mapping[str, int], k: int) -> dict[str, Count]:
    """A group of counts whose total is published too (with secondary suppression)."""
    shown: dict[str, Count] = {name: cell(v, k) for name, v in sorted(counts.items())}
    hidden = [n for n, v in shown.items() if isinstance(v, str)]
    if len(hidden) == 1:
        rest = sorted((v, n) for n, v in counts.items() if n not in hidden and v > 0)
        if rest:
            shown[rest[0][1]] = f"<{k}" if rest[0][0] < k else f"≥{k}"
    return shown


def ratio(numerator: int, denominator: int, k: int) -> float | None:
    """``numerator / denominator`` rounded, or None when either part is below ``k``."""
    if denominator < k or (0 < numerator < k) or (0 < denominator - numerator < k):
        return None
    return round(numerator / denominator, 3)
