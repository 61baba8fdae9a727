"""The CLI and the pages reach the engine only through the use-case layer.

An AST check: ``venuemap/cli*.py`` and ``pages/*.py`` import nothing from ``analysis`` or
``geo.importer`` (directly or lazily inside a function); they use ``venuemap.usecases``, the
ui helpers, ``geo.layers`` for drawing and ``ui.i18n``. So a rule (a standard, a row check, a
baseline) cannot grow a second home in a command or a page.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*ROOT.glob("venuemap/cli*.py"), *ROOT.glob("pages/*.py")])
FORBIDDEN = ("analysis", "geo.importer")


def imported_modules(path: Path) -> list[str]:
    """Return every module ``path`` imports, at any depth of the file."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            if node.module == "geo":  # from geo import importer
                names += [f"geo.{alias.name}" for alias in node.names]
    return names


def forbidden(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in FORBIDDEN)


def test_the_check_sees_the_files() -> None:
    assert {p.name for p in FILES} >= {"cli.py", "cli_analysis.py", "cli_import.py",
                                       "cli_export.py", "map.py", "data.py", "gaps.py",
                                       "overview.py"}  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_engine_internals_imported(path: Path) -> None:
    bad = [name for name in imported_modules(path) if forbidden(name)]
    assert bad == [], f"{path.relative_to(ROOT)} imports {bad}; call venuemap.usecases instead"


def test_the_check_catches_a_lazy_import(tmp_path: Path) -> None:
    sample = tmp_path / "cli_x.py"
    sample.write_text("def run():\n    from analysis.siting import site\n    import geo.importer\n")
    assert [n for n in imported_modules(sample) if forbidden(n)] == ["analysis.siting",
                                                                     "geo.importer"]  # fmt: skip
