"""SIGTERM ends a command the way Ctrl+C does: clean-up runs, no traceback.

Python's default SIGTERM kills the process on the spot, so ``finally`` blocks
never run: ``kuzet serve`` left events open and the audit tail unsigned
(uvicorn catches SIGTERM while it serves, then re-raises it once it has stopped).
With :func:`exit_cleanly_on_sigterm` the signal raises :class:`Terminated` (a
``SystemExit`` with status 143) in the main thread instead, which unwinds
through every ``finally`` and ``with`` and exits without a traceback.
"""

from __future__ import annotations

import signal
from types import FrameType

SIGTERM_STATUS = 128 + signal.SIGTERM


class Terminated(SystemExit):
    """Raised in the main thread when SIGTERM arrives (exit status 143)."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # A second SIGTERM must not cut the clean-up of the first one short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated(SIGTERM_STATUS)


def exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM raise :class:`Terminated` (call from the main thread)."""
    signal.signal(signal.SIGTERM, _on_sigterm)
