"""Character confusions between labelled and read plates (edit-distance alignment)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

TOP_CONFUSIONS = 20


def align(truth: str, read: str) -> list[tuple[str, str]]:
    """(truth, read) character pairs of a minimal edit alignment; "" marks a gap.

    Example:
        >>> align("AB1", "A81C")
        [('A', 'A'), ('B', '8'), ('1', '1'), ('', 'C')]
    """
    n, m = len(truth), len(read)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(
                cost[i - 1][j] + 1,
                cost[i][j - 1] + 1,
                cost[i - 1][j - 1] + (truth[i - 1] != read[j - 1]),
            )
    pairs: list[tuple[str, str]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (truth[i - 1] != read[j - 1]):
            pairs.append((truth[i - 1], read[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            pairs.append((truth[i - 1], ""))
            i -= 1
        else:
            pairs.append(("", read[j - 1]))
            j -= 1
    return pairs[::-1]


def confusions(
    reads: Iterable[tuple[str, str]], top: int = TOP_CONFUSIONS
) -> list[dict[str, object]]:
    """The most frequent character errors over (truth, read) pairs.

    A missing character reads as ``""``; an extra one has ``truth`` ``""``. Images
    with no read at all are left out (they are counted by ``found``).

    Example:
        >>> confusions([("RK0O", "RK00"), ("BO", "B0")])
        [{'truth': 'O', 'read': '0', 'count': 2}]
    """
    counts: Counter[tuple[str, str]] = Counter()
    for truth, read in reads:
        if read:
            counts.update(p for p in align(truth, read) if p[0] != p[1])
    return [
        {"truth": t, "read": r, "count": n}
        for (t, r), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    ]
