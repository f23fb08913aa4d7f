"""Typed configuration: one pydantic model per section, loaded from one YAML file."""

from kuzet.config.cameras import CameraConfig, SourceConfig
from kuzet.config.root import KuzetConfig

__all__ = ["CameraConfig", "KuzetConfig", "SourceConfig"]
