"""A new server shows a saved first map before the data stack loads (ui.first_view).

The saved map is shown only for exactly the inputs it was built from, is kept when the page's
own view is the same, replaced when it is not, and never shown for a store with accounts.
The browser test (tests/browser/test_first_view.py) restarts a real server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store.location import file_has_users
from geo.users import open_users
from ui import first_view, loaders, map_view
from venuemap.auth import hash_password
from venuemap.dashboard import default_standard

from .helpers import ROOT

MARK = "<!-- the saved first view -->"


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A first-view cache folder of the test's own, the server counted as not yet warm."""
    folder = tmp_path / "first-view"
    monkeypatch.setenv(first_view.CACHE_ENV, str(folder))
    monkeypatch.setattr(first_view, "_read_ahead", None)
    first_view._warm.clear()
    yield folder
    first_view._warm.clear()


def _save_default_view(spec_text: str | None = None) -> str:
    """Save the default view's map (marked), as the warm-up would; return the map's HTML."""
    status = loaders.store_status()
    spec = map_view.default_spec(status, *default_standard())
    html = map_view.map_html(spec)
    first_view.save_default(status.path, status.version, spec_text or spec.text(),
                            loaders.region().title("zh"), html + MARK)  # fmt: skip
    return html


def _first_run_of_the_map(tmp_path: Path) -> AppTest:
    """Run app.py for a new session whose first page is the Map; return the AppTest."""
    entry = tmp_path / "entry.py"
    entry.write_text(f"import runpy\nrunpy.run_path({str(ROOT / 'app.py')!r}, "
                     "run_name='__main__')\n", encoding="utf-8")  # fmt: skip
    at = AppTest.from_file(str(entry), default_timeout=60)
    at.switch_page(str(ROOT / "pages" / "map.py"))
    at.run()
    assert not at.exception
    return at


def _maps(at: AppTest) -> list[str]:
    """Return the documents of the page's map iframes."""
    return [element.proto.srcdoc for element in at.get("iframe")]


def test_a_saved_map_of_this_view_is_shown_and_kept(tiny_world, cache, tmp_path) -> None:  # noqa: ANN001
    _save_default_view()
    at = _first_run_of_the_map(tmp_path)
    assert [MARK in html for html in _maps(at)] == [True]
    assert at.title, "the page's title is drawn"
    assert len(at.sidebar.slider) >= 3, "the sidebar (service standard) is drawn after the map"
    assert at.multiselect(key="map_county_zh") is not None, "the filters are drawn"


def test_the_saved_map_carries_its_own_leaflet(tiny_world, cache, tmp_path) -> None:  # noqa: ANN001
    """The first visitor's browser has nothing cached and the server is busy starting."""
    _save_default_view()
    (saved,) = _maps(_first_run_of_the_map(tmp_path))
    assert "<script src=" not in saved and '<link rel="stylesheet"' not in saved
    assert "L.map(" in saved and "Leaflet 1." in saved, "leaflet.js itself is in the document"


def test_the_saved_map_tells_the_server_once_it_is_painted(tiny_world, cache, tmp_path) -> None:  # noqa: ANN001
    _save_default_view()
    (saved,) = _maps(_first_run_of_the_map(tmp_path))
    signal = f'fetch("/{first_view.DRAWN_PATH}"'
    assert signal in saved
    assert saved.index(signal) > saved.index("L.map("), "after the map is built"
    assert first_view.drawn_url("vm/") == f"/vm/{first_view.DRAWN_PATH}"


@pytest.mark.parametrize(
    ("served", "sent", "waits"), [(True, True, True), (False, True, False), (True, False, False)]
)
def test_the_start_up_waits_for_the_drawing_only_where_it_can_be_told(
    monkeypatch: pytest.MonkeyPatch, served: bool, sent: bool, waits: bool
) -> None:
    """Plain `streamlit run` serves no signal; nothing waits before a saved map went out."""
    calls = []
    monkeypatch.setattr(first_view, "drawn", type("Event", (), {"wait": calls.append})())
    for event, on in ((first_view.drawn_signal_served, served), (first_view.early_sent, sent)):
        monkeypatch.setattr(event, "is_set", lambda on=on: on)
    first_view.wait_until_drawn()
    assert calls == ([first_view.DRAWN_WAIT_S] if waits else [])


def test_the_saved_view_is_read_ahead_until_the_server_is_warm(tiny_world, cache) -> None:  # noqa: ANN001
    _save_default_view()
    status = loaders.store_status()
    assert first_view.saved_default(status.path)
    (saved,) = cache.glob("*.view")
    key = saved.stem
    saved.unlink()  # what the first run shows is already in memory
    assert MARK in first_view.load(key).html
    first_view.mark_warm()
    assert first_view.load(key) is None, "dropped once the server builds maps itself"


def test_a_saved_map_of_another_view_is_replaced(tiny_world, cache, tmp_path) -> None:  # noqa: ANN001
    html = _save_default_view(spec_text="a view this page does not ask for")
    at = _first_run_of_the_map(tmp_path)
    assert _maps(at) == [html]


def test_only_a_sessions_first_run_may_show_a_saved_map(tiny_world, cache, tmp_path) -> None:  # noqa: ANN001
    html = _save_default_view()
    at = _first_run_of_the_map(tmp_path)
    at.run()
    assert _maps(at) == [html]


