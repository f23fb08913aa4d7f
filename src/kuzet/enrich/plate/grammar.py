"""The plate format step: re-rank OCR hypotheses by joint likelihood.

For each read, the recogniser gives per-character alternatives with
probabilities (``kuzet.enrich.plate.ctc``). A hypothesis is one character per
position (or a position dropped as "no character"); its score is

    log P(hypothesis | OCR) + log prior(format it fits)

where the prior comes from ``formats.yaml`` and a hypothesis that fits no format
gets ``UNKNOWN_PRIOR``. The read as recognised is always a hypothesis, so the
format step can only *choose among* what the OCR found plausible:

- a character the OCR is sure of (probability >= ``LOCKED``) is never replaced
  or dropped, so a confident full-length read is never shortened or rewritten;
- no character is ever inserted;
- a read that fits no format is kept as read, with format unknown (None);
- loose formats (variable length: the US generic one, German layouts) name the
  format of a read that fits them as read, but never justify a change;
- the one exception to "sure characters stay" is a glyph twin the format data
  declares (an I on a Chinese plate is a 1: those plates have no I).

Band codes (``KZ``, ``RUS``, ``UA``, ``D`` ...) that the OCR read from the plate's
flag band (leading) or region box (trailing ``RUS``) may be dropped when what
remains fits a fixed national format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from kuzet.enrich.plate.ctc import Segment, segments_of_text
from kuzet.enrich.plate.formats import PlateFormat, char_fits, table

LOCKED = 0.8  # a character at least this probable is never changed or dropped
UNKNOWN_PRIOR = 0.05  # prior of a read that fits no format (national formats: up to 1)
BAND_PRIOR = 0.5  # prior factor of a read whose leading band code was dropped
MAX_DROPS = 2  # uncertain positions dropped at most (besides a band code)
MIN_P = 1e-6
BAND_CODES = ("KZ", "RUS", "RU", "UA", "D", "PL", "CZ", "SK", "BG", "F", "I", "NL", "GB", "BR")
DEFAULT_COUNTRIES = ("KZ", "RU", "EU", "US", "CN")
Probs = tuple[float, ...]
_State = tuple[float, str, int, Probs]  # log-likelihood, text, changes, probabilities


@dataclass(frozen=True, slots=True)
class GrammarMatch:
    """The chosen hypothesis of a read.

    Attributes:
        text: Plate text (normalised, Latin letters for look-alikes).
        country: Country of the format it fits, or None (format unknown).
        plate_format: Name of that format (e.g. ``KZ current``), or None.
        changed: Positions replaced or dropped relative to the read as recognised.
        score: 0-1 plausibility of the format (its prior; ``UNKNOWN_PRIOR`` if none).
        probs: OCR probability of each character of ``text`` (for track votes).
        loose: The format is a loose one (names a read, never justifies a change).
    """

    text: str
    country: str | None
    plate_format: str | None
    changed: int
    score: float
    probs: Probs = ()
    loose: bool = False


@cache
def _by_length(countries: tuple[str, ...]) -> dict[int, tuple[PlateFormat, ...]]:
    out: dict[int, list[PlateFormat]] = {}
    for fmt in table().for_countries(countries):
        out.setdefault(len(fmt.template), []).append(fmt)
    return {n: tuple(sorted(v, key=lambda f: -f.prior)) for n, v in out.items()}


def classify(text: str, countries: tuple[str, ...] = DEFAULT_COUNTRIES) -> PlateFormat | None:
    """The most probable format that ``text`` fits as it is, or None.

    Example:
        >>> classify("123ABC01", ("KZ",)).name
        'KZ current'
    """
    for fmt in _by_length(countries).get(len(text), ()):
        if all(char_fits(c, k) for c, k in zip(text, fmt.template, strict=True)) and fmt.allows(
            text
        ):
            return fmt
    return None


def _fit(segments: list[Segment], fmt: PlateFormat) -> tuple[str, float, int, Probs] | None:
    """Best (text, log-likelihood, changes, probabilities) of ``segments`` in ``fmt``, or None.

    Dynamic programme over (segments used, template positions filled): a
    segment fills the next position with its most probable fitting alternative,
    or is dropped at the cost of its blank probability. Locked segments can do
    neither unless their own character fits.
    """
    n, m = len(segments), len(fmt.template)
    if not 0 <= n - m <= MAX_DROPS:
        return None
    neg = -math.inf
    start: _State = (neg, "", 0, ())
    best: list[list[_State]] = [[start] * (m + 1) for _ in range(n + 1)]
    best[0][0] = (0.0, "", 0, ())
    for i, seg in enumerate(segments):
        locked = seg.p >= LOCKED
        for j in range(m + 1):
            score, text, changes, probs = best[i][j]
            if score == neg:
                continue
            dropped = score + math.log(max(seg.p_delete, MIN_P))
            if not locked and dropped > best[i + 1][j][0]:
                best[i + 1][j] = (dropped, text, changes + 1, probs)
            if j == m:
                continue
            choice = _choose(seg, fmt, j, locked)
            if choice is not None:
                total = score + math.log(max(choice[1], MIN_P))
                if total > best[i + 1][j + 1][0]:
                    changed = changes + (choice[0] != seg.char)
                    best[i + 1][j + 1] = (total, text + choice[0], changed, (*probs, choice[1]))
    score, text, changes, probs = best[n][m]
    if score == neg or not fmt.allows(text):
        return None
    return text, score, changes, probs


def _choose(seg: Segment, fmt: PlateFormat, pos: int, locked: bool) -> tuple[str, float] | None:
    options = seg.alternatives[:1] if locked else seg.alternatives
    twins = ((fmt.twin(c), p) for c, p in options)  # a twin is the same glyph, not a guess
    return next(((c, p) for c, p in twins if fmt.fits_at(c, pos)), None)


def _as_read(segments: list[Segment], countries: tuple[str, ...]) -> tuple[GrammarMatch, float]:
    text = "".join(s.char for s in segments)
    probs = tuple(s.p for s in segments)
    loglik = sum(math.log(max(p, MIN_P)) for p in probs)
    fmt = classify(text, countries)
    if fmt is None:
        unknown = GrammarMatch(text, None, None, 0, UNKNOWN_PRIOR, probs)
        return unknown, loglik + math.log(UNKNOWN_PRIOR)
    found = GrammarMatch(text, fmt.country, fmt.name, 0, fmt.prior, probs, fmt.loose)
    return found, loglik + math.log(fmt.prior)


def _spans(segments: list[Segment]) -> list[tuple[int, int, float]]:
    """(start, end, prior factor) of the read without band codes at either end.

    A leading code is any of ``BAND_CODES``; a trailing one (the ``RUS`` in a
    Russian region box) needs two letters or more, since one letter ends many plates.
    """
    text = "".join(s.char for s in segments)
    n = len(text)
    head = next((len(b) for b in BAND_CODES if text.startswith(b) and n > len(b) + 4), 0)
    tail = next(
        (len(b) for b in BAND_CODES if len(b) > 1 and text.endswith(b) and n > len(b) + 4), 0
    )
    spans = [(0, n, 1.0)]
    if head:
        spans.append((head, n, BAND_PRIOR))
    if tail:
        spans.append((0, n - tail, BAND_PRIOR))
    if head and tail and n - head - tail >= 5:
        spans.append((head, n - tail, BAND_PRIOR * BAND_PRIOR))
    return spans


def rerank(segments: list[Segment], countries: tuple[str, ...] = DEFAULT_COUNTRIES) -> GrammarMatch:
    """The most likely plate among the read and its format-fitting variants.

    Args:
        segments: Per-position OCR alternatives (``ctc.decode``).
        countries: Countries whose formats apply (keys of ``formats.yaml``).

    Returns:
        The chosen hypothesis. The read as recognised wins unless a variant that
        only touches uncertain positions is more likely.

    Raises:
        ValueError: An unknown country.
    """
    best, best_score = _as_read(segments, countries)
    if best.country is not None and all(s.p >= LOCKED for s in segments):
        return best
    for start, end, factor in _spans(segments):
        rest = segments[start:end]
        for length, formats in _by_length(countries).items():
            if not 0 <= len(rest) - length <= MAX_DROPS:
                continue
            for fmt in formats:
                fitted = None if fmt.loose else _fit(rest, fmt)
                if fitted is None:
                    continue
                score = fitted[1] + math.log(fmt.prior * factor)
                if score > best_score:
                    best_score = score
                    changed = fitted[2] + start + len(segments) - end
                    best = GrammarMatch(
                        fitted[0], fmt.country, fmt.name, changed, fmt.prior, fitted[3]
                    )
    return best


def match(raw: str, countries: tuple[str, ...] = DEFAULT_COUNTRIES) -> GrammarMatch:
    """Normalise a plain read and name the format it fits; the text is never changed.

    Without OCR probabilities there is nothing to re-rank: every character counts
    as certain.

    Example:
        >>> m = match("123 АВС 01", ("KZ",))
        >>> m.text, m.plate_format
        ('123ABC01', 'KZ current')
        >>> match("1049338", ("KZ",)).text  # fits no KZ format: kept as read
        '1049338'
    """
    return rerank(segments_of_text(raw), countries)
