"""A real RTSP camera: a Debian RTSP server fed by a PyAV publisher, read by ReconnectingSource.

The publisher is the "camera": it pushes the sample video to the RTSP server of
Debian's librtsp-server-perl (RTP over UDP; it has no TCP interleaving), run
from the library so no system service is installed; our source pulls it as
an operator's camera would. Stopping the publisher drops the camera; starting it
again must bring frames back with seq and ts still increasing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from kuzet.config.cameras import SourceConfig
from kuzet.core.types import CameraState, Frame
from kuzet.ingest import ReconnectingSource

# /usr/bin/rtsp-server-perl without its package (which also installs a boot service).
SERVER = ["perl", "-MAnyEvent", "-MRTSP::Server", "-e",
          "RTSP::Server->new_with_options->listen; AnyEvent->condvar->recv", "--"]
HAVE_SERVER = Path("/usr/share/perl5/RTSP/Server.pm").is_file() and shutil.which("perl")
pytestmark = pytest.mark.skipif(not HAVE_SERVER, reason="apt-get install librtsp-server-perl")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Publisher:
    """Pushes ``video`` to ``url`` at 10 fps in a thread until stopped."""

    def __init__(self, video: Path, url: str) -> None:
        self._video, self._url = video, url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with av.open(str(self._video)) as src, av.open(
            self._url, "w", format="rtsp", options={"rtsp_transport": "udp"}
        ) as out:
            video = src.streams.video[0]
            stream = out.add_stream("mpeg4", rate=10)
            stream.width, stream.height, stream.pix_fmt = video.width, video.height, "yuv420p"
            start = time.monotonic()
            for n, frame in enumerate(src.decode(video)):
                if self._stop.is_set():
                    break
                frame.pts = None
                for packet in stream.encode(frame):
                    out.mux(packet)
                time.sleep(max(0.0, start + (n + 1) / 10 - time.monotonic()))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.fixture
def rtsp_server() -> Iterator[tuple[str, str]]:
    """(publish URL, play URL) of a fresh rtsp-server-perl on free local ports."""
    client, source = _free_port(), _free_port()
    proc = subprocess.Popen(
        [*SERVER, "--clientport", str(client), "--serverport", str(source),
         "--client_listen_address", "127.0.0.1", "--source_listen_address", "127.0.0.1",
         "--rtp_start_port", str(20000 + client % 20000), "--loglevel", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", source)) == 0:
                break
        time.sleep(0.1)
    yield f"rtsp://127.0.0.1:{source}/cam", f"rtsp://127.0.0.1:{client}/cam"
    proc.terminate()
    proc.wait(10)


def test_rtsp_camera_streams_drops_and_comes_back(
    rtsp_server: tuple[str, str], vtest: Path
) -> None:
    publish_url, play_url = rtsp_server
    cfg = SourceConfig.model_validate({
        "url": play_url, "rtsp_transport": "udp", "timeout": 2,
        "reconnect_initial": 0.2, "reconnect_max": 1,
    })
    source = ReconnectingSource("street", cfg, fps=5, width=320)
    camera = Publisher(vtest, publish_url)
    time.sleep(1.0)  # the server announces the stream once the publisher has set it up
    got: list[Frame] = []
    states: list[CameraState] = []
    try:
        for frame in source.frames():
            got.append(frame)
            states.append(source.health.state)
            if len(got) == 10:
                camera.stop()  # the camera drops
                deadline = time.monotonic() + 20
                while source.health.state is CameraState.ONLINE and time.monotonic() < deadline:
                    time.sleep(0.2)
                dropped = source.health
                camera = Publisher(vtest, publish_url)  # and comes back
            if len(got) == 20:
                break
    finally:
        camera.stop()
        source.close()
    assert len(got) == 20 and got[0].image.shape[1] == 320
    assert CameraState.ONLINE in states
    assert dropped.state is not CameraState.ONLINE and dropped.reason
    assert source.health.reconnects >= 1
    assert np.all(np.diff([f.seq for f in got]) > 0)
    assert np.all(np.diff([f.ts for f in got]) > 0)
