"""A second consumer of a camera's packets, beside the decoder (recording).

The reader thread hands every demuxed packet to the tap *before* decoding and
before the analysis queue, so a slow analysis (a detector backlog, dropped
frames) never costs the tap a packet. A tap that needs pictures instead of
packets (a transcoder) sets ``wants_frames`` and also gets every decoded frame,
so the source is decoded once for both.
"""

from __future__ import annotations

from typing import Any, Protocol


class PacketTap(Protocol):
    """Receives one source pass (an open of the source) packet by packet.

    Calls come from the source's reader thread in this order: ``open``, then
    ``packet`` (and ``frame`` when ``wants_frames``) any number of times, then
    ``close`` (also after an error, a reconnect or the end of a loop). A tap
    must not raise: it reports its own failures (e.g. through its health).
    """

    wants_frames: bool

    def open(self, stream: Any, wall: float) -> None:
        """A new pass starts: ``stream`` is the PyAV input video stream."""

    def packet(self, packet: Any) -> None:
        """One demuxed packet of the video stream (not yet decoded)."""

    def frame(self, frame: Any) -> None:
        """One decoded ``av.VideoFrame`` (only when ``wants_frames``)."""

    def close(self) -> None:
        """The pass ended (error, reconnect, end of file or loop, stop)."""
