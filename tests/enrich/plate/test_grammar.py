"""Plate normalisation and formats: KZ, RU, EU, US, CN, look-alikes, position fixes."""

from __future__ import annotations

import pytest

from kuzet.enrich.plate.grammar import fit, match, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123 abc 01", "123ABC01"),
        ("А123ВС77", "A123BC77"),  # Cyrillic look-alikes
        ("КМНОРСТУХЕ", "KMHOPCTYXE"),
        ("RK-115·AN", "RK115AN"),
        ("京A·12345", "京A12345"),
        (" - ", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "text", "country", "fixes"),
    [
        ("123 ABC 01", "123ABC01", "KZ", 0),
        ("123AB01", "123AB01", "KZ", 0),
        ("KZ 123 ABC 01", "123ABC01", "KZ", 0),  # flag code dropped
        ("I23ABCO1", "123ABC01", "KZ", 2),  # I->1 and O->0 where digits belong
        ("123A8C01", "123ABC01", "KZ", 1),  # 8->B where a letter belongs
        ("А123ВС77", "A123BC77", "RU", 0),
        ("A123BC777", "A123BC777", "RU", 0),
        ("0123BC77", "O123BC77", "RU", 1),
        ("B MW 1234", "BMW1234", "EU", 0),
        ("AB-123-CD", "AB123CD", "EU", 0),
        ("AB12CDE", "AB12CDE", "EU", 0),
        ("WA56660", "WA56660", "EU", 0),
        ("RK-O99AN", "RK099AN", "EU", 1),  # O->0 in the digit block
        ("1A2B3C", "1A2B3C", "EU", 0),  # generic alnum: accepted as read
        ("京A12345", "京A12345", "CN", 0),
        ("粤BD12345", "粤BD12345", "CN", 0),  # new-energy, small car
        ("沪A·O1234", "沪A01234", "CN", 1),  # no O on Chinese plates
    ],
)
def test_match(raw: str, text: str, country: str, fixes: int) -> None:
    found = match(raw)
    assert (found.text, found.country, found.fixes) == (text, country, fixes)


def test_us_only_accepts_generic_alnum() -> None:
    assert match("7ABC123", ("US",)).country == "US"
    assert match("ABCDEF", ("US",)).country is None  # no digit: not a plate format


def test_no_format_keeps_the_text_with_a_low_score() -> None:
    found = match("GWAGEN")  # a vanity plate without digits
    assert found.country is None and found.text == "GWAGEN" and found.score < 0.5


def test_fix_costs_score() -> None:
    assert match("123ABC01").score > match("I23ABC01").score


def test_fit_rejects_wrong_length_and_impossible_characters() -> None:
    assert fit("123ABC0", "DDDLLLDD") is None
    assert fit("12XABC01", "DDDLLLDD") is None


def test_unknown_country_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown plate countries"):
        match("123ABC01", ("XX",))
