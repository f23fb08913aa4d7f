"""Plate text normalisation and a small table of national plate formats.

A format is a template of character classes, one per position:

- ``D`` digit, ``L`` letter, ``A`` letter or digit,
- ``R`` a letter used on Russian (and Kazakh) plates - the twelve that look the
  same in Latin and Cyrillic (``ABEKMHOPCTYX``),
- ``H`` a Chinese province character (one hanzi),
- ``E`` ``D`` or ``F``: the energy letter of Chinese new-energy plates.

Matching a read against a template fixes position-dependent OCR confusions: an
``O`` where a digit must be becomes ``0``, a ``1`` where a letter must be becomes
``I`` and so on. Each fix costs a little score, so a read that fits a format as
read wins over one that needs changes. Generic formats (any 5-8 letters and
digits) accept without fixing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# Cyrillic letters that look like Latin ones (plates are stored in Latin).
CYRILLIC_TO_LATIN = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
TO_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "J": "1",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
    "T": "7",
}
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
RU_LETTERS = frozenset("ABEKMHOPCTYX")
FIX_COST = 0.08  # score lost per position-dependent fix
GENERIC_SCORE = 0.8  # a generic (any alnum) match, relative to a national format
NO_FORMAT_SCORE = 0.4
DROPPED_PREFIX_COST = 0.12  # per character of a band or flag code read around the plate


def _cn_provinces() -> str:
    return "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"


PROVINCES = frozenset(_cn_provinces())


def _de_templates() -> tuple[str, ...]:
    out = [
        "L" * a + "L" * b + "D" * c
        for a in (1, 2, 3)
        for b in (1, 2)
        for c in (1, 2, 3, 4)
        if a + b + c <= 8
    ]
    return tuple(dict.fromkeys(out))


# Country -> templates. EU lists a few national layouts; `generic` rows accept
# any 5-8 letters and digits with at least one of each.
FORMATS: dict[str, tuple[str, ...]] = {
    "KZ": ("DDDLLLDD", "DDDLLDD"),
    "RU": ("RDDDRRDD", "RDDDRRDDD"),
    "EU": (
        *_de_templates(),  # DE: B MW 1234
        "LLDDDLL",  # FR, IT, HR: AB-123-CD
        "LLDDLLL",  # GB: AB12 CDE
        "LLDDDDD",
        "LLLDDDD",
        "LLDDDDL",  # PL
    ),
    "BR": ("LLLDDDD", "LLLDLDD"),  # old and Mercosur
    "US": (),
    "CN": ("HLAAAAA", "HLEADDDD", "HLDDDDDE"),  # ordinary, new-energy small / large
}
GENERIC = frozenset({"EU", "US"})
DEFAULT_COUNTRIES = ("KZ", "RU", "EU", "US", "CN")
_ALNUM = re.compile(r"^[A-Z0-9]{5,8}$")


@dataclass(frozen=True, slots=True)
class GrammarMatch:
    """A read fitted to a plate format.

    Attributes:
        text: The fixed text.
        country: Country whose format matched, or None.
        fixes: Number of characters changed to fit the format.
        score: 0-1 plausibility (1 = a national format without fixes).
    """

    text: str
    country: str | None
    fixes: int
    score: float


def normalise(raw: str) -> str:
    """Uppercase, Cyrillic look-alikes to Latin, keep letters, digits and provinces.

    Example:
        >>> normalise("а 123 вс-77")
        'A123BC77'
    """
    text = raw.upper().translate(CYRILLIC_TO_LATIN)
    return "".join(c for c in text if ("A" <= c <= "Z") or c.isdigit() or c in PROVINCES)


def _fit_char(char: str, cls: str) -> str | None:
    if cls == "H":
        return char if char in PROVINCES else None
    if cls == "D":
        return char if char.isdigit() else TO_DIGIT.get(char)
    letter = char if "A" <= char <= "Z" else TO_LETTER.get(char)
    if cls == "L":
        return letter
    if cls == "R":
        return letter if letter in RU_LETTERS else None
    if cls == "E":
        return letter if letter in ("D", "F") else None
    if cls == "A":
        # Chinese plates use neither I nor O (they would be read as 1 and 0).
        return {"O": "0", "I": "1"}.get(char, char) if char.isalnum() else None
    raise ValueError(f"unknown template class {cls!r}")


def fit(text: str, template: str) -> tuple[str, int] | None:
    """Fit ``text`` to ``template``; (fixed text, fixes) or None if it cannot fit.

    Example:
        >>> fit("I23ABC0I", "DDDLLLDD")
        ('123ABC01', 2)
    """
    if len(text) != len(template):
        return None
    out: list[str] = []
    for char, cls in zip(text, template, strict=True):
        fixed = _fit_char(char, cls)
        if fixed is None:
            return None
        out.append(fixed)
    fixed_text = "".join(out)
    return fixed_text, sum(a != b for a, b in zip(text, fixed_text, strict=True))


def _generic(text: str) -> bool:
    return (
        bool(_ALNUM.match(text))
        and any(c.isdigit() for c in text)
        and any(c.isalpha() for c in text)
    )


@cache
def _templates(countries: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    unknown = [c for c in countries if c not in FORMATS]
    if unknown:
        raise ValueError(f"unknown plate countries {unknown}; known: {sorted(FORMATS)}")
    return tuple((c, t) for c in countries for t in FORMATS[c])


def _best_fit(text: str, countries: tuple[str, ...]) -> GrammarMatch:
    best: GrammarMatch | None = None
    for country, template in _templates(countries):
        fitted = fit(text, template)
        if fitted is None:
            continue
        score = max(0.0, 1.0 - FIX_COST * fitted[1])
        if best is None or score > best.score:
            best = GrammarMatch(fitted[0], country, fitted[1], score)
    if best is not None and best.fixes == 0:
        return best
    generic = next((c for c in countries if c in GENERIC), None)
    if generic is not None and _generic(text) and (best is None or best.score < GENERIC_SCORE):
        return GrammarMatch(text, generic, 0, GENERIC_SCORE)
    return best or GrammarMatch(text, None, 0, NO_FORMAT_SCORE)


def match(raw: str, countries: tuple[str, ...] = DEFAULT_COUNTRIES) -> GrammarMatch:
    """Normalise a raw OCR string and fit it to the best plate format.

    Leading flag or band codes (``KZ``, ``D``, ``RUS``) and one stray character at
    either end are tried off too, at a small cost.

    Args:
        raw: OCR output.
        countries: Formats to try (keys of ``FORMATS``).

    Returns:
        The best match; ``country`` is None when no format fits.

    Raises:
        ValueError: An unknown country.

    Example:
        >>> match("KZ 123 АВС 01").text
        '123ABC01'
    """
    text = normalise(raw)
    variants = [(text, 0.0)]
    for cut in (1, 2, 3):
        if len(text) - cut >= 5:
            variants.append((text[cut:], DROPPED_PREFIX_COST * cut))
    if len(text) >= 6:
        variants.append((text[:-1], DROPPED_PREFIX_COST))
    best = GrammarMatch(text, None, 0, NO_FORMAT_SCORE)
    for variant, cost in variants:
        found = _best_fit(variant, countries)
        scored = GrammarMatch(found.text, found.country, found.fixes, found.score - cost)
        if found.country is not None and scored.score > best.score:
            best = scored
    return best
