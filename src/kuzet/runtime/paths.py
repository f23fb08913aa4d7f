"""Where Kuzet keeps its data and finds the demo's files."""

from __future__ import annotations

import os
from pathlib import Path

SAMPLE_VIDEO = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
REPO_ROOT = Path(__file__).resolve().parents[3]


def data_dir(explicit: Path | None = None) -> Path:
    """``--data-dir``, else ``$KUZET_DATA_DIR``, else ``~/.local/share/kuzet``."""
    if explicit is not None:
        path = explicit
    elif os.environ.get("KUZET_DATA_DIR"):
        path = Path(os.environ["KUZET_DATA_DIR"])
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        path = base / "kuzet"
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_config_path() -> Path:
    """The demo's config, ``examples/demo.yml`` in the source tree."""
    return REPO_ROOT / "examples" / "demo.yml"
