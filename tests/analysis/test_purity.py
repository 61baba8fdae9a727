"""analysis/ is pure computation: no UI imports and no file I/O (CONVENTIONS habit 1)."""

import ast
from pathlib import Path

import pytest

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"
MODULES = sorted(ANALYSIS.glob("*.py"))

FORBIDDEN_IMPORTS = {"streamlit", "folium", "streamlit_folium", "pyogrio", "fiona", "tomllib",
                     "shutil", "tempfile", "sqlite3", "pickle", "io", "urllib", "requests",
                     "geo.store", "geo.register", "geo.boundaries", "geo.export",
                     "geo.importer.readers"}
FORBIDDEN_CALLS = {"open", "read_file", "to_file", "read_parquet", "to_parquet", "read_csv",
                   "to_csv", "read_excel", "to_excel", "read_dataframe", "write_dataframe",
                   "read_text", "read_bytes", "write_text", "write_bytes", "read_feather",
                   "to_feather", "to_json", "read_json", "savez", "save", "load", "loadtxt",
                   "savetxt", "fromfile", "tofile", "mkdir", "unlink", "rename", "remove"}
ALLOWED_CALLS = {("SitingResult", "to_json")}  # builds a dict, writes nothing


def test_there_are_modules_to_check():
    assert {p.name for p in MODULES} >= {"__init__.py", "metric.py", "coverage.py", "siting.py",
                                         "gaps.py", "network.py", "roads.py", "standards.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_forbidden_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            for bad in FORBIDDEN_IMPORTS:
                assert name != bad and not name.startswith(bad + "."), (
                    f"{path.name}:{node.lineno} imports {name}"
                )
            assert name.split(".")[0] != "pathlib", f"{path.name}:{node.lineno} imports pathlib"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_file_io_calls(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in FORBIDDEN_CALLS:
            own_method = name in defined and any((c, name) in ALLOWED_CALLS for c in classes)
            assert own_method, f"{path.name}:{node.lineno} calls {name}() (file I/O?)"


def test_scanner_catches_io(tmp_path):
    sample = "import pyogrio\nfrom pathlib import Path\nPath('x').read_text()\nopen('f')\n"
    tree = ast.parse(sample)
    calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = {getattr(f, "attr", None) or getattr(f, "id", None) for f in calls}
    assert {"read_text", "open"} <= names & FORBIDDEN_CALLS
