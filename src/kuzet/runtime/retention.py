"""The retention job, wired: every purger of every data class, in one list.

``kuzet serve`` (:class:`kuzet.runtime.system.EmbeddedSystem`) and
``kuzet retention run`` both build their job here, so the two cannot disagree on
what is purged. A package that stores a new data class with a retention limit
adds its purger to :func:`retention_purgers`; until it does, building the job
fails (:func:`kuzet.privacy.retention.check_purgers`).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from kuzet.config.retention import RetentionConfig
from kuzet.identity.plate_reads import PlateReadPurger
from kuzet.identity.sightings import SightingPurger
from kuzet.privacy.audit import AuditLog
from kuzet.privacy.retention import Purger, RetentionJob
from kuzet.response.field import FieldPositionPurger
from kuzet.store.media import Media


def retention_purgers(engine: Engine, media: Media) -> list[Purger]:
    """The purgers of the data classes kept outside the events table."""
    return [PlateReadPurger(engine, media), SightingPurger(engine, media),
            FieldPositionPurger(engine)]


def retention_job(
    engine: Engine, media: Media, audit: AuditLog, config: RetentionConfig
) -> RetentionJob:
    """A retention job over the whole store with every purger.

    Args:
        engine: Store engine.
        media: Media store (snapshots, clips, crops).
        audit: Audit trail.
        config: The ``retention`` section.

    Returns:
        The job (not yet run).

    Example:
        >>> job = retention_job(store.engine, media, audit, RetentionConfig())  # doctest: +SKIP
        >>> job.run(dry_run=True).removed["face_sightings"]  # doctest: +SKIP
        0
    """
    return RetentionJob(engine, media, audit, config, retention_purgers(engine, media))
