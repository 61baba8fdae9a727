"""AppTest fixtures: a tiny hand-computable prefecture and a throw-away store per test.

The reference layers are replaced by a 20 km x 10 km county in EPSG:4543 (metres, CM 102°E)
split into two townships, with four villages and four venues, so every KPI can be worked out
on paper (see ``test_overview.py``). ``VENUEMAP_STORE`` points into ``tmp_path``: no test ever
touches the user's real store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import boundaries

from .helpers import ROOT, fixture_layers


@pytest.fixture
def tiny_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Serve the tiny layers instead of data/, and a fresh store path; return the store path."""
    layers = fixture_layers()
    monkeypatch.setattr(boundaries, "_read_cached", lambda name: layers[name].copy())
    store = tmp_path / "store.gpkg"
    monkeypatch.setenv("VENUEMAP_STORE", str(store))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield store
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def open_page(tiny_world: Path, tmp_path: Path):  # noqa: ANN201
    """Return a function that runs app.py, switches to ``page`` and returns the AppTest.

    AppTest resets Streamlit's "legacy pages/ folder" flag before every run, so on a rerun it
    would execute the page file alone, without app.py's sidebar (a real server clears that
    flag for good at the first ``st.navigation``). Running app.py through a one-line entry
    script in a folder without ``pages/`` gives the real server's behaviour.
    """
    entry = tmp_path / "entry.py"
    entry.write_text(
        f"import runpy\nrunpy.run_path({str(ROOT / 'app.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )

    def run(page: str | None = None, lang: str = "zh") -> AppTest:
        at = AppTest.from_file(str(entry), default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        if page is not None:
            at.switch_page(str(ROOT / "pages" / f"{page}.py"))
            at.run()
        return at

    return run
