"""The retention job refuses purgers that leave a limited data class without one,
name a class twice, or name one that is not a retention setting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from kuzet.config.retention import RetentionConfig
from kuzet.privacy.retention import BUILT_IN, check_purgers


@dataclass(frozen=True)
class Named:
    data_class: str

    def purge(self, cutoff: datetime, *, dry_run: bool) -> int:
        return 0


EXTERNAL = [name for name in RetentionConfig.data_classes() if name not in BUILT_IN]


@pytest.mark.parametrize(
    ("config", "names", "problem"),
    [
        (RetentionConfig(), EXTERNAL, None),
        (RetentionConfig(), EXTERNAL[1:], "missing"),
        (RetentionConfig(), [], "missing"),
        (RetentionConfig(**dict.fromkeys(EXTERNAL)), [], None),  # no limit, no purger needed
        (RetentionConfig(), [*EXTERNAL, EXTERNAL[0]], "duplicate"),
        (RetentionConfig(), [*EXTERNAL, "events"], "unknown"),  # the job purges events itself
        (RetentionConfig(), [*EXTERNAL, "run_every"], "unknown"),
    ],
)
def test_purgers_must_cover_every_limited_class_once(
    config: RetentionConfig, names: list[str], problem: str | None
) -> None:
    purgers = [Named(name) for name in names]
    if problem is None:
        check_purgers(config, purgers)
    else:
        with pytest.raises(ValueError, match=problem):
            check_purgers(config, purgers)


def test_there_are_classes_kept_elsewhere() -> None:
    assert {"plate_reads", "face_sightings"} <= set(EXTERNAL)
