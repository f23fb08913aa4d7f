"""Camera sources: PyAV decoding, timestamps, pacing, reconnect with backoff, health."""

from kuzet.ingest.reconnect import Backoff, ReconnectingSource
from kuzet.ingest.source import VideoSource, is_stream_url, open_options, redact_url
from kuzet.ingest.tap import PacketTap

__all__ = [
    "Backoff",
    "PacketTap",
    "ReconnectingSource",
    "VideoSource",
    "is_stream_url",
    "open_options",
    "redact_url",
]
