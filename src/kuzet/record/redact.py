"""Redacted copies of recorded video: faces and all text (plates) blurred, re-encoded to H.264.

Faces and text (plate candidates; recordings carry no vehicle boxes, so every
text box is hidden) are searched about ``DETECT_FPS`` times a second (every frame of a 5 fps
source, every 6th of a 30 fps one) and the regions found are blurred on the
frames in between too, widened by the redactor's margin. The copy is written
under a temp name and renamed, like every media file.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np

from kuzet.core.types import Image
from kuzet.privacy.redaction import Regions

DETECT_FPS = 5.0


class VideoRedactor(Protocol):
    """What redaction needs (``kuzet.privacy.redaction.Redactor`` has it)."""

    def find_whole(self, image: Image) -> Regions:
        """Faces and plate candidates to hide in a whole BGR image."""

    def apply(self, image: Image, regions: Regions) -> Image:
        """The image with the regions blurred."""


def redact_video(src: Path, dst: Path, redactor: VideoRedactor, crf: int = 23) -> int:
    """Write a redacted H.264 copy of ``src`` to ``dst``.

    Args:
        src: An MP4 (or any file PyAV reads).
        dst: Target path (written as ``.tmp-<name>`` then renamed).
        redactor: Finds and blurs faces/plates.
        crf: x264 quality of the copy.

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
            ost = _encoder(out, stream, rate, crf)
            regions = Regions()
            for frame in source.decode(stream):
                image: Image = np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
                if frames % every == 0:
                    regions = redactor.find_whole(image)
                picture = av.VideoFrame.from_ndarray(redactor.apply(image, regions), "bgr24")
                picture = picture.reformat(format="yuv420p")
                picture.pts, picture.time_base = frame.pts, frame.time_base
                out.mux(ost.encode(picture))
                frames += 1
            out.mux(ost.encode(None))
    tmp.replace(dst)
    return frames


def _encoder(out: Any, stream: Any, rate: Fraction, crf: int) -> Any:
    ost = out.add_stream("libx264", rate=rate)
    ost.width = stream.codec_context.width & ~1
    ost.height = stream.codec_context.height & ~1
    ost.pix_fmt = "yuv420p"
    ost.codec_context.time_base = stream.time_base
    ost.options = {"crf": str(crf), "preset": "veryfast"}
    return ost
