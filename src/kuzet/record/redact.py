"""Redacted copies of recorded video: faces and all text (plates) blurred, re-encoded to H.264.

Faces and text (plate candidates; recordings carry no vehicle boxes, so every
text box is hidden) are searched about ``DETECT_FPS`` times a second (every frame of a 5 fps
source, every 6th of a 30 fps one). Boxes are carried across frames to fail
closed: each frame is blurred with the boxes of every detection pass from
``HOLD_S`` seconds before it up to the next pass after it (frames wait for that
pass), so a face or plate the detector misses in one pass stays blurred, and one
found a pass late is already blurred on the frames before. Boxes are widened by
the redactor's margin. The copy is written under a temp name and renamed, like
every media file.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np

from kuzet.core.types import Image
from kuzet.privacy.redaction import Regions

DETECT_FPS = 5.0
HOLD_S = 0.6  # a box stays blurred this long after the pass that found it (3 passes)


class VideoRedactor(Protocol):
    """What redaction needs (``kuzet.privacy.redaction.Redactor`` has it)."""

    def find_whole(self, image: Image) -> Regions:
        """Faces and plate candidates to hide in a whole BGR image."""

    def apply(self, image: Image, regions: Regions) -> Image:
        """The image with the regions blurred."""


class HeldBoxes:
    """Boxes of recent detection passes, each held ``hold_s`` seconds after its pass.

    Example:
        >>> held = HeldBoxes(0.6)
        >>> held.add(0.0, Regions.of("face", np.array([[0, 0, 9, 9]])))
        >>> held.add(0.2, Regions())  # a pass that missed the face
        >>> len(held.around(0.2, 0.0)), len(held.around(0.9, 0.0))
        (1, 0)
    """

    def __init__(self, hold_s: float = HOLD_S) -> None:
        if hold_s < 0:
            raise ValueError(f"expected hold_s >= 0, got {hold_s}")
        self.hold_s = hold_s
        self._passes: deque[tuple[float, Regions]] = deque()

    def add(self, ts: float, regions: Regions) -> None:
        """Record a detection pass at ``ts`` seconds (passes come in time order)."""
        self._passes.append((ts, regions))

    def around(self, ts: float, ahead_s: float) -> Regions:
        """The boxes a frame at ``ts`` gets: the last pass at or before it, every pass
        from ``ts - hold_s`` on, and those up to ``ts + ahead_s``. Passes no later
        frame needs are forgotten (frames come in time order)."""
        passes = self._passes
        while len(passes) > 1 and passes[1][0] <= ts and passes[0][0] < ts - self.hold_s:
            passes.popleft()
        merged = Regions()
        for when, regions in passes:
            if when > ts + ahead_s:
                break
            merged = merged.merge(regions)
        return merged


@dataclass(frozen=True, slots=True)
class PieceContext:
    """What a piece of a recording (one segment) is redacted with when done on its own.

    Attributes:
        before: The recording just before it: its last ``hold_s`` seconds are
            searched too, so boxes are held across the boundary as in one file.
        after: The recording just after it: its first frame is searched too (the
            "next pass" of the piece's last frames).
        fragmented: Write fragmented MP4 (a player appends it to a Media Source).
        passes: Where to save this piece's detection passes (JSON), so its
            neighbours reuse them instead of searching its frames again.
        before_passes: The saved passes of ``before``, used when present.
        after_passes: The saved passes of ``after``, used when present.
    """

    before: Path | None = None
    after: Path | None = None
    fragmented: bool = True
    passes: Path | None = None
    before_passes: Path | None = None
    after_passes: Path | None = None


def redact_video(  # noqa: PLR0913 - quality, hold and context are plain options
    src: Path,
    dst: Path,
    redactor: VideoRedactor,
    crf: int = 23,
    hold_s: float = HOLD_S,
    context: PieceContext | None = None,
) -> int:
    """Write a redacted H.264 copy of ``src`` to ``dst`` (timestamps from 0, no B-frames).

    Args:
        src: An MP4 (or any file PyAV reads).
        dst: Target path (written as ``.tmp-<name>`` then renamed).
        redactor: Finds and blurs faces/plates.
        crf: x264 quality of the copy.
        hold_s: Seconds a found box stays blurred after its pass (0: only until
            the next pass).
        context: The recordings around ``src`` when it is one piece of a longer
            recording (None: ``src`` stands alone, written as faststart MP4).

    Returns:
        Frames written.

    Raises:
        av.error.FFmpegError, OSError: Reading or writing failed.
        ModelError: The redaction models are missing (never a raw copy instead).
    """
    ctx = context or PieceContext(fragmented=False)
    tmp = dst.with_name(".tmp-" + dst.name)
    flags = "+frag_keyframe+empty_moov+default_base_moof" if ctx.fragmented else "+faststart"
    held = HeldBoxes(hold_s)
    with av.open(str(src)) as source:
        stream = source.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        every = max(1, round(float(rate) / DETECT_FPS))
        if ctx.before is not None:
            _lead_in(ctx, redactor, held, every)
        with av.open(str(tmp), "w", format="mp4", options={"movflags": flags}) as out:
            sink = _BlurSink(out, _encoder(out, stream, rate, crf), redactor, float(1 / rate))
            frames, end = sink.run(source.decode(stream), held, every)
            after = _lead_out(ctx, redactor)
            if after is not None:
                held.add(end, after)  # the next piece's first pass
                sink.flush(held, end)
            sink.flush(held, None)
            out.mux(sink.ost.encode(None))
    tmp.replace(dst)
    if ctx.passes is not None:
        save_passes(ctx.passes, sink.passes, end)
    return frames


def save_passes(path: Path, passes: list[tuple[float, Regions]], end: float) -> None:
    """Write a piece's detection passes (seconds from its start) and its end as JSON."""
    body = {"end": end, "passes": [[ts, r.xyxy.tolist(), list(r.kinds)] for ts, r in passes]}
    tmp = path.with_name(".tmp-" + path.name)
    tmp.write_text(json.dumps(body))
    tmp.replace(path)


def load_passes(path: Path | None) -> tuple[float, list[tuple[float, Regions]]] | None:
    """(end, passes) saved by :func:`save_passes`, or None when there are none."""
    if path is None or not path.is_file():
        return None
    try:
        body = json.loads(path.read_text())
        passes = [(float(ts), Regions(np.asarray(boxes, np.float32).reshape(-1, 4),
                                      tuple(kinds))) for ts, boxes, kinds in body["passes"]]
        return float(body["end"]), passes
    except (ValueError, KeyError, TypeError, OSError):
        return None  # unreadable: search the frames again


def _lead_out(ctx: PieceContext, redactor: VideoRedactor) -> Regions | None:
    """The first detection pass of the recording after (saved, or made now)."""
    saved = load_passes(ctx.after_passes)
    if saved is not None and saved[1]:
        return saved[1][0][1]
    image = None if ctx.after is None else _first_image(ctx.after)
    return None if image is None else redactor.find_whole(image)


def _lead_in(ctx: PieceContext, redactor: VideoRedactor, held: HeldBoxes, every: int) -> None:
    """Detection passes over the last ``held.hold_s`` seconds of the recording before,
    at negative times (its end is 0), as if it were the start of this one (its saved
    passes when there are some, else a search of its frames now)."""
    saved = load_passes(ctx.before_passes)
    if saved is not None:
        end, passes = saved
        for ts, regions in passes:
            if ts >= end - held.hold_s - 1e-6:
                held.add(ts - end, regions)
        return
    assert ctx.before is not None
    with av.open(str(ctx.before)) as before:
        stream = before.streams.video[0]
        frames = [(_seconds(f), f) for f in before.decode(stream)]
    if not frames:
        return
    step = frames[-1][0] - frames[-2][0] if len(frames) > 1 else 0.0
    end = frames[-1][0] + step
    tail = [(ts, f) for ts, f in frames if ts >= end - held.hold_s]
    for ts, frame in tail[::-1][::every][::-1]:  # every pass-th frame counted from the end
        image: Image = np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
        held.add(ts - end, redactor.find_whole(image))


def _first_image(path: Path) -> Image | None:
    with av.open(str(path)) as after:
        for frame in after.decode(after.streams.video[0]):
            return np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
    return None


def _seconds(frame: Any) -> float:
    return float((frame.pts or 0) * (frame.time_base or 0))


class _BlurSink:
    """Blurs frames with the held boxes around each one and encodes them, from pts 0."""

    def __init__(self, out: Any, ost: Any, redactor: VideoRedactor, frame_s: float) -> None:
        self.out, self.ost, self.redactor, self.frame_s = out, ost, redactor, frame_s
        self.pending: list[tuple[Image, Any, float]] = []
        self.passes: list[tuple[float, Regions]] = []  # every detection pass made
        self.first: int | None = None

    def run(self, frames: Any, held: HeldBoxes, every: int) -> tuple[int, float]:
        """Blur and encode ``frames`` (a pass every ``every``-th); the frames that wait
        for a pass after the last stay pending. Returns (frames, end in seconds)."""
        count, end = 0, 0.0
        for frame in frames:
            self.first = (frame.pts or 0) if self.first is None else self.first
            ts = float(((frame.pts or 0) - self.first) * (frame.time_base or 0))
            image: Image = np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
            if count % every == 0:  # a pass: the frames before it have all they need
                self.passes.append((ts, self.redactor.find_whole(image)))
                held.add(*self.passes[-1])
                self.flush(held, ts)
            self.pending.append((image, frame, ts))
            count += 1
            end = ts + self.frame_s
        return count, end

    def flush(self, held: HeldBoxes, newest: float | None) -> None:
        """Write the pending frames; each sees the passes up to ``newest`` (the pass
        just made; None at the end: no pass after them)."""
        for image, frame, ts in self.pending:
            regions = held.around(ts, 0.0 if newest is None else max(0.0, newest - ts))
            picture = av.VideoFrame.from_ndarray(self.redactor.apply(image, regions), "bgr24")
            picture = picture.reformat(format="yuv420p")
            picture.pts, picture.time_base = frame.pts - (self.first or 0), frame.time_base
            self.out.mux(self.ost.encode(picture))
        self.pending.clear()


def _encoder(out: Any, stream: Any, rate: Fraction, crf: int) -> Any:
    ost = out.add_stream("libx264", rate=rate)
    ost.width = stream.codec_context.width & ~1
    ost.height = stream.codec_context.height & ~1
    ost.pix_fmt = "yuv420p"
    ost.codec_context.time_base = stream.time_base
    # No B-frames: pieces decode from their first frame on and join back to back.
    ost.options = {"crf": str(crf), "preset": "veryfast", "bf": "0", "profile": "high"}
    return ost
