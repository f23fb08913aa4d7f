"""HTTP API and operations console (FastAPI)."""

from kuzet.api.app import create_app
from kuzet.api.deps import AppDeps
from kuzet.api.live import LiveView

__all__ = ["AppDeps", "LiveView", "create_app"]
