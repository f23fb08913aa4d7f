"""CTC output of the plate recogniser as per-character hypotheses.

The recogniser (PP-OCR, CTC head) gives, per time step, a probability for each
character of its dictionary and for "blank". The greedy read collapses repeats
and drops blanks; here each collapsed character (a *segment*) keeps its top-k
alternatives at its peak time step, and the probability that it is no character
at all (see ``Segment.p_delete``). The format step re-ranks these
hypotheses (``kuzet.enrich.plate.grammar.rerank``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kuzet.enrich.plate.formats import PROVINCES, table

TOP_K = 5
# Greek capitals that look like Latin ones (the recogniser's dictionary holds some).
GREEK_TO_LATIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True))


def plate_char(char: str) -> str:
    """One character as stored on a plate: NFKC, uppercase, look-alikes to Latin.

    Returns "" for separators and marks (``-``, ``·``, space, ``:``).

    Example:
        >>> plate_char("а"), plate_char("-"), plate_char("Ж")
        ('A', '', 'Ж')
    """
    out = []
    for c in unicodedata.normalize("NFKC", char).upper():
        c = table().cyrillic.get(c, GREEK_TO_LATIN.get(c, c))
        if c.isalnum() or c in PROVINCES:
            out.append(c)
    return "".join(out)


def normalise(raw: str) -> str:
    """Plate text without separators, every letter kept (NFKC, Cyrillic look-alikes
    to Latin, other letters such as ``Ж`` kept as they are).

    Example:
        >>> normalise("а 123 вс-77"), normalise("ЖЦ 12")
        ('A123BC77', 'ЖЦ12')
    """
    return "".join(plate_char(c) for c in raw)


@dataclass(frozen=True, slots=True)
class Segment:
    """One character position of a read.

    Attributes:
        alternatives: (character, probability) pairs, most probable first.
        p_delete: Probability that this position is no character: the blank's
            probability at the peak step, or the mass off the top character if larger.
    """

    alternatives: tuple[tuple[str, float], ...]
    p_delete: float

    @property
    def char(self) -> str:
        """The most probable character."""
        return self.alternatives[0][0]

    @property
    def p(self) -> float:
        """Its probability."""
        return self.alternatives[0][1]


def segments_of_text(text: str, p: float = 1.0) -> list[Segment]:
    """Segments of a plain read (no alternatives): for text-only re-checks and tests."""
    return [Segment(((c, p),), 1.0 - p) for c in normalise(text)]


def decode(probs: npt.NDArray[np.float32], characters: list[str]) -> tuple[str, list[Segment]]:
    """Greedy CTC decoding that keeps per-character alternatives.

    Args:
        probs: (T, C) per-step probabilities; column 0 is blank.
        characters: The C dictionary entries (entry 0 is the blank).

    Returns:
        The raw greedy read and its plate segments (separators dropped).
    """
    best = probs.argmax(axis=1)
    raw: list[str] = []
    segments: list[Segment] = []
    t = 0
    while t < len(best):
        idx = int(best[t])
        end = t
        while end + 1 < len(best) and best[end + 1] == idx:
            end += 1
        if idx != 0:
            raw.append(characters[idx])
            peak = t + int(probs[t : end + 1, idx].argmax())
            segment = _segment(probs[peak], characters)
            if segment is not None:
                segments.append(segment)
        t = end + 1
    return "".join(raw), segments


def _segment(row: npt.NDArray[np.float32], characters: list[str]) -> Segment | None:
    cand = np.argpartition(-row, TOP_K)[: TOP_K + 1]
    order = cand[np.argsort(-row[cand])]
    merged: dict[str, float] = {}
    for idx in order.tolist():
        if idx == 0:
            continue
        char = plate_char(characters[idx])
        if len(char) == 1:
            merged[char] = merged.get(char, 0.0) + float(row[idx])
    first = characters[int(order[0])] if int(order[0]) != 0 else characters[int(order[1])]
    if len(plate_char(first)) != 1 or not merged:
        return None  # a separator or a mark: not a plate character
    alternatives = tuple(sorted(merged.items(), key=lambda kv: -kv[1]))
    # A spurious character (a bolt, the plate's edge) is read with a split
    # distribution rather than a high blank: the mass off the top character
    # bounds the chance that the position is no character at all.
    return Segment(alternatives, max(float(row[0]), 1.0 - alternatives[0][1]))
