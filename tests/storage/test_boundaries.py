"""Backends own their provider: the library never imports the app, and the app never
names a backend (it reads the registry). import-linter will enforce the first in CI; this
keeps it true until then, and checks the second, which no import contract can."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_storage_backends_never_imports_the_app() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports(path) if name.split(".")[0] == "lti_tool"
        )
        for path in (ROOT / "storage_backends").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_app_imports_no_backend_package() -> None:
    packages = {path.parent.name for path in (ROOT / "storage_backends").glob("*/__init__.py")}
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in _imports(path)
            if name.startswith("storage_backends.") and name.split(".")[1] in packages
        )
        for path in (ROOT / "lti_tool").rglob("*.py")
        if "dev_lms" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}
