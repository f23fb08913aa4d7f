"""Factories for citizen report tests: photos with EXIF GPS, configs, solved submissions.

Import as ``from citizen_factories import ...`` (``tests/`` is on the path).
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from kuzet.api import AppDeps
from kuzet.api.testing import FakeLiveView
from kuzet.citizen.pow import solve
from kuzet.config.cameras import CameraConfig
from kuzet.config.citizen import CitizenConfig, RateLimit
from kuzet.core.types import Event
from kuzet.events.bus import Bus
from kuzet.events.sinks import StoreSink
from kuzet.store import MediaStore, open_store

# Two cameras 60 m apart near a square in Almaty, one 5 km away.
SQUARE = (43.238949, 76.945465)
CAMERAS = {
    "square-north": {"lat": 43.239400, "lon": 76.945465, "site": "square", "site_type": "street"},
    "square-east": {"lat": 43.238949, "lon": 76.946200, "site": "square", "site_type": "street"},
    "depot": {"lat": 43.280000, "lon": 76.990000, "site": "depot", "site_type": "transport"},
}
GPS_IFD = 0x8825


def camera_configs() -> dict[str, CameraConfig]:
    """The three cameras above (file sources that are never opened)."""
    return {cid: CameraConfig.model_validate({"source": {"url": f"/dev/null/{cid}.mp4"},
                                              "name": cid.replace("-", " ").title(), **extra})
            for cid, extra in CAMERAS.items()}


def citizen_config(**overrides: Any) -> CitizenConfig:
    """Enabled intake with an easy proof of work (tests solve it in Python)."""
    values: dict[str, Any] = {"enabled": True, "pow_bits": 8, "secret": "s" * 32,
                              "per_ip": RateLimit(count=5, per_s=600),
                              "per_device": RateLimit(count=3, per_s=600)}
    values.update(overrides)
    return CitizenConfig(**values)


def photo(width: int = 640, height: int = 480, gps: tuple[float, float] | None = None,
          fmt: str = "JPEG") -> bytes:
    """A real photo (noise and a gradient), optionally with EXIF GPS (N/E)."""
    rng = np.random.default_rng(width * 7 + height)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    out = io.BytesIO()
    if gps is None or fmt != "JPEG":
        image.save(out, fmt)
        return out.getvalue()
    exif = Image.Exif()
    exif[0x010F] = "KuzetPhone"  # Make: must not survive either
    exif.get_ifd(GPS_IFD).update({1: "N", 2: _dms(gps[0]), 3: "E", 4: _dms(gps[1])})
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def b64(data: bytes) -> str:
    """Base64 text of ``data``."""
    return base64.b64encode(data).decode()


def report_body(client: Any, **overrides: Any) -> dict[str, Any]:
    """A valid report body with a solved challenge fetched through ``client``."""
    challenge = client.get("/api/public/challenge").json()
    body: dict[str, Any] = {
        "category": "violence", "description": "Two men fighting near the fountain",
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
        "lat": SQUARE[0], "lon": SQUARE[1], "location_source": "device",
        "place": "Central square, by the fountain", "contact": "+7 701 555 0101",
        "device_token": "device-1", "photos": [],
        "challenge": challenge["challenge"], "nonce": solve(challenge["challenge"],
                                                            challenge["bits"]),
    }
    body.update(overrides)
    return body


def citizen_deps(tmp_path: Path, **config: Any) -> AppDeps:
    """Store, media, the three cameras with positions and an enabled intake."""
    store = open_store(None, tmp_path)
    bus: Bus[Event] = Bus()
    bus.subscribe(StoreSink(store.events))
    live = FakeLiveView.with_cameras(*CAMERAS)
    return AppDeps(store, MediaStore(tmp_path / "media"), bus, live,
                   cameras=camera_configs(), citizen_config=citizen_config(**config))
