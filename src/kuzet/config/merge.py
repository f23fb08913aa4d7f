"""Merge the global `detect`, `motion`, `tracking`, `fights`, `smoking` and `record` sections under
each camera's own; a camera without its own `timezone` takes the global one.

A camera's keys override the global ones at any depth; lists and scalars are replaced
as a whole. A mapping with a different ``type`` (e.g. ``detect.model``) replaces the
global one instead of merging, so settings of another backend do not leak in.
"""

from __future__ import annotations

from typing import Any

MERGED_SECTIONS: tuple[str, ...] = (
    "detect", "motion", "tracking", "fights", "smoking", "record"
)
# Top-level scalars a camera inherits unless it sets its own.
INHERITED_KEYS: tuple[str, ...] = ("timezone",)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Return `base` with `override` laid over it; neither input is changed.

    Args:
        base: Defaults (the global section).
        override: Keys that win (the camera's section).

    Returns:
        A new dict.

    Example:
        >>> deep_merge({"fps": 5, "model": {"type": "nanodet"}}, {"width": 800})
        {'fps': 5, 'model': {'type': 'nanodet'}, 'width': 800}
    """
    out = dict(base)
    for key, value in override.items():
        current = out.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and _same_type(current, value):
            out[key] = deep_merge(current, value)
        else:
            out[key] = value
    return out


def _same_type(base: dict[str, Any], override: dict[str, Any]) -> bool:
    return "type" not in override or base.get("type") == override["type"]


def merge_camera_sections(data: dict[str, Any]) -> dict[str, Any]:
    """Merge the global sections into every camera of a raw config.

    Malformed parts (a camera or section that is not a mapping) are left as they
    are, so validation reports them at their own place.

    Args:
        data: The whole config as plain data.

    Returns:
        A new top-level dict whose cameras carry the merged sections.
    """
    cameras = data.get("cameras")
    if not isinstance(cameras, dict):
        return data
    merged_cameras: dict[str, Any] = {}
    for cam_id, cam in cameras.items():
        if isinstance(cam, dict):
            cam = dict(cam)
            for section in MERGED_SECTIONS:
                base = data.get(section, {})
                own = cam.get(section, {})
                if isinstance(base, dict) and isinstance(own, dict) and (base or own):
                    cam[section] = deep_merge(base, own)
            for key in INHERITED_KEYS:
                if key in data and key not in cam:
                    cam[key] = data[key]
        merged_cameras[cam_id] = cam
    return {**data, "cameras": merged_cameras}
