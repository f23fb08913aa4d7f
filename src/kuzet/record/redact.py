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

from collections import deque
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


def redact_video(
    src: Path, dst: Path, redactor: VideoRedactor, crf: int = 23, hold_s: float = HOLD_S
) -> int:
    """Write a redacted H.264 copy of ``src`` to ``dst``.

    Args:
        src: An MP4 (or any file PyAV reads).
        dst: Target path (written as ``.tmp-<name>`` then renamed).
        redactor: Finds and blurs faces/plates.
        crf: x264 quality of the copy.
        hold_s: Seconds a found box stays blurred after its pass (0: only until
            the next pass).

    Returns:
        Frames written.

    Raises:
        av.error.FFmpegError, OSError: Reading or writing failed.
        ModelError: The redaction models are missing (never a raw copy instead).
    """
    tmp = dst.with_name(".tmp-" + dst.name)
    frames = 0
    with av.open(str(src)) as source:
        stream = source.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        every = max(1, round(float(rate) / DETECT_FPS))
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            sink = _BlurSink(out, _encoder(out, stream, rate, crf), redactor)
            held = HeldBoxes(hold_s)
            pending: list[tuple[Image, Any]] = []
            for frame in source.decode(stream):
                image: Image = np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
                if frames % every == 0:  # a pass: the frames before it have all they need
                    held.add(_seconds(frame), redactor.find_whole(image))
                    sink.flush(pending, held, _seconds(frame))
                pending.append((image, frame))
                frames += 1
            sink.flush(pending, held, None)
            out.mux(sink.ost.encode(None))
    tmp.replace(dst)
    return frames


def _seconds(frame: Any) -> float:
    return float((frame.pts or 0) * (frame.time_base or 0))


class _BlurSink:
    """Blurs waiting frames with the held boxes around each one and encodes them."""

    def __init__(self, out: Any, ost: Any, redactor: VideoRedactor) -> None:
        self.out, self.ost, self.redactor = out, ost, redactor

    def flush(
        self, pending: list[tuple[Image, Any]], held: HeldBoxes, newest: float | None
    ) -> None:
        """Write ``pending`` (emptied); each sees the passes up to ``newest`` (the
        pass just made; None at the end: no pass after them)."""
        for image, frame in pending:
            ts = _seconds(frame)
            regions = held.around(ts, 0.0 if newest is None else max(0.0, newest - ts))
            picture = av.VideoFrame.from_ndarray(self.redactor.apply(image, regions), "bgr24")
            picture = picture.reformat(format="yuv420p")
            picture.pts, picture.time_base = frame.pts, frame.time_base
            self.out.mux(self.ost.encode(picture))
        pending.clear()


def _encoder(out: Any, stream: Any, rate: Fraction, crf: int) -> Any:
    ost = out.add_stream("libx264", rate=rate)
    ost.width = stream.codec_context.width & ~1
    ost.height = stream.codec_context.height & ~1
    ost.pix_fmt = "yuv420p"
    ost.codec_context.time_base = stream.time_base
    ost.options = {"crf": str(crf), "preset": "veryfast"}
    return ost
