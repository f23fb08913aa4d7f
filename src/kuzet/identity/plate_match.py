"""Plate text normalisation and weighted, wildcard-aware edit distance.

A hotlist entry is a pattern: literal characters, ``?`` (exactly one character)
and ``*`` (any run, possibly empty). The distance between a pattern and a read is
the cheapest way to turn one into the other, where wildcards match for free, a
substitution between OCR look-alikes costs ``confusion_cost`` and every other
edit costs 1::

    pattern  1 2 3 A B C 0 1
    read     1 2 3 A 8 C 0 1      B -> 8 look-alike: distance 0.5
"""

from __future__ import annotations

import math

# Characters an OCR engine confuses on plates; a substitution inside one group is cheap.
CONFUSION_GROUPS = ("O0QD", "I1L", "B8", "S5", "Z2", "G6", "A4", "T7", "UV")
_GROUP_OF = {c: i for i, group in enumerate(CONFUSION_GROUPS) for c in group}
WILDCARDS = frozenset("*?")


def normalise_plate(text: str, *, keep_wildcards: bool = False) -> str:
    """Uppercase, without spaces, dashes or other separators.

    Args:
        text: Plate text as typed or read, e.g. ``"123 abc-01"``.
        keep_wildcards: Keep ``*`` and ``?`` (for patterns).

    Returns:
        The normalised text, e.g. ``"123ABC01"``.

    Example:
        >>> normalise_plate(" 123 abc-01 ")
        '123ABC01'
    """
    return "".join(
        c for c in text.upper() if c.isalnum() or (keep_wildcards and c in WILDCARDS)
    )


def confusable(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are OCR look-alikes (e.g. ``O`` and ``0``)."""
    group = _GROUP_OF.get(a)
    return group is not None and group == _GROUP_OF.get(b)


def _sub_cost(p: str, t: str, confusion_cost: float) -> float:
    if p == t or p == "?":
        return 0.0
    return confusion_cost if confusable(p, t) else 1.0


def plate_distance(pattern: str, text: str, confusion_cost: float = 0.5) -> float:
    """Weighted edit distance between a (wildcard) pattern and a plate read.

    Args:
        pattern: Normalised pattern (may hold ``*`` and ``?``).
        text: Normalised read.
        confusion_cost: Cost of substituting look-alike characters (0-1].

    Returns:
        The distance (0 = exact or wildcard match).

    Example:
        >>> plate_distance("123ABC01", "123A8C01")
        0.5
        >>> plate_distance("123*01", "123ABC01")
        0.0
    """
    prev = [0.0] * (len(text) + 1)
    for j in range(1, len(text) + 1):
        prev[j] = float(j)
    for p in pattern:
        cur = [0.0] * (len(text) + 1)
        if p == "*":
            cur[0] = prev[0]
            for j in range(1, len(text) + 1):
                cur[j] = min(prev[j], cur[j - 1])  # empty run, or one more character
        else:
            cur[0] = prev[0] + 1.0
            for j, t in enumerate(text, start=1):
                cur[j] = min(
                    prev[j - 1] + _sub_cost(p, t, confusion_cost),
                    prev[j] + 1.0,  # pattern character missing from the read
                    cur[j - 1] + 1.0,  # extra character in the read
                )
        prev = cur
    return prev[-1]


def match_distance(
    pattern: str, text: str, *, fuzzy: bool, confusion_cost: float = 0.5
) -> float:
    """Distance of a read from an entry; ``inf`` for no match when ``fuzzy`` is off.

    Args:
        pattern: Normalised entry plate or pattern.
        text: Normalised read.
        fuzzy: Allow edits (else only exact and wildcard matches count).
        confusion_cost: Cost of substituting look-alike characters.

    Returns:
        0 for an exact (wildcard) match, the weighted distance when fuzzy, else ``inf``.
    """
    exact = plate_distance(pattern, text, confusion_cost=0.5) == 0.0
    if exact:
        return 0.0
    return plate_distance(pattern, text, confusion_cost) if fuzzy else math.inf