def test_no_saved_map_once_the_server_is_warm(tiny_world, cache, tmp_path) -> None:  # noqa: ANN001
    html = _save_default_view()
    first_view.mark_warm()
    assert _maps(_first_run_of_the_map(tmp_path)) == [html]


def test_no_saved_map_for_a_store_with_accounts(tiny_world, cache, tmp_path) -> None:  # noqa: ANN001
    _save_default_view()  # saved while the store had no accounts
    open_users(tiny_world).put_user("wang", "admin", hash_password("a long enough password"))
    assert file_has_users(str(tiny_world)) is True
    at = _first_run_of_the_map(tmp_path)
    assert _maps(at) == [], "only the login form: no data before signing in"
    assert not any(MARK in html for html in _maps(at))


def test_a_changed_store_has_another_key(tiny_world, cache) -> None:  # noqa: ANN001
    store = str(tiny_world)
    before = first_view.view_key(store, first_view.file_store_version(store), "zh", "")
    Path(store).write_bytes(b"")  # the store's file appears: another version
    after = first_view.view_key(store, first_view.file_store_version(store), "zh", "")
    assert before != after
    assert first_view.view_key(store, "v", "zh", "") != first_view.view_key(store, "v", "en", "")
    assert first_view.view_key(store, "v", "zh", "") != first_view.view_key(store, "v", "zh", "/x")


def test_saved_views_are_rotated_and_a_bad_folder_is_ignored(cache, monkeypatch) -> None:  # noqa: ANN001
    cache.mkdir(parents=True)
    (cache / "earlier-format.json").write_text("{}", encoding="utf-8")
    for index in range(first_view.KEEP + 3):
        first_view.save(f"key{index}", "title", "spec", f"<p>{index}</p>")
        os.utime(cache / f"key{index}.view", (index, index))
    first_view.save("latest", "title", "spec", "<p>latest</p>")
    assert len(list(cache.glob("*.view"))) == first_view.KEEP
    assert not list(cache.glob("*.json")), "views saved in the earlier format are removed"
    assert first_view.load("latest").html == "<p>latest</p>"
    assert first_view.load("key0") is None, "the oldest went"
    (cache / "broken.view").write_text("{not json", encoding="utf-8")
    assert first_view.load("broken") is None
    monkeypatch.setenv(first_view.CACHE_ENV, str(cache / "latest.view" / "below a file"))
    first_view.save("x", "title", "spec", "<p>x</p>")  # cannot be written: no error


def test_a_saved_view_comes_back_exactly(cache) -> None:  # noqa: ANN001
    html = '<p title="a\\nb">\n  地图 "\\u0000"\n</p>\n\n'
    title, spec = "标题\n二行", '{"spec": "x\\ny"}'
    first_view.save("k", title, spec, html)
    assert first_view.load("k") == first_view.FirstView("k", title, spec, html)


def test_the_maps_first_lines_import_no_data_stack() -> None:
    """What app.py and pages/map.py import before a saved map goes out stays light."""
    code = (
        "import sys, ast, pathlib\n"
        "import geo.store.location, ui.first_view, ui.i18n, ui.session\n"
        "for name in ('app.py', 'pages/map.py'):\n"
        "    tree = ast.parse(pathlib.Path(name).read_text(encoding='utf-8'))\n"
        "    for node in tree.body:\n"
        "        if isinstance(node, ast.ImportFrom):\n"
        "            __import__(node.module, fromlist=[a.name for a in node.names])\n"
        "        elif isinstance(node, ast.Import):\n"
        "            [__import__(a.name) for a in node.names]\n"
        "heavy = [m for m in ('pandas', 'geopandas', 'folium', 'shapely', 'pyproj', 'numpy')\n"
        "         if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert done.stdout.strip() == ""


def test_an_edited_source_or_data_file_changes_the_fingerprint(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "ui").mkdir()
    (tmp_path / "data").mkdir()
    source, data = tmp_path / "ui" / "x.py", tmp_path / "data" / "villages.csv"
    source.write_text("A = 1\n", encoding="utf-8")
    data.write_text("code\n1\n", encoding="utf-8")
    monkeypatch.setattr(first_view, "_ROOT", tmp_path)

    def fingerprint() -> str:
        first_view.fingerprint.cache_clear()
        return first_view.fingerprint()

    before = fingerprint()
    assert fingerprint() == before, "the same files give the same fingerprint"
    source.write_text("A = 22\n", encoding="utf-8")
    after_source = fingerprint()
    data.write_text("code\n1\n2\n", encoding="utf-8")
    after_data = fingerprint()
    assert len({before, after_source, after_data}) == 3
    first_view.fingerprint.cache_clear()


def test_no_secrets_file_means_no_token_without_touching_st_secrets(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    import streamlit as st

    from ui import session

    real = st.get_option
    absent = str(tmp_path / "secrets.toml")
    monkeypatch.setattr(st, "get_option", lambda name: [absent] if name == "secrets.files"
                        else real(name))  # fmt: skip
    asked = []
    monkeypatch.setattr(st, "secrets", type("Secrets", (), {"get": lambda *a: asked.append(a)})())
    monkeypatch.delenv("VENUEMAP_TIANDITU_TOKEN", raising=False)
    assert session.tianditu_token() is None
    assert asked == []
    monkeypatch.setenv("VENUEMAP_TIANDITU_TOKEN", " abc ")
    assert session.tianditu_token() == "abc"
