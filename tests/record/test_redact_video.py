"""Recorded video for viewers without an unmask grant: plates (all text) are blurred
with the real text detector, not only faces (recordings carry no vehicle boxes)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from kuzet.core.types import Image
from kuzet.privacy.redaction import Redactor, Regions, blur_regions
from kuzet.record.redact import PieceContext, redact_video

PLATE = (180, 200, 460, 270)  # x1, y1, x2, y2 of the rendered plate


def _plate_frame() -> Image:
    image = np.full((360, 640, 3), 90, np.uint8)
    x1, y1, x2, y2 = PLATE
    cv2.rectangle(image, (x1, y1), (x2, y2), (255, 255, 255), -1)
    cv2.putText(image, "123ABC02", (x1 + 12, y2 - 18), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                (0, 0, 0), 4, cv2.LINE_AA)
    return image


def _write(path: Path, image: Image, frames: int = 10) -> None:
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=Fraction(5))
        stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], "yuv420p"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(image, "bgr24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _first(container: av.container.InputContainer) -> object:
    return next(container.decode(video=0)).to_ndarray(format="bgr24")


def _detail(image: Image) -> float:
    x1, y1, x2, y2 = PLATE
    gray = cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY).astype(np.float32)
    return float(np.abs(np.diff(gray, axis=1)).mean())


def test_a_plate_in_recorded_video_is_blurred(tmp_path: Path) -> None:
    from kuzet.models.paths import find_model

    if find_model("ppocr-det") is None:
        pytest.skip("text detector not installed (kuzet models install)")
    src, dst = tmp_path / "clip.mp4", tmp_path / "redacted.mp4"
    _write(src, _plate_frame())
    assert redact_video(src, dst, Redactor()) == 10
    with av.open(str(dst)) as red, av.open(str(src)) as orig:
        original: Image = np.asarray(_first(orig), np.uint8)
        first: Image = np.asarray(_first(red), np.uint8)
    assert _detail(original) > 8, "the rendered plate should be sharp in the original"
    assert _detail(first) < 0.25 * _detail(original), (
        f"plate legible in the redacted copy: detail {_detail(first):.1f} "
        f"vs {_detail(original):.1f}")


BOX = (200, 120, 360, 240)  # a textured patch standing in for a face


class _Passes:
    """A detector that finds the patch only in the passes listed (the rest it misses);
    blurring is the real one."""

    def __init__(self, found: set[int]) -> None:
        self.found, self.calls = found, 0

    def find_whole(self, image: Image) -> Regions:
        hit = self.calls in self.found
        self.calls += 1
        return Regions.of("face", np.array([BOX], np.float32)) if hit else Regions()

    def apply(self, image: Image, regions: Regions) -> Image:
        return blur_regions(image, regions)


def _textured() -> Image:
    image = np.full((360, 640, 3), 90, np.uint8)
    x1, y1, x2, y2 = BOX
    stripes = (np.indices((y2 - y1, x2 - x1)).sum(axis=0) // 3 % 2 * 255).astype(np.uint8)
    image[y1:y2, x1:x2] = stripes[..., None]
    return image


def _sharp(image: Image) -> bool:
    x1, y1, x2, y2 = BOX
    gray = cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY).astype(np.float32)
    return float(np.abs(np.diff(gray, axis=1)).mean()) > 20


ALL = set(range(20))


@pytest.mark.parametrize(
    ("found", "blurred", "sharp"),
    [
        (set(range(10)) - {2}, ALL, set()),  # a pass misses it: held from the pass before
        (set(range(10)) - {0}, ALL, set()),  # the first pass misses it: the next one covers
        (set(range(10)) - {2, 3}, ALL, set()),  # two misses in a row (0.4 s) stay within hold
        ({0, 1, 2}, set(range(10)), set(range(11, 20))),  # gone after 0.4 s: held 0.6 s only
    ],
)
def test_boxes_are_held_across_missed_passes(
    tmp_path: Path, found: set[int], blurred: set[int], sharp: set[int]
) -> None:
    src, dst = tmp_path / "clip.mp4", tmp_path / "redacted.mp4"
    with av.open(str(src), "w", format="mp4") as out:  # 20 frames at 10 fps: passes every 2nd
        stream = out.add_stream("libx264", rate=Fraction(10))
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        stream.options = {"crf": "10"}
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(_textured(), "bgr24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    assert redact_video(src, dst, _Passes(found), crf=12) == 20
    with av.open(str(dst)) as red:
        frames = [np.asarray(f.to_ndarray(format="bgr24"), np.uint8) for f in red.decode(video=0)]
    assert {i for i, f in enumerate(frames) if not _sharp(f)} >= blurred
    assert {i for i, f in enumerate(frames) if _sharp(f)} >= sharp
    assert _sharp(_textured())


def test_without_hold_a_missed_pass_shows_the_patch(tmp_path: Path) -> None:
    """The control: with ``hold_s=0`` (only the pass before and the one after a frame)
    two missed passes in a row leave frame 4 sharp, so the held test above can fail."""
    src, dst = tmp_path / "clip.mp4", tmp_path / "redacted.mp4"
    with av.open(str(src), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=Fraction(10))
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for i in range(8):
            frame = av.VideoFrame.from_ndarray(_textured(), "bgr24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    redact_video(src, dst, _Passes({0, 1}), crf=12, hold_s=0.0)
    with av.open(str(dst)) as red:
        frames = [np.asarray(f.to_ndarray(format="bgr24"), np.uint8) for f in red.decode(video=0)]
    assert _sharp(frames[4]), "passes 2 and 3 missed, nothing held: the patch shows"


def _clip(path: Path, frames: int = 10) -> Path:
    with av.open(str(path), "w", format="mp4") as out:  # 10 fps: a pass every 2nd frame
        stream = out.add_stream("libx264", rate=Fraction(10))
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        stream.options = {"crf": "10"}
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(_textured(), "bgr24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@pytest.mark.parametrize(
    ("context", "found", "blurred", "sharp"),
    [
        # the piece before found the patch (3 lead-in passes), this one's passes miss it:
        # held across the boundary for 0.6 s (frames 0..4), as in one file
        ("before", {0, 1, 2}, set(range(5)), set(range(6, 10))),
        # only the next piece's first frame shows it: this one's last 0.2 s is blurred
        ("after", {5}, {8, 9}, set(range(7))),
        # the controls: redacted alone, the same misses leave the patch sharp
        ("none", set(), set(), set(range(10))),
    ],
)
def test_a_piece_is_redacted_with_its_neighbours(
    tmp_path: Path, context: str, found: set[int], blurred: set[int], sharp: set[int]
) -> None:
    src = _clip(tmp_path / "piece.mp4")
    near = _clip(tmp_path / "near.mp4")
    ctx = PieceContext(near if context == "before" else None, near if context == "after" else None)
    dst = tmp_path / "redacted.mp4"
    assert redact_video(src, dst, _Passes(found), crf=12, context=ctx) == 10
    with av.open(str(dst)) as red:
        frames = [np.asarray(f.to_ndarray(format="bgr24"), np.uint8) for f in red.decode(video=0)]
        assert not red.streams.video[0].codec_context.has_b_frames  # pieces join cleanly
    assert len(frames) == 10
    assert {i for i, f in enumerate(frames) if not _sharp(f)} >= blurred
    assert {i for i, f in enumerate(frames) if _sharp(f)} >= sharp


def test_a_neighbours_saved_passes_are_used_instead_of_searching_again(
    tmp_path: Path,
) -> None:
    near, src = _clip(tmp_path / "near.mp4"), _clip(tmp_path / "piece.mp4")
    saved = tmp_path / "near.passes.json"
    found = _Passes({2, 3, 4})  # the piece before: its last three passes see the patch
    redact_video(near, tmp_path / "near-red.mp4", found, crf=12,
                 context=PieceContext(passes=saved))
    assert found.calls == 5 and saved.is_file()
    found.found = set()  # from now on the detector sees nothing
    ctx = PieceContext(before=near, before_passes=saved)
    redact_video(src, tmp_path / "red.mp4", found, crf=12, context=ctx)
    assert found.calls == 10  # this piece's 5 passes only: nothing before searched again
    with av.open(str(tmp_path / "red.mp4")) as red:
        frames = [np.asarray(f.to_ndarray(format="bgr24"), np.uint8) for f in red.decode(video=0)]
    assert [not _sharp(f) for f in frames] == [True] * 5 + [False] * 5  # held 0.6 s, as saved
