"""Face probes travel worker -> supervisor (FaceProbesMessage) -> Supervisor.face_probes bus."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from kuzet.config.root import KuzetConfig
from kuzet.core.sightings import FaceProbe
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.runtime.messages import FaceProbesMessage
from kuzet.runtime.supervisor import Supervisor


def probe(track_id: int) -> FaceProbe:
    emb = np.random.default_rng(track_id).standard_normal(128).astype(np.float32)
    return FaceProbe("gate", track_id, 1.0, 1_700_000_000.0, emb, 0.8, (1, 2, 30, 40), b"\xff\xd8")


def test_supervisor_publishes_each_probe(tmp_path: Path) -> None:
    config = KuzetConfig.model_validate({"cameras": {"gate": {"source": {"url": "a.mp4"}}}})
    supervisor = Supervisor(config, tmp_path / "media", Bus[Event]())
    got: list[FaceProbe] = []
    supervisor.face_probes.subscribe(got.append)
    # The message crosses a process boundary: it must survive pickling.
    message = pickle.loads(pickle.dumps(FaceProbesMessage((probe(1), probe(2)))))
    supervisor.router.dispatch(object(), message)
    assert [p.track_id for p in got] == [1, 2]
    np.testing.assert_array_equal(got[0].embedding, probe(1).embedding)
