"""The plate format step: formats as data, re-ranking by joint likelihood, never damaging.

Reads are given as segments (per-position OCR alternatives with probabilities),
the way ``ctc.decode`` hands them over.
"""

from __future__ import annotations

import pytest

from kuzet.enrich.plate.ctc import Segment, normalise, segments_of_text
from kuzet.enrich.plate.formats import expand, table, to_local
from kuzet.enrich.plate.grammar import classify, match, rerank

ALL = tuple(table().formats)  # every country in formats.yaml
DEFAULT = ("KZ", "RU", "EU", "US", "CN")


def seg(char: str, p: float = 0.99, *alts: tuple[str, float], p_delete: float = 0.0) -> Segment:
    """One read position: its character, probability and alternatives."""
    return Segment(((char, p), *alts), max(p_delete, 1.0 - p))


def sure(text: str) -> list[Segment]:
    """A read the OCR is sure of at every position."""
    return segments_of_text(text, 0.99)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123 abc 01", "123ABC01"),
        ("А123ВС77", "A123BC77"),  # Cyrillic look-alikes -> Latin
        ("КМНОРСТУХЕ", "KMHOPCTYXE"),
        ("RK-115·AN", "RK115AN"),
        ("京A·12345", "京A12345"),
        ("ЖЦ 123", "ЖЦ123"),  # letters without a Latin twin are kept, never deleted
        ("ＡＢ１２", "AB12"),  # NFKC: full-width forms
        (" - ", ""),
    ],
)
def test_normalise_keeps_every_letter(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


# A correct read the OCR is sure of is never shortened or rewritten, whatever
# the countries: at most its format is named (or left unknown).
@pytest.mark.parametrize(
    ("read", "countries", "plate_format"),
    [
        ("5UVR090", DEFAULT, "US generic"),
        ("5UVR090", ("KZ", "RU", "EU"), None),  # no US formats: kept, format unknown
        ("1049338", DEFAULT, "US generic"),
        ("1049338", ("EU",), None),
        ("AA1234BB", ("UA",), "UA 2004"),
        ("AA1234BB", ("EU", "US"), "BG"),
        ("AA1234BB", ("KZ", "RU", "US"), "US generic"),  # not the 7-char Polish fit
        ("AA1234BB", ("KZ", "RU"), None),
        ("10922BX", DEFAULT, "US generic"),  # a two-line plate, lines joined
        ("RK099AN", DEFAULT, "FR SIV / IT / HR / SK"),
        ("123ABC01", DEFAULT, "KZ current"),
        ("A123BC777", ALL, "RU private 3-digit region"),
        ("WO53011", ("EU",), "PL 5"),
        ("W053011", ("RU",), None),
        ("GWAGEN", DEFAULT, "US generic"),
        ("AB123CD", ("EU",), "FR SIV / IT / HR / SK"),  # ends in letters, not a band code
        ("7ABC1RU", DEFAULT, "US generic"),  # fits as read: a band code is not dropped
    ],
)
def test_a_confident_full_length_read_is_never_shortened_or_rewritten(
    read: str, countries: tuple[str, ...], plate_format: str | None
) -> None:
    found = rerank(sure(read), countries)
    assert (found.text, found.plate_format, found.changed) == (read, plate_format, 0)


@pytest.mark.parametrize(
    ("segments", "countries", "text", "plate_format"),
    [
        # an uncertain I where the format wants a digit, the OCR's second guess is 1
        ([seg("I", 0.55, ("1", 0.4)), *sure("23ABC01")], ("KZ",), "123ABC01", "KZ current"),
        # an uncertain 8 where a letter belongs, B is the runner-up
        ([*sure("123A"), seg("8", 0.5, ("B", 0.45)), *sure("C01")], DEFAULT, "123ABC01",
         "KZ current"),
        # a spurious leading character (the plate's edge), read unsure
        ([seg("R", 0.56, ("E", 0.16)), *sure("RK003AB")], DEFAULT, "RK003AB",
         "FR SIV / IT / HR / SK"),
        # no I or O on Chinese plates
        ([*sure("皖AHB"), seg("O", 0.6, ("0", 0.35)), *sure("11")], ("CN",), "皖AHB011",
         "CN ordinary"),
        # a sure I on a Chinese plate is the glyph of 1 (formats.yaml: twins)
        (sure("皖AAIR81"), ("CN",), "皖AA1R81", "CN ordinary"),
        # a band code read off the flag strip
        (sure("KZ123ABC01"), ("KZ",), "123ABC01", "KZ current"),
        # and the RUS of a Russian region box, at the end
        (sure("A123BC77RUS"), ("RU",), "A123BC77", "RU private"),
        (sure("UAAA1234BB"), ("UA", "US"), "AA1234BB", "UA 2004"),
    ],
)
def test_uncertain_positions_are_re_ranked(
    segments: list[Segment], countries: tuple[str, ...], text: str, plate_format: str
) -> None:
    found = rerank(segments, countries)
    assert (found.text, found.plate_format) == (text, plate_format)


def test_a_sure_character_is_never_replaced_even_where_no_format_fits() -> None:
    # 0 where the Slovak layout wants a letter, read at 0.93: kept as read
    segments = [*sure("BB135B"), seg("0", 0.93, ("O", 0.06))]
    assert rerank(segments, ("EU",)).text == "BB135B0"


def test_loose_formats_never_justify_a_change() -> None:
    # dropping the unsure S would fit a German layout, which is variable: no change
    segments = [*sure("A"), seg("S", 0.5, ("5", 0.2)), *sure("T949")]
    assert rerank(segments, ("EU",)).text == "AST949"


@pytest.mark.parametrize(
    ("text", "countries", "name"),
    [
        ("123ABC02", ("KZ",), "KZ current"),
        ("123ABC99", ("KZ",), None),  # region 99 does not exist
        ("123AB17", ("KZ",), "KZ current legal entity"),
        # Kazakh special series: police KP, foreigners F and foreign companies H
        ("123KP02", ("KZ",), "KZ police"),
        ("123PK02", ("KZ",), "KZ current legal entity"),  # only KP is the police series
        ("123KP21", ("KZ",), None),  # no region 21
        ("F123402", ("KZ",), "KZ foreign individual"),
        ("H000117", ("KZ",), "KZ foreign company"),
        ("F123421", ("KZ",), "KZ 1993 legal entity"),  # no region 21: not the foreign series
        ("A123402", ("KZ",), "KZ 1993 legal entity"),
        ("A123BC77", ("RU",), "RU private"),
        ("AB123C77", ("RU",), None),
        ("AA1234BB", ("UA",), "UA 2004"),
        ("ABC1234", ("BR",), "BR old"),
        ("ABC1D23", ("BR",), "BR Mercosur"),
        ("京A12345", ("CN",), "CN ordinary"),
        ("粤BD12345", ("CN",), "CN new energy small"),
        ("BMW1234", ("EU",), "DE"),
        ("AB12CDE", ("EU",), "GB"),
        ("1234BCD", ("EU",), "ES"),
    ],
)
def test_classify(text: str, countries: tuple[str, ...], name: str | None) -> None:
    found = classify(text, countries)
    assert (found.name if found else None) == name


def test_a_series_letter_is_chosen_only_among_the_ocr_alternatives() -> None:
    # F read at 0.6 with E at 0.35: the foreign series makes F the likelier plate;
    # an uncertain first letter whose alternatives hold no F or H is left as read.
    foreign = [seg("E", 0.55, ("F", 0.4)), *sure("123402")]
    assert rerank(foreign, ("KZ",)).plate_format == "KZ foreign individual"
    assert rerank(foreign, ("KZ",)).text == "F123402"
    other = [seg("A", 0.6, ("R", 0.3)), *sure("123402")]
    assert rerank(other, ("KZ",)).text == "A123402"


def test_match_on_plain_text_never_changes_it() -> None:
    assert match("I23ABCO1", ("KZ",)).text == "I23ABCO1"
    assert match("123 АВС 01", ("KZ",)).plate_format == "KZ current"


def test_cyrillic_both_ways() -> None:
    assert to_local("A123BC77", "RU") == "А123ВС77"
    assert to_local("AI1234BB", "UA") == "АІ1234ВВ"
    assert to_local("123ABC01", "KZ") == "123ABC01"  # Kazakh plates are Latin
    assert normalise(to_local("A123BC77", "RU")) == "A123BC77"


def test_expand_repeats() -> None:
    assert expand("L{1,2}D") == ["LD", "LLD"]


def test_unknown_country_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown plate countries"):
        rerank(sure("123ABC01"), ("XX",))
