"""Plate normalisation and the weighted, wildcard-aware edit distance."""

from __future__ import annotations

import math

import pytest

from kuzet.identity.plate_match import match_distance, normalise_plate, plate_distance


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("123ABC01", "123ABC01", 0.0),
        ("123ABC01", "123A8C01", 0.5),  # B/8
        ("A001BC77", "AO01BC77", 0.5),  # 0/O
        ("123ABC01", "I23ABC01", 0.5),  # 1/I
        ("123ABC01", "123A8C0I", 1.0),  # two look-alikes
        ("123ABC01", "123XBC01", 1.0),  # unrelated substitution
        ("123ABC01", "123ABC0", 1.0),  # missing character
        ("123*01", "123ABC01", 0.0),
        ("123??C01", "123ABC01", 0.0),
        ("123??C01", "123ABX01", 1.0),
        ("*ABC*", "123ABC01", 0.0),
    ],
)
def test_plate_distance(pattern: str, text: str, expected: float) -> None:
    assert plate_distance(pattern, text) == pytest.approx(expected)


def test_confusion_cost_is_configurable() -> None:
    assert plate_distance("123ABC01", "123A8C01", confusion_cost=0.25) == 0.25


def test_match_distance_without_fuzzy_is_exact_or_wildcard_only() -> None:
    assert match_distance("123*", "123ABC", fuzzy=False) == 0.0
    assert math.isinf(match_distance("123ABC01", "123A8C01", fuzzy=False))


def test_normalise_plate() -> None:
    assert normalise_plate(" 123 abc-01 ") == "123ABC01"
    assert normalise_plate("12? *", keep_wildcards=True) == "12?*"
