"""Voting over a track's reads: noisy reads converge, confidence reflects agreement."""

from __future__ import annotations

import pytest

from kuzet.enrich.plate.vote import PlateVote


@pytest.mark.parametrize(
    ("reads", "expected"),
    [
        (["123ABC01", "123A8C01", "I23ABC01", "123ABC0I", "123ABC01"], "123ABC01"),
        (["A123BC77", "A123BC77", "A128BC77", "A123BC7"], "A123BC77"),
        (["京A12345", "京A12845", "京A12345"], "京A12345"),
        (["RK099AN"], "RK099AN"),
    ],
)
def test_noisy_reads_converge(reads: list[str], expected: str) -> None:
    vote = PlateVote()
    for text in reads:
        vote.add(text, score=0.9, quality=1.0)
    result = vote.result()
    assert result is not None and result.text == expected
    assert result.reads == len(reads)


@pytest.mark.parametrize(
    ("text", "countries", "country", "plate_format"),
    [
        ("123ABC01", ("KZ", "RU"), "KZ", "KZ current"),
        ("AA1234BB", ("UA",), "UA", "UA 2004"),
        ("AA1234BB", ("KZ", "RU"), None, None),  # fits none: kept, format unknown
    ],
)
def test_the_vote_names_the_format(
    text: str, countries: tuple[str, ...], country: str | None, plate_format: str | None
) -> None:
    vote = PlateVote(countries)
    vote.add(text, score=0.9)
    result = vote.result()
    assert result is not None
    assert (result.text, result.country, result.plate_format) == (text, country, plate_format)


def test_confidence_drops_with_disagreement() -> None:
    clean, noisy = PlateVote(), PlateVote()
    for _ in range(3):
        clean.add("123ABC01", 0.9)
    for text in ("123ABC01", "723ABC07", "123XBC01"):
        noisy.add(text, 0.9)
    a, b = clean.result(), noisy.result()
    assert a is not None and b is not None
    assert a.confidence == pytest.approx(0.9)
    assert b.confidence < a.confidence


def test_confident_sharp_reads_outweigh_poor_ones() -> None:
    vote = PlateVote()
    vote.add("123ABC01", 0.95, quality=1.0)
    vote.add("128ABC01", 0.5, quality=0.2)
    vote.add("128ABC01", 0.5, quality=0.2)
    result = vote.result()
    assert result is not None and result.text == "123ABC01"


def test_stable_after_agreeing_reads() -> None:
    vote = PlateVote()
    assert vote.result() is None and not vote.stable
    vote.add("123ABC01", 0.9)
    vote.add("123ABC01", 0.9)
    assert not vote.stable  # too few reads
    vote.add("123ABC01", 0.9)
    assert vote.stable


def test_empty_reads_are_ignored_and_bad_scores_rejected() -> None:
    vote = PlateVote()
    vote.add("", 0.9)
    assert len(vote) == 0
    with pytest.raises(ValueError, match="0-1"):
        vote.add("123ABC01", 1.5)


def test_characters_are_weighted_by_their_own_probability_and_settled_by_format() -> None:
    # Two frames read an unsure 8 where the plate has B; one frame reads B surely.
    # A vote of whole reads would take 8 (two against one); per character, the
    # frames split about evenly and the KZ format (a letter there) settles it on B,
    # which the frames did read.
    vote = PlateVote(("KZ",))
    unsure = (0.99, 0.99, 0.99, 0.99, 0.5, 0.99, 0.99, 0.99)
    vote.add("123A8C01", 0.9, probs=unsure)
    vote.add("123A8C01", 0.9, probs=unsure)
    vote.add("123ABC01", 0.9, probs=(0.99,) * 8)
    result = vote.result()
    assert result is not None
    assert (result.text, result.plate_format, result.reads) == ("123ABC01", "KZ current", 3)


def test_characters_the_frames_agree_on_are_never_rewritten() -> None:
    vote = PlateVote(("KZ",))
    for _ in range(3):
        vote.add("123A8C01", 0.9, probs=(0.99,) * 8)
    result = vote.result()
    assert result is not None and (result.text, result.plate_format) == ("123A8C01", None)


def test_probabilities_must_match_the_text() -> None:
    with pytest.raises(ValueError, match="character probabilities"):
        PlateVote().add("123ABC01", 0.9, probs=(0.9, 0.9))
