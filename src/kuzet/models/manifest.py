"""``manifest.json``: what is installed, from where, with which hash.

Files are written atomically (temporary file + rename), so an interrupted
install never leaves a half-written file that looks valid.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kuzet.core.errors import ModelError
from kuzet.models.paths import MANIFEST_NAME

FORMAT = 1
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One installed file.

    Attributes:
        name: Registry name.
        task: Registry task.
        source: Registry reference it came from.
        licence: Licence of the weights.
        input: Input spec.
        file: Path relative to the model folder, or absolute for files that
            live inside an installed Python package (recorded, not copied).
        sha256: Hex SHA-256 of the file.
        size: Size in bytes.
        converter: Version of the TFJS converter that wrote it ("" when not converted).
        extra_files: Other files kept with it (e.g. the TFJS sources), relative
            path -> sha256.
    """

    name: str
    task: str
    source: str
    licence: str
    input: str
    file: str
    sha256: str
    size: int
    extra_files: dict[str, str]
    converter: str = ""

    def resolve(self, folder: Path) -> Path:
        """Absolute path of the file."""
        path = Path(self.file)
        return path if path.is_absolute() else folder / path


class Manifest:
    """The set of installed models of one folder."""

    def __init__(self, entries: dict[str, ManifestEntry] | None = None) -> None:
        """Create from entries keyed by name."""
        self.entries: dict[str, ManifestEntry] = dict(entries or {})

    def get(self, name: str) -> ManifestEntry | None:
        """Entry by name, or None."""
        return self.entries.get(name)

    def __iter__(self) -> Iterator[ManifestEntry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"format": FORMAT, "models": {k: asdict(v) for k, v in sorted(self.entries.items())}}


def read_manifest(folder: Path) -> Manifest:
    """Read ``manifest.json`` of a folder (empty when absent).

    Raises:
        ModelError: The manifest exists but cannot be parsed.
    """
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return Manifest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        models = data["models"]
        return Manifest({name: ManifestEntry(**row) for name, row in models.items()})
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path} is not a valid model manifest ({exc}); "
                         "run `kuzet models install --force`") from exc


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    """Write ``manifest.json`` atomically and return its path."""
    path = folder / MANIFEST_NAME
    text = json.dumps(manifest.to_json(), indent=1, sort_keys=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def check_entry(entry: ManifestEntry, folder: Path) -> list[str]:
    """Problems with one entry's files (missing, wrong hash); empty when fine."""
    problems = []
    files = [(entry.resolve(folder), entry.sha256)]
    files += [(folder / rel, digest) for rel, digest in entry.extra_files.items()]
    for path, expected in files:
        if not path.is_file():
            problems.append(f"{entry.name}: {path} is missing")
            continue
        actual = sha256_file(path)
        if actual != expected:
            problems.append(f"{entry.name}: {path} has sha256 {actual}, manifest says {expected}")
    return problems
