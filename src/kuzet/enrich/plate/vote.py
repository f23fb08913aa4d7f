"""The decision of one vehicle track: its reads combined character by character.

Each read carries a weight (its OCR confidence x format plausibility, scaled by
crop quality) and, per character, the probability the recogniser gave it.
Reads are grouped by length; the length with the largest total weight wins.
Within it, every position sums, over the reads, ``weight x character
probability`` per character: a position becomes one combined segment whose
alternatives are those sums over the group's weight. The combined segments go
through the same format step as a single read (``grammar.rerank``): a position
the frames agree on is sure (>= ``grammar.LOCKED``) and never changed, and a
position they split (``B`` in two frames, ``8`` in one) is settled by the
formats' joint likelihood, among the characters the frames read.

Confidence = (share of weight behind the winning length) x (mean share of the
combined probability behind each chosen character) x (weighted mean score of
the reads of that length). A single clean read keeps its own score;
disagreeing reads lower it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kuzet.enrich.plate.ctc import Segment
from kuzet.enrich.plate.grammar import DEFAULT_COUNTRIES, rerank

STABLE_READS = 3  # reads needed before a vote can be called stable
STABLE_AGREEMENT = 0.75  # share of the weight behind the voted text


@dataclass(frozen=True, slots=True)
class Vote:
    """The current decision of a track.

    Attributes:
        text: Voted plate text.
        country: Country of the format the voted text fits, or None.
        confidence: 0-1 (see the module docstring).
        agreement: Share of the weight that agrees with ``text`` character-wise.
        reads: Number of reads voted (the track's looks).
        plate_format: Name of that format (e.g. ``KZ current``), or None.
    """

    text: str
    country: str | None
    confidence: float
    agreement: float
    reads: int
    plate_format: str | None = None


@dataclass(frozen=True, slots=True)
class _Read:
    text: str
    score: float
    weight: float
    probs: tuple[float, ...]


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
    _reads: list[_Read] = field(default_factory=list)
    _history: list[str] = field(default_factory=list)

    def add(
        self, text: str, score: float, quality: float = 1.0, probs: tuple[float, ...] = ()
    ) -> None:
        """Add one read.

        Args:
            text: Normalised read (after the format step).
            score: OCR confidence x format plausibility (0-1).
            quality: 0-1 crop quality (weights the read).
            probs: OCR probability of each character of ``text``; empty = every
                character at ``score``.

        Raises:
            ValueError: ``score`` or ``quality`` outside 0-1, or ``probs`` not one
                per character.
        """
        if not (0.0 <= score <= 1.0 and 0.0 <= quality <= 1.0):
            raise ValueError(f"score and quality must be in 0-1, got {score} and {quality}")
        if probs and len(probs) != len(text):
            raise ValueError(f"expected {len(text)} character probabilities, got {len(probs)}")
        if not text:
            return
        weight = score * (0.25 + 0.75 * quality)
        self._reads.append(_Read(text, score, weight, probs or (score,) * len(text)))
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
        for read in self._reads:
            by_length[len(read.text)] += read.weight
        total = sum(by_length.values())
        length = max(by_length, key=lambda n: by_length[n])
        group = [r for r in self._reads if len(r.text) == length]
        group_w = max(by_length[length], 1e-9)
        segments = [_combined(group, pos, group_w) for pos in range(length)]
        fitted = rerank(segments, self.countries)
        shares = _shares(group, "".join(seg.char for seg in segments))
        mean_score = sum(r.score * r.weight for r in group) / group_w
        agreement = (by_length[length] / max(total, 1e-9)) * (sum(shares) / max(len(shares), 1))
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


def _combined(group: list[_Read], pos: int, group_w: float) -> Segment:
    """One position of the group as a segment: weight x probability per character."""
    tally: dict[str, float] = defaultdict(float)
    for read in group:
        tally[read.text[pos]] += read.weight * read.probs[pos]
    alternatives = sorted(((c, min(1.0, v / group_w)) for c, v in tally.items()),
                          key=lambda cp: -cp[1])  # fmt: skip
    return Segment(tuple(alternatives), 0.0)  # lengths are grouped: nothing to drop


def _shares(group: list[_Read], text: str) -> list[float]:
    """Per position of ``text`` (the group's length), the share of weight that read it."""
    total = sum(r.weight for r in group)
    return [sum(r.weight for r in group if r.text[pos] == c) / max(total, 1e-9)
            for pos, c in enumerate(text)]  # fmt: skip
