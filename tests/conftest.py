"""Shared fixtures: the sample video and the installed model pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
H264_FRAMES = 120  # frames of the ``h264_video`` fixture: 12 s at 10 fps
SAMPLE_CANDIDATES = (
    Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),
    SHARED / "data" / "video" / "vtest.avi",
)


@pytest.fixture(scope="session")
def sample_video() -> Path:
    """vtest.avi (Debian opencv-doc, installed by `make test`), else ../shared."""
    for path in SAMPLE_CANDIDATES:
        if path.is_file():
            return path
    pytest.skip("sample video vtest.avi not found (apt-get install opencv-doc)")


@pytest.fixture(scope="session")
def h264_video(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 12 s of vtest.avi encoded to H.264 in MP4, keyframe every 10 frames."""
    path = tmp_path_factory.mktemp("h264") / "vtest_h264.mp4"
    with av.open(str(sample_video)) as src, av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 768, 576, "yuv420p"
        stream.codec_context.gop_size = 10
        stream.options = {"preset": "ultrafast", "crf": "30", "sc_threshold": "0"}
        for i, frame in enumerate(src.decode(video=0)):
            if i >= H264_FRAMES:
                break
            frame.pts = None
            out.mux(stream.encode(frame.reformat(format="yuv420p")))
        out.mux(stream.encode(None))
    return path


@pytest.fixture(scope="session")
def nanodet_installed() -> Path:
    """Path of the installed NanoDet model; skips when `kuzet models install` has not run."""
    from kuzet.models.paths import find_model

    path = find_model("nanodet")
    if path is None:
        pytest.skip("model pack not installed (run `kuzet models install`)")
    return path


@pytest.fixture(scope="session")
def enroller() -> Any:
    """Real CenterFace + dlib models (skip when the face data or the models are absent)."""
    from face_probes import FACE_DATA

    if not (FACE_DATA / "identities.csv").is_file():
        pytest.skip(f"face data not found at {FACE_DATA} (see ../shared/data/README)")
    from kuzet.models.paths import find_model

    if find_model("centerface") is None:
        pytest.skip("model pack not installed (run `kuzet models install`)")
    from kuzet.config.identity import IdentityConfig
    from kuzet.identity.enrol import Enroller

    return Enroller(IdentityConfig())


# The store's engines: every test that takes `db_url` runs on both (issue 21).
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Any:
    """A real PostgreSQL server on loopback for the whole run (stopped by PID)."""
    from pg import running_server

    yield from running_server()


@pytest.fixture(scope="session")
def pg_template(postgres: Any) -> str:
    """A database migrated to head once, copied for each test."""
    from kuzet.store.db import create_db_engine, upgrade

    url = postgres.create_database()
    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()
    return str(url.rsplit("/", 1)[1])


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest) -> str | None:
    """None (the default SQLite file in the data folder) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    server = request.getfixturevalue("postgres")
    return str(server.create_database(request.getfixturevalue("pg_template")))



# The message buses: every test that takes `message_bus` runs on both (issue 21).
BUSES = ("embedded", "nats")


@pytest.fixture
def nats_server() -> Any:
    """A real nats-server with JetStream on loopback, its own store, stopped by PID."""
    from natsserver import running_server

    yield from running_server()


@pytest.fixture(params=BUSES)
def bus_kind(request: pytest.FixtureRequest) -> str:
    """``embedded`` or ``nats`` (parametrise ``bus_kind`` directly for one kind)."""
    return str(request.param)


@pytest.fixture
def bus_factory(request: pytest.FixtureRequest, bus_kind: str) -> Any:
    """Makes buses of ``bus_kind`` (NATS: one per node, same server); closed after the test."""
    from kuzet.config.bus import BusConfig
    from kuzet.events.transport import EmbeddedBus

    made: list[Any] = []
    url = request.getfixturevalue("nats_server").url if bus_kind == "nats" else ""

    def make(**cfg: Any) -> Any:
        if bus_kind == "embedded":
            bus: Any = made[0] if made else EmbeddedBus()  # one process, one bus
        else:
            from kuzet.scale.natsbus import NatsBus

            bus = NatsBus(BusConfig(kind="nats", url=url, **cfg), {"gate": "north"})
        made.append(bus)
        return bus

    yield make
    for bus in reversed(made):
        bus.close()


@pytest.fixture
def message_bus(bus_factory: Any) -> Any:
    """An embedded or a NATS JetStream bus (the same contract cases run on both)."""
    return bus_factory()


# The media backends: every test that takes `media` runs on both (issue 21).
MEDIA_KINDS = ("local", "s3")


@pytest.fixture(scope="session")
def s3_server() -> Any:
    """A real S3 server (SeaweedFS) on loopback for the whole run (stopped by PID)."""
    from s3 import running_server

    yield from running_server()


@pytest.fixture(params=MEDIA_KINDS)
def media(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh media store: a local folder, or its own bucket on the S3 server."""
    from kuzet.store.media import MediaStore

    if request.param == "local":
        return MediaStore(tmp_path / "media")
    from kuzet.store.media_s3 import S3MediaStore

    server = request.getfixturevalue("s3_server")
    return S3MediaStore(server.client(), server.create_bucket(), prefix="kuzet/site1",
                        multipart_bytes=5 * 2**20)


# Tests on the scale-out engines (a PostgreSQL store, the NATS bus, S3 media) form
# their own tier: `make test-slow`, run by CI after `make test`, so that the main
# tier stays within its time budget. The embedded case of each contract test stays in
# the main tier.
SCALE_OUT_PARAMS = {"db_url": "postgresql", "bus_kind": "nats", "media": "s3"}
SCALE_OUT_FIXTURES = frozenset({"postgres", "pg_template", "nats_server", "s3_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on a scale-out engine ``scaleout``."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        on_engine = any(params.get(name) == value for name, value in SCALE_OUT_PARAMS.items())
        if on_engine or SCALE_OUT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.scaleout)
