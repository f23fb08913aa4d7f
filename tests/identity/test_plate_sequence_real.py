"""End to end on real photos: PlateReader + TrackPlates over a frame sequence -> hotlist hits.

A photo from ../shared/data/plates/openalpr_eu is shown as a short "video" of
one car track (slightly shifted and brightened from frame to frame, then the
track ends). The reads (early and final) go through :class:`HotlistService`:
a hotlisted plate raises exactly one ``plate_hit`` event, and a hotlist entry
one OCR look-alike away hits only with fuzzy matching on. Skipped without the
data or rapidocr.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from factories import make_detections
from kuzet.config.hotlists import HotlistsConfig
from kuzet.config.plates import PlatesConfig
from kuzet.core.sightings import PlateRead
from kuzet.core.types import Event, Frame, Image
from kuzet.enrich.plate.reader import PlateReader
from kuzet.enrich.plate.tracks import TrackPlates
from kuzet.eval.plates import read_samples
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.identity.hotlists import HotlistRepo
from kuzet.identity.plate_match import CONFUSION_GROUPS
from kuzet.identity.plates_service import HotlistService
from kuzet.store import MediaStore, Store, open_store
from kuzet.store.events import EventQuery

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "plates" / "openalpr_eu"
FRAMES = 12  # 0.0 .. 2.75 s at 4 fps


@pytest.fixture(scope="module")
def track_reads() -> tuple[str, list[PlateRead]]:
    """(label, reads of one car track) for the first photo the reader reads exactly."""
    pytest.importorskip("rapidocr_onnxruntime")
    if not DATA.is_dir():
        pytest.skip(f"{DATA} not found (evaluation data lives in ../shared/data)")
    reader = PlateReader(countries=("EU",))
    _layout, samples = read_samples(DATA)
    for sample in samples[:6]:
        image = cv2.imread(str(sample.path))
        assert image is not None, sample.path
        reads = _run_track(np.asarray(image, np.uint8), reader)
        if reads and all(r.text == sample.plate for r in reads):
            return sample.plate, reads
    pytest.skip("the reader read none of the first photos exactly")


def _run_track(image: Image, reader: PlateReader) -> list[PlateRead]:
    cfg = PlatesConfig.model_validate({"enabled": True, "every_s": 0.25, "countries": ["EU"]})
    plates = TrackPlates("gate", cfg, reader)
    h, w = image.shape[:2]
    reads: list[PlateRead] = []
    for i in range(FRAMES):
        shifted = np.roll(image, i * 2, axis=1)
        frame_image = np.asarray(cv2.convertScaleAbs(shifted, alpha=1.0, beta=i % 3), np.uint8)
        frame = Frame(
            camera_id="gate", seq=i, ts=i * 0.25, wall=1.8e9 + i * 0.25, image=frame_image
        )
        dets = make_detections([[0, 0, w, h]], classes="car", track_ids=[3])
        reads += plates.update(frame, dets, ())
    last = Frame(camera_id="gate", seq=FRAMES, ts=FRAMES * 0.25, wall=1.8e9 + 3, image=image)
    reads += plates.update(last, make_detections([], classes="car", track_ids=[]), (3,))
    return reads


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path)
    yield opened
    opened.close()


def _service(store: Store, tmp_path: Path, plate: str, **config: Any) -> HotlistService:
    repo = HotlistRepo(store.engine)
    hotlist = repo.create_hotlist("stolen", "stolen", 1, "admin")
    values = {
        "plate": plate, "match": "exact", "reason": "stolen", "legal_basis": "court order 12/26",
        "owner": "officer.kim", "expires_at": datetime.now(UTC) + timedelta(days=1),
    }  # fmt: skip
    repo.add_entry(hotlist.id, values, "admin")
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    return HotlistService(
        store.engine, MediaStore(tmp_path / "media"), bus, HotlistsConfig(**config)
    )


def _look_alike(plate: str) -> str:
    """``plate`` with its first character that has an OCR look-alike swapped for it."""
    for i, c in enumerate(plate):
        for group in CONFUSION_GROUPS:
            if c in group:
                other = next(g for g in group if g != c)
                return plate[:i] + other + plate[i + 1 :]
    pytest.skip(f"{plate} has no character with a look-alike")


def test_hotlisted_plate_in_a_frame_sequence_raises_one_event(
    track_reads: tuple[str, list[PlateRead]], store: Store, tmp_path: Path
) -> None:
    plate, reads = track_reads
    assert [r.final for r in reads] == [False, True]  # an early and a final read
    service = _service(store, tmp_path, plate)
    for read in reads:
        service.handle(read)
    events = store.events.list(EventQuery(kinds=["plate_hit"])).items
    assert len(events) == 1
    assert events[0].attrs["plate"] == plate and events[0].snapshot_key is not None


@pytest.mark.parametrize(("fuzzy", "expected"), [(True, 1), (False, 0)])
def test_near_miss_in_a_frame_sequence_hits_only_with_fuzzy(
    track_reads: tuple[str, list[PlateRead]],
    store: Store,
    tmp_path: Path,
    fuzzy: bool,
    expected: int,
) -> None:
    plate, reads = track_reads
    service = _service(store, tmp_path, _look_alike(plate), fuzzy=fuzzy)
    for read in reads:
        service.handle(read)
    assert len(store.events.list(EventQuery(kinds=["plate_hit"])).items) == expected
