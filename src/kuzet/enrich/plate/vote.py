"""Voting over the reads of one vehicle track.

Reads are grouped by length; the length with the largest total weight wins and
each of its positions takes the character with the largest summed weight (a
read's weight is its OCR confidence x format plausibility x crop quality). The
voted string is classified against the plate formats (its text is not changed:
each read was already re-ranked with its OCR probabilities).

Confidence = (share of weight behind the winning length) x (mean share of
weight behind each winning character) x (weighted mean score of the reads of
that length). A single clean read keeps its own score; disagreeing reads lower it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kuzet.enrich.plate.grammar import DEFAULT_COUNTRIES, match

STABLE_READS = 3  # reads needed before a vote can be called stable
STABLE_AGREEMENT = 0.75  # share of the weight behind the voted text


@dataclass(frozen=True, slots=True)
class Vote:
    """The current result of a track's vote.

    Attributes:
        text: Voted plate text.
        country: Country of the format the voted text fits, or None.
        plate_format: Name of that format (e.g. ``KZ current``), or None.
        confidence: 0-1 (see the module docstring).
        agreement: Share of the weight that agrees with ``text`` character-wise.
        reads: Number of reads voted.
    """

    text: str
    country: str | None
    confidence: float
    agreement: float
    reads: int
    plate_format: str | None = None


@dataclass
class PlateVote:
    """Accumulates the reads of one track.

    Example:
        >>> vote = PlateVote()
        >>> for text in ("123ABC01", "123A8C01", "123ABC01"):
        ...     vote.add(text, score=0.9, quality=1.0)
        >>> vote.result().text
        '123ABC01'
    """

    countries: tuple[str, ...] = DEFAULT_COUNTRIES
    _reads: list[tuple[str, float, float]] = field(default_factory=list)  # text, score, weight
    _history: list[str] = field(default_factory=list)

    def add(self, text: str, score: float, quality: float = 1.0) -> None:
        """Add one read.

        Args:
            text: Normalised read.
            score: OCR confidence x format plausibility (0-1).
            quality: 0-1 crop quality (weights the read).

        Raises:
            ValueError: ``score`` or ``quality`` outside 0-1.
        """
        if not (0.0 <= score <= 1.0 and 0.0 <= quality <= 1.0):
            raise ValueError(f"score and quality must be in 0-1, got {score} and {quality}")
        if not text:
            return
        self._reads.append((text, score, score * (0.25 + 0.75 * quality)))
        result = self.result()
        if result is not None:
            self._history.append(result.text)

    def __len__(self) -> int:
        return len(self._reads)

    def result(self) -> Vote | None:
        """The vote so far, or None before the first read."""
        if not self._reads:
            return None
        by_length: dict[int, float] = defaultdict(float)
        for text, _score, weight in self._reads:
            by_length[len(text)] += weight
        total = sum(by_length.values())
        length = max(by_length, key=lambda n: by_length[n])
        group = [(t, s, w) for t, s, w in self._reads if len(t) == length]
        chars: list[str] = []
        shares: list[float] = []
        for pos in range(length):
            tally: dict[str, float] = defaultdict(float)
            for text, _score, weight in group:
                tally[text[pos]] += weight
            best = max(tally, key=lambda c: tally[c])
            chars.append(best)
            shares.append(tally[best] / max(sum(tally.values()), 1e-9))
        group_w = by_length[length]
        mean_score = sum(s * w for _t, s, w in group) / max(group_w, 1e-9)
        agreement = (group_w / max(total, 1e-9)) * (sum(shares) / max(len(shares), 1))
        fitted = match("".join(chars), self.countries)
        return Vote(
            fitted.text,
            fitted.country,
            round(agreement * mean_score, 4),
            round(agreement, 4),
            len(self._reads),
            fitted.plate_format,
        )

    @property
    def stable(self) -> bool:
        """Enough agreeing reads, and the last two votes gave the same text."""
        result = self.result()
        return (
            result is not None
            and result.reads >= STABLE_READS
            and result.agreement >= STABLE_AGREEMENT
            and len(self._history) >= 2
            and self._history[-1] == self._history[-2]
        )
