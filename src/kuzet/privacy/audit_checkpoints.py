"""The server's periodic audit checkpoints.

:class:`~kuzet.privacy.audit.AuditLog` checks whether a checkpoint is due only
when a record is appended, so the records written just before a quiet spell
stayed unsigned until the next append (or the stop). This timer signs the chain
every ``privacy.audit_checkpoint_s`` seconds whatever happens; a checkpoint with
nothing new to sign writes nothing.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError

from kuzet.privacy.audit import AuditLog

log = logging.getLogger(__name__)


class CheckpointTimer:
    """Calls ``audit.checkpoint()`` every ``every_s`` seconds in a daemon thread.

    Example:
        >>> timer = CheckpointTimer(audit, 300.0)  # doctest: +SKIP
        >>> timer.start(); ...; timer.stop()  # doctest: +SKIP
    """

    def __init__(self, audit: AuditLog, every_s: float) -> None:
        if every_s <= 0:
            raise ValueError(f"every_s must be > 0, got {every_s}")
        self.audit = audit
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (the first checkpoint comes after ``every_s``)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="audit-checkpoints", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.audit.checkpoint()
            except SQLAlchemyError:  # the store is busy or down: try again next period
                log.exception("periodic audit checkpoint failed")

    def stop(self) -> None:
        """Stop the thread (the final checkpoint is ``AuditLog.close``'s job)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
