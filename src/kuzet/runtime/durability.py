"""The durable path from the buses to the store, and the storage guard's thread.

``DurableWrites`` puts everything a camera produces (event updates, line
counts, plate reads, face probes) into the outbox (``<data dir>/outbox.db``)
instead of writing the store from the bus: the bus callbacks return at once,
so the live push to operators never waits for the database, and a locked,
read-only or stopped database only delays the writes (``degraded``), never
loses them. ``StorageThread`` runs the storage guard every few seconds.
``storage_status`` sums both up for camera health.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kuzet.config.store import StoreConfig
from kuzet.events.bus import Bus
from kuzet.store.events import EventRepo
from kuzet.store.outbox import Handler, Outbox, store_unavailable
from kuzet.store.space import SnapshotPurger, StorageGuard

log = logging.getLogger(__name__)
T = TypeVar("T")
MB = 2**20


class DurableWrites:
    """Bus -> outbox -> store, one entry kind per bus.

    Args:
        data_dir: Where ``outbox.db`` lives.
        cfg: The store section (``outbox_max_mb``).

    Example:
        >>> writes = DurableWrites(data_dir, config.store)  # doctest: +SKIP
        >>> writes.route(bus, "event", lambda e, key: store.events.upsert(e))  # doctest: +SKIP
        >>> writes.start()  # doctest: +SKIP
    """

    def __init__(self, data_dir: Path, cfg: StoreConfig) -> None:
        self.outbox = Outbox(data_dir / "outbox.db", max_bytes=int(cfg.outbox_max_mb * MB))

    def route(self, bus: Bus[T], kind: str, apply: Handler) -> Callable[[], None]:
        """Queue every item published on ``bus`` as ``kind``, applied by ``apply``.

        Returns:
            The bus unsubscribe function.
        """
        self.outbox.handle(kind, apply)

        def enqueue(item: Any) -> None:
            self.outbox.put(kind, item)

        return bus.subscribe(enqueue)

    def start(self) -> None:
        """Apply what a previous run left, and from now on what arrives."""
        pending = self.outbox.state().pending
        if pending:
            log.warning("outbox holds %d store writes from a previous run; applying them",
                        pending)
        self.outbox.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Apply what the store takes within ``timeout``; the rest waits for the next start."""
        self.outbox.stop(timeout)


class StorageThread:
    """Runs a storage guard every ``every`` seconds.

    Args:
        guard: The guard.
        every: Seconds between checks.
    """

    def __init__(self, guard: StorageGuard, every: float) -> None:
        self.guard = guard
        self._every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Check now (in the caller) and then periodically."""
        self._check()
        self._thread = threading.Thread(target=self._run, name="storage-guard", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._check()

    def _check(self) -> None:
        try:
            self.guard.check()
        except OSError:  # a folder vanished or is unreadable: report, try again later
            log.exception("storage guard check failed")

    def stop(self) -> None:
        """Stop checking."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)


def storage_guard(
    cfg: StoreConfig, folders: list[Path], media_root: Path, events: EventRepo
) -> StorageGuard:
    """The guard of ``folders`` (data and media dir) purging snapshots under ``media_root``.

    Only local disk fills up: with media on S3 the folder keeps the recordings and the
    guard purges nothing of the bucket.
    """

    def held() -> set[str]:
        try:
            return events.held_ids()
        except Exception as error:  # store down: hold everything rather than guess
            if not store_unavailable(error):
                raise
            log.warning("legal holds unknown (%s): purging nothing this time", error)
            return {"*"}

    def forget(keys: list[str]) -> None:
        try:
            events.forget_snapshots(keys)
        except Exception as error:
            if not store_unavailable(error):
                raise
            log.warning("purged snapshot keys not cleared in the store: %s", error)

    purger = SnapshotPurger(media_root)
    return StorageGuard(
        folders,
        purge_below=int(cfg.purge_below_free_mb * MB),
        floor=int(cfg.floor_free_mb * MB),
        purgers=[_HoldAll(purger)],
        held=held,
        on_purged=forget,
    )


class _HoldAll:
    # "*" among the held ids (the store could not say) means: purge nothing.
    def __init__(self, purger: SnapshotPurger) -> None:
        self._purger = purger

    def purge_oldest(self, need: int, held: frozenset[str]) -> tuple[int, list[str]]:
        if "*" in held:
            return 0, []
        return self._purger.purge_oldest(need, held)


def storage_status(writes: DurableWrites, guard: StorageGuard) -> Callable[[], str]:
    """"" while the store takes writes and the disk is above its floor, else why not."""

    def status() -> str:
        reasons = []
        state = writes.outbox.state()
        if state.degraded:
            reasons.append(
                f"store unavailable: {state.pending} writes held in the outbox "
                f"(oldest {state.oldest_age_s:.0f}s)"
            )
        if guard.state.state == "floor":
            reasons.append(guard.state.reason)
        return "; ".join(reasons)

    return status
