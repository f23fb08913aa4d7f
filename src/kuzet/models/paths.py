"""Where the model pack lives, and how to find one installed model.

The folder is ``$KUZET_MODELS`` if set, else the platform's user cache dir
(``~/.cache/kuzet/models`` on Linux). Nothing here touches the network.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

MANIFEST_NAME = "manifest.json"


def user_cache_dir() -> Path:
    """The platform's per-user cache folder (XDG on Linux).

    Returns:
        ``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on
        macOS, ``%LOCALAPPDATA%`` on Windows.
    """
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) if base else Path.home() / "AppData" / "Local"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) if xdg else Path.home() / ".cache"


def models_dir(override: str | Path | None = None) -> Path:
    """The model folder.

    Args:
        override: Explicit folder (``--dir``); wins over the environment.

    Returns:
        ``override``, else ``$KUZET_MODELS``, else ``<user cache>/kuzet/models``.

    Example:
        >>> models_dir("/tmp/m")
        PosixPath('/tmp/m')
    """
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get("KUZET_MODELS")
    if env:
        return Path(env).expanduser()
    return user_cache_dir() / "kuzet" / "models"


def find_model(name: str, directory: str | Path | None = None) -> Path | None:
    """Path of an installed model file, or None when it is not installed.

    Looks the name up in the folder's manifest (so models that live inside a
    Python package, like dlib's, are found too) and checks that the file exists.
    It does not re-hash the file: ``kuzet models verify`` does that.

    Args:
        name: Registry name, e.g. ``"nanodet"`` or ``"centerface"``.
        directory: Model folder; defaults to :func:`models_dir`.

    Returns:
        The file's path, or None.
    """
    from kuzet.models.manifest import read_manifest

    folder = models_dir(directory)
    manifest = read_manifest(folder)
    entry = manifest.get(name)
    if entry is None:
        return None
    path = entry.resolve(folder)
    return path if path.is_file() else None


def require_model(name: str, directory: str | Path | None = None) -> Path:
    """Like :func:`find_model` but raises a helpful error when missing.

    Raises:
        ModelError: The model is not installed in the folder.
    """
    from kuzet.core.errors import ModelError

    path = find_model(name, directory)
    if path is None:
        folder = models_dir(directory)
        raise ModelError(
            f"model {name!r} is not installed in {folder}: run `kuzet models install`"
            + (f" --dir {folder}" if directory is not None else "")
        )
    return path


def model_file(name: str, directory: str | Path | None = None) -> Path:
    """An installed model, else (for models shipped in a Python package) its file there.

    Lets package-backed models (RapidOCR, dlib) run before ``kuzet models install``.

    Raises:
        ModelError: Not installed, and not a package model whose package is installed.
    """
    found = find_model(name, directory)
    if found is not None:
        return found
    from kuzet.models.install import package_model_path
    from kuzet.models.registry import get_spec

    spec = get_spec(name)
    if spec.origin != "python-package":
        return require_model(name, directory)
    return package_model_path(spec)
