"""STYLE.md's house rules, enforced: ruff (incl. complexity and argument counts),
module size limit, mypy --strict over every package, and one-way layers between
the packages (issue 13: a package imports only from lower layers)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize(
    "cmd",
    [
        (str(BIN / "ruff"), "check", "src", "tests", "benchmarks"),
        (sys.executable, "scripts/check_sizes.py"),
        (str(BIN / "mypy"),),
    ],
    ids=["ruff", "module-size", "mypy-strict"],
)
def test_house_rule(cmd: tuple[str, ...]) -> None:
    if not Path(cmd[0]).exists():
        pytest.skip(f"{cmd[0]} not installed (pip install -e '.[dev]')")
    proc = _run(*cmd)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


# --- One-way layers (issue 13) -------------------------------------------------------
# The order, low to high, written once: a package may import only from strictly
# lower layers and from itself. Names of packages that do not exist yet are placed
# already, so whoever adds them is checked from the first commit.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("config",),
    ("store", "models", "render"),
    ("ingest", "motion", "detect", "track"),
    ("enrich",),
    ("fights",),
    ("events",),
    ("rules",),
    ("privacy",),
    ("identity",),
    ("record", "response", "integrations", "maps"),
    ("citizen",),
    ("metrics", "transparency"),
    ("scale",),
    ("api",),
    ("runtime",),
    ("eval",),
    ("cli",),
)
ASSETS = ("web",)  # templates and static files: imports no kuzet code, usable by any layer
LAYER_OF = {name: i for i, group in enumerate(LAYERS) for name in group}
ORDER_TEXT = " < ".join(", ".join(group) for group in LAYERS)
MODULE_NAME = re.compile(r"kuzet(\.[A-Za-z_][A-Za-z0-9_]*)+")
IMPORT_CALLS = ("import_module", "__import__", "find_spec")


def _module_of(path: Path, root: Path) -> tuple[str, bool]:
    """Dotted module name of ``path`` (``root`` is the ``kuzet`` folder), and if a package."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(tree: ast.Module, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every kuzet module named by ``tree``: imports at any depth (lazy, TYPE_CHECKING),
    ``importlib.import_module("kuzet....")`` and other module-name strings in code."""
    prose = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # docstrings
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, module, is_package)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in prose
            and MODULE_NAME.fullmatch(node.value)
        ):
            found.append((node.lineno, node.value))
    return [(line, name) for line, name in found if name.split(".")[0] == "kuzet"]


def _verdict(source: str, target: str) -> str | None:
    """Why ``source`` package may not import ``target`` package (None: it may)."""
    if target == source or target in ASSETS:
        return None
    if source in ASSETS:
        return "an asset package imports code"
    if source == "":
        return "the kuzet root imports a package"
    if target not in LAYER_OF or source not in LAYER_OF:
        return None  # unplaced packages are reported once, by layer_violations
    if LAYER_OF[target] > LAYER_OF[source]:
        return "upward import"
    if LAYER_OF[target] == LAYER_OF[source]:
        return "import within one layer"
    return None


def layer_violations(root: Path) -> list[str]:
    """Every import against :data:`LAYERS` in the ``kuzet`` source folder ``root``,
    and every package or top-level module the order does not place."""
    known = {p.stem if p.is_file() else p.name for p in root.iterdir() if p.name != "__init__.py"}
    bad = [
        f"{root.name}/{name}: not placed in LAYERS (add it to the layer order)"
        for name in sorted(known)
        if (root / name).is_dir()
        and any((root / name).rglob("*.py"))
        and name not in LAYER_OF
        and name not in ASSETS
    ]
    bad += [f"{root.name}/{p.name}: a module outside any package" for p in root.glob("*.py")
            if p.name != "__init__.py"]  # fmt: skip
    for path in sorted(root.rglob("*.py")):
        module, is_package = _module_of(path, root)
        source = module.split(".")[1] if "." in module else ""
        for line, name in _imports(ast.parse(path.read_text("utf-8")), module, is_package):
            target = name.split(".")[1] if "." in name else ""
            if target not in known and target not in LAYER_OF:
                continue  # kuzet.__version__, or a string that only looks like a module
            why = _verdict(source, target)
            if why is not None:
                where = path.relative_to(root.parent)
                bad.append(f"{where}:{line}: {why}: {source or 'kuzet'} -> {name}")
    return bad


def test_imports_follow_the_layer_order() -> None:
    bad = layer_violations(REPO / "src" / "kuzet")
    assert not bad, f"layer order {ORDER_TEXT}:\n" + "\n".join(bad)


def test_architecture_doc_states_the_layer_order() -> None:
    assert ORDER_TEXT in (REPO / "docs" / "architecture.md").read_text("utf-8")


@pytest.mark.parametrize(
    ("path", "code", "expected"),
    [
        ("core/a.py", "def f():\n    from kuzet.cli import app\n", "upward import: core -> "),
        (
            "config/a.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from kuzet.privacy.principal import Role\n",
            "upward import: config -> kuzet.privacy.principal.Role",
        ),
        (
            "privacy/a.py",
            "import importlib\nimportlib.import_module('kuzet.identity.plate_reads')\n",
            "upward import: privacy -> kuzet.identity.plate_reads",
        ),
        ("privacy/a.py", "MODULES = ('kuzet.identity.reads',)\n", "privacy -> kuzet.identity"),
        ("render/a.py", "from ..api import app\n", "upward import: render -> kuzet.api.app"),
        ("store/a.py", "import kuzet.models.paths\n", "import within one layer: store -> "),
        ("web/a.py", "from kuzet.core import types\n", "an asset package imports code"),
        ("gadgets/a.py", "x = 1\n", "kuzet/gadgets: not placed in LAYERS"),
        ("annotate.py", "x = 1\n", "kuzet/annotate.py: a module outside any package"),
        ("cli/a.py", "from kuzet.core.types import Frame\nfrom kuzet import web\n", None),
        ("core/a.py", "from . import b\nfrom kuzet import __version__\n", None),
        ("core/a.py", '"""See kuzet.cli.app."""\nNAME = "kuzet.db"\n', None),
    ],
)
def test_layer_checker_flags_what_it_should(
    tmp_path: Path, path: str, code: str, expected: str | None
) -> None:
    root = tmp_path / "kuzet"
    for package in ("", "core", "cli", "web", "api", "identity", "models"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text("")
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(code)
    bad = layer_violations(root)
    if expected is None:
        assert bad == []
    else:
        assert any(expected in line for line in bad), bad
