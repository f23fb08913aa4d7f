"""Plate formats per country, loaded from ``formats.yaml`` (data, not code).

A format is a template of character classes, one per position (see the YAML
header): ``D`` digit, ``L`` Latin letter, ``C`` Russian Cyrillic look-alike,
``U`` Ukrainian Cyrillic look-alike, ``A`` letter or digit, ``N`` the same
without I and O, ``H`` Chinese province, ``E`` ``D``/``F``. Plates are stored
with Latin letters; ``cyrillic`` maps both ways for display and for labels typed
in Cyrillic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

MAX_LENGTH = 9
PROVINCES = frozenset("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领警学港澳")
RU_LETTERS = frozenset("ABEKMHOPCTYX")
UA_LETTERS = frozenset("ABEIKMHOPCTX")
_REPEAT = re.compile(r"([A-Z])\{(\d+),(\d+)\}|([A-Z])")


@dataclass(frozen=True, slots=True)
class PlateFormat:
    """One fixed-length plate layout.

    Attributes:
        country: Country key (``KZ``, ``RU``, ``UA``, ``EU``, ``US``, ``BR``, ``CN``).
        name: Human name, reported with the read (e.g. ``KZ current``).
        template: One class character per position.
        prior: Relative prior of the format (1.0 = a common national layout).
        regions: (first index, allowed codes) or None.
        loose: Expanded from a variable (``X{m,n}``) template: names a read that
            fits as read, never justifies a change.
        twins: (letter, character) pairs of one glyph on these plates (I = 1 in CN).
        series: (first index, allowed codes) spans that mark a special series
            (the ``F``/``H`` of Kazakh plates of foreigners, the ``KP`` of police).
    """

    country: str
    name: str
    template: str
    prior: float
    regions: tuple[int, frozenset[str]] | None = None
    loose: bool = False
    twins: tuple[tuple[str, str], ...] = ()
    series: tuple[tuple[int, frozenset[str]], ...] = ()

    def twin(self, char: str) -> str:
        """The character ``char`` is the glyph of on this format's plates (itself if none)."""
        return next((b for a, b in self.twins if a == char), char)

    def allows(self, text: str) -> bool:
        """Whether ``text`` (of the template's classes) passes the region and series checks."""
        return all(_in_span(text, at, codes) for at, codes in self.spans)

    @property
    def spans(self) -> tuple[tuple[int, frozenset[str]], ...]:
        """The region span (if any) and the series spans."""
        return self.series if self.regions is None else (self.regions, *self.series)

    def fits_at(self, char: str, pos: int) -> bool:
        """Whether ``char`` may stand at ``pos``: its class, and the region and series
        codes that cover ``pos`` (a necessary check; :meth:`allows` checks whole codes).
        """
        if not char_fits(char, self.template[pos]):
            return False
        for at, codes in self.spans:
            width = len(next(iter(codes)))
            if at <= pos < at + width and char not in {code[pos - at] for code in codes}:
                return False
        return True


def _in_span(text: str, at: int, codes: frozenset[str]) -> bool:
    width = len(next(iter(codes)))
    return text[at : at + width] in codes


def char_fits(char: str, cls: str) -> bool:
    """Whether one normalised character belongs to a template class.

    Example:
        >>> char_fits("7", "D"), char_fits("Z", "C")
        (True, False)
    """
    is_letter = "A" <= char <= "Z"
    fits = {
        "D": char.isdigit() and char.isascii(),
        "L": is_letter,
        "C": char in RU_LETTERS,
        "U": char in UA_LETTERS,
        "A": is_letter or (char.isdigit() and char.isascii()),
        "N": (is_letter and char not in "IO") or (char.isdigit() and char.isascii()),
        "H": char in PROVINCES,
        "E": char in ("D", "F"),
    }.get(cls)
    if fits is None:
        raise ValueError(f"unknown template class {cls!r}")
    return fits


def expand(template: str) -> list[str]:
    """Fixed-length templates of a template with ``X{m,n}`` repeats.

    Example:
        >>> expand("L{1,2}D{1,2}")
        ['LD', 'LDD', 'LLD', 'LLDD']
    """
    out = [""]
    for rep in _REPEAT.finditer(template):
        cls, lo, hi = (rep[1], int(rep[2]), int(rep[3])) if rep[1] else (rep[4], 1, 1)
        out = [t + cls * n for t in out for n in range(lo, hi + 1)]
    return sorted({t for t in out if len(t) <= MAX_LENGTH})


def _codes(spec: list[str]) -> frozenset[str]:
    codes: set[str] = set()
    for item in spec:
        lo, _, hi = str(item).partition("-")
        if hi:
            codes.update(str(n).zfill(len(lo)) for n in range(int(lo), int(hi) + 1))
        else:
            codes.add(lo)
    return frozenset(codes)


def _formats(country: str, rows: list[dict[str, Any]]) -> list[PlateFormat]:
    out: list[PlateFormat] = []
    for row in rows:
        regions = row.get("regions")
        region = (int(regions["at"]), _codes(list(regions["codes"]))) if regions else None
        spec = str(row["template"])
        twins = tuple((str(a), str(b)) for a, b in dict(row.get("twins") or {}).items())
        series = tuple((int(s["at"]), _codes(list(s["codes"]))) for s in row.get("series") or ())
        for template in expand(spec):
            out.append(
                PlateFormat(
                    country, str(row["name"]), template, float(row["prior"]), region,
                    loose="{" in spec, twins=twins, series=series,
                )  # fmt: skip
            )
    return out


@dataclass(frozen=True)
class FormatTable:
    """Every country's formats and the Cyrillic look-alike mapping."""

    names: dict[str, str]
    scripts: dict[str, str]
    formats: dict[str, tuple[PlateFormat, ...]]
    cyrillic: dict[str, str]

    def for_countries(self, countries: tuple[str, ...]) -> tuple[PlateFormat, ...]:
        """Formats of ``countries`` in order.

        Raises:
            ValueError: An unknown country.
        """
        unknown = [c for c in countries if c not in self.formats]
        if unknown:
            raise ValueError(f"unknown plate countries {unknown}; known: {sorted(self.formats)}")
        return tuple(f for c in countries for f in self.formats[c])


@cache
def table() -> FormatTable:
    """The packaged format table (``formats.yaml``), loaded once."""
    text = resources.files("kuzet.enrich.plate").joinpath("formats.yaml").read_text("utf-8")
    data = YAML(typ="safe").load(text)
    countries = data["countries"]
    return FormatTable(
        names={c: str(v["name"]) for c, v in countries.items()},
        scripts={c: str(v["script"]) for c, v in countries.items()},
        formats={c: tuple(_formats(c, list(v["formats"]))) for c, v in countries.items()},
        cyrillic={str(k): str(v) for k, v in data["cyrillic"].items()},
    )


def to_local(text: str, country: str | None) -> str:
    """A stored (Latin) plate in its country's script: Cyrillic for RU and UA.

    Example:
        >>> to_local("A123BC77", "RU")
        'А123ВС77'
    """
    tab = table()
    if country is None or tab.scripts.get(country) != "cyrillic":
        return text
    back = {latin: cyr for cyr, latin in tab.cyrillic.items()}
    letters = RU_LETTERS if country == "RU" else UA_LETTERS
    return "".join(back[c] if c in letters and c in back else c for c in text)
