"""EventKind: canonical members, plus snake_case kinds that new rule kinds declare."""

from __future__ import annotations

import pickle

import pytest
from pydantic import TypeAdapter

from kuzet.core.types import EventKind


@pytest.mark.parametrize(
    ("value", "canonical"),
    [("zone_presence", True), ("wrong_way", True), ("speed_bump", False), ("a" * 64, False)],
)
def test_valid_kinds_compare_hash_and_pickle_like_strings(value: str, canonical: bool) -> None:
    kind = EventKind(value)
    assert kind == value and kind.value == value and str(kind) == value
    assert hash(kind) == hash(EventKind(value))
    assert pickle.loads(pickle.dumps(kind)) == kind
    assert (kind in list(EventKind)) is canonical
    assert TypeAdapter(EventKind).validate_python(value) == kind


@pytest.mark.parametrize("value", ["", "Zone", "speed bump", "9lives", "a" * 65, 3, None])
def test_malformed_kinds_are_rejected(value: object) -> None:
    with pytest.raises(ValueError):
        EventKind(value)
    with pytest.raises(ValueError):
        TypeAdapter(EventKind).validate_python(value)


def test_canonical_members_are_unchanged() -> None:
    assert [k.value for k in EventKind] == [
        "zone_presence", "line_crossing", "wrong_way", "loitering", "crowd", "unusual_crowd",
        "abandoned_object", "camera_tamper", "fight", "aggression", "smoking", "face_match",
        "plate_hit", "speeding", "stopped_vehicle", "citizen_report",
    ]
