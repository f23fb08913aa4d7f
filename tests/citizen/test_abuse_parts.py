"""The intake's parts on their own: proof of work, rate limits, photo checks, distances."""

from __future__ import annotations

import io
from contextlib import AbstractContextManager, ExitStack
from contextlib import nullcontext as does_not_raise

import pytest
from PIL import Image

from citizen_factories import SQUARE, photo
from image_bombs import bomb_png
from kuzet.citizen.errors import Reason, Rejected
from kuzet.citizen.geo import CameraPlace, distance_m, nearby
from kuzet.citizen.limits import Limiter
from kuzet.citizen.photos import clean_photo, sniff
from kuzet.citizen.pow import ProofOfWork, leading_zero_bits, solve
from kuzet.config.citizen import RateLimit

KEY = b"k" * 32
MB = 1_000_000


def _pow(bits: int = 6) -> ProofOfWork:
    return ProofOfWork(KEY, bits=bits, ttl_s=60)


@pytest.mark.parametrize(("digest", "bits"), [
    (b"\x80", 0), (b"\x01", 7), (b"\x00\x00\x01", 23), (b"\x00\x0f", 12), (b"\x00\x00", 16)])
def test_leading_zero_bits(digest: bytes, bits: int) -> None:
    assert leading_zero_bits(digest) == bits


def _forged(challenge: str) -> str:
    return challenge[:-1] + ("0" if challenge[-1] != "0" else "1")


@pytest.mark.parametrize(("mutate", "at", "message"), [
    (lambda c, n: (c, n), 1010.0, None),
    (lambda c, n: (c, n), 1100.0, "expired"),
    (lambda c, n: (_forged(c), n), 1010.0, "not one this server issued"),
    (lambda c, n: (c, n + "9" * 20), 1010.0, "not solved"),
    (lambda c, n: (None, n), 1010.0, "required"),
    (lambda c, n: (c, "1" * 40), 1010.0, "required"),
    (lambda c, n: (c.replace(".6.", ".0.", 1), n), 1010.0, "not one this server issued"),
])
def test_challenge_checks(mutate: object, at: float, message: str | None) -> None:
    pow_ = _pow()
    issued = pow_.issue(now=1000.0)
    challenge, nonce = mutate(issued.challenge, solve(issued.challenge, 6))  # type: ignore[operator]
    expect: AbstractContextManager[object] = (
        does_not_raise() if message is None else pytest.raises(Rejected, match=message))
    with expect:
        pow_.check(challenge, nonce, now=at)


def test_challenge_is_spent_once_and_other_keys_reject_it() -> None:
    pow_ = _pow()
    issued = pow_.issue(now=0.0)
    nonce = solve(issued.challenge, 6)
    pow_.check(issued.challenge, nonce, now=1.0)
    with pytest.raises(Rejected, match="used already"):
        pow_.check(issued.challenge, nonce, now=2.0)
    with pytest.raises(Rejected, match="not one this server"):
        ProofOfWork(b"x" * 32, 6, 60).check(issued.challenge, nonce, now=1.0)
    ProofOfWork(KEY, 0, 60).check(None, None, now=1.0)  # off: nothing to check


@pytest.mark.parametrize(("times", "allowed"), [
    ([0, 0, 0, 0], [True, True, True, False]),
    ([0, 0, 0, 200], [True, True, True, True]),  # one token back after 200 s
    ([0, 0, 0, 100, 200], [True, True, True, False, True]),
])
def test_limiter_refills_with_time(times: list[float], allowed: list[bool]) -> None:
    limiter = Limiter(RateLimit(count=3, per_s=600))
    assert [limiter.allow("a", t) for t in times] == allowed
    assert limiter.allow("b", times[-1])  # keys are separate


def test_limiter_memory_is_bounded() -> None:
    limiter = Limiter(RateLimit(count=1, per_s=600), max_keys=100)
    for i in range(1000):
        limiter.allow(f"k{i}", 0.0)
    assert len(limiter._buckets) == 100


@pytest.mark.parametrize(("data", "reason"), [
    (photo(), None),
    (photo(fmt="PNG"), None),
    (photo(fmt="WEBP"), None),
    (b"\xff\xd8\xff" + b"0" * (2 * MB), Reason.TOO_LARGE),
    (bomb_png(8000, 8000), Reason.TOO_LARGE),
    (b"GIF89a" + b"\x00" * 64, Reason.BAD_TYPE),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", Reason.BAD_TYPE),
    (b"", Reason.BAD_TYPE),
    (photo()[:200], Reason.BAD_IMAGE),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, Reason.BAD_IMAGE),
])
def test_photo_checks(data: bytes, reason: Reason | None) -> None:
    stack = ExitStack() if reason is None else pytest.raises(Rejected)
    with stack as caught:
        clean = clean_photo(data, max_bytes=MB, max_pixels=20_000_000, max_side=800)
    if reason is not None:
        assert caught.value.reason is reason  # type: ignore[union-attr]
        return
    shown = Image.open(io.BytesIO(clean.display))
    assert shown.format == "JPEG" and max(shown.size) <= 800
    assert not shown.getexif() and "exif" not in shown.info


def test_exif_gps_is_kept_as_evidence_and_stripped_from_the_copy() -> None:
    original = photo(gps=(43.2389, 76.9454))
    clean = clean_photo(original, max_bytes=MB, max_pixels=20_000_000, max_side=400)
    assert clean.gps == (43.2389, 76.9454) and clean.original == original
    assert b"KuzetPhone" in original and b"KuzetPhone" not in clean.display
    assert sniff(clean.display) == "jpeg" and not Image.open(io.BytesIO(clean.display)).getexif()


def test_nearby_cameras() -> None:
    cameras = [CameraPlace("a", "A", SQUARE[0] + 0.001, SQUARE[1]),  # ~111 m north
               CameraPlace("b", "B", SQUARE[0], SQUARE[1] + 0.002),  # ~162 m east
               CameraPlace("c", "C", SQUARE[0] + 0.01, SQUARE[1])]  # ~1.1 km
    found = nearby(cameras, *SQUARE, radius_m=300, limit=5)
    assert [n.camera_id for n in found] == ["a", "b"]
    assert found[0].distance_m == pytest.approx(111.2, abs=0.5)
    assert [n.camera_id for n in nearby(cameras, *SQUARE, radius_m=300, limit=1)] == ["a"]
    assert distance_m(0, 179.9999, 0, -179.9999) == pytest.approx(22.2, abs=0.5)
