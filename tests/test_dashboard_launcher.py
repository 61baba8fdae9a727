"""venuemap.dashboard: the launcher runs ``streamlit run app.py`` and its warm-up stays harmless.

The warm-up's effect on timing is measured by ``bench/dashboard.py``, never asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from venuemap import dashboard


def test_main_runs_streamlit_on_app_py_with_the_options_given(monkeypatch):
    calls = []
    monkeypatch.setattr(dashboard, "warm_up", lambda: None)
    monkeypatch.setattr(dashboard, "use_navigation_from_the_start", lambda: None)
    monkeypatch.setattr(dashboard, "answer_pages_for_this_app", lambda: None)
    monkeypatch.setattr(dashboard, "skip_the_repl_check", lambda: None)
    from streamlit.web import cli

    def fake_main(*, args, prog_name):
        calls.append((args, prog_name))
        raise SystemExit(0)

    monkeypatch.setattr(cli.main, "main", fake_main)
    assert dashboard.main(["--server.port", "8502"]) == 0
    app = str(dashboard.ROOT / "app.py")
    assert calls == [(["run", app, "--server.port", "8502"], "streamlit")]


@pytest.mark.parametrize("code", [0, 3])
def test_main_returns_the_server_exit_code(monkeypatch, code):
    monkeypatch.setattr(dashboard, "warm_up", lambda: None)
    monkeypatch.setattr(dashboard, "use_navigation_from_the_start", lambda: None)
    monkeypatch.setattr(dashboard, "answer_pages_for_this_app", lambda: None)
    monkeypatch.setattr(dashboard, "skip_the_repl_check", lambda: None)
    from streamlit.web import cli

    def fake_main(*, args, prog_name):
        raise SystemExit(code)

    monkeypatch.setattr(cli.main, "main", fake_main)
    assert dashboard.main([]) == code


def test_first_run_uses_st_navigation_not_the_legacy_pages_folder(monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)  # restored afterwards
    dashboard.use_navigation_from_the_start()
    assert PagesManager.uses_pages_directory is False


def test_warm_up_gives_up_quietly_without_a_server(monkeypatch):
    imported = []
    monkeypatch.setattr(dashboard.importlib, "import_module", imported.append)
    dashboard.warm_up(server_wait_s=0.05)  # no Streamlit server in this process
    assert imported == []


def test_default_standard_is_the_session_default_of_the_sidebar():
    from ui.chrome import current_standard  # outside a session: the session defaults

    county, township, village, detour = current_standard()
    assert dashboard.default_standard() == ((county, township, village), detour)


def test_warm_modules_exist():
    import importlib.util

    missing = [name for name in dashboard.WARM_MODULES if importlib.util.find_spec(name) is None]
    assert missing == []


@pytest.fixture
def static_app(monkeypatch, tmp_path):
    """Streamlit's static handler over a small folder, with the launcher's page answer on."""
    from starlette.testclient import TestClient
    from streamlit.web.server.starlette import starlette_static_routes as routes

    # Restored after the test: the launcher replaces the module's factory.
    monkeypatch.setattr(
        routes, "create_streamlit_static_handler", routes.create_streamlit_static_handler
    )
    monkeypatch.setattr(dashboard, "_DRAWN_SIGNAL_SERVED", False)
    dashboard.answer_pages_for_this_app()
    (tmp_path / "index.html").write_text(
        "<html><head><title>t</title><script>window.own = 1</script></head></html>"
    )
    (tmp_path / "style.css").write_text("body {}")
    (tmp_path / "static" / "js").mkdir(parents=True)
    for chunk in ("IFrame.abc1.js", "IFrameUtil.def2.js", "Slider.ghi3.js"):
        (tmp_path / "static" / "js" / chunk).write_text("export {};")
    return TestClient(routes.create_streamlit_static_handler(str(tmp_path), None))


@pytest.mark.parametrize(("path", "depth"), [("/map", 1), ("/", 0), ("/gaps/extra", 2)])
def test_a_page_is_told_how_deep_it_is_below_the_root(static_app, path, depth):
    response = static_app.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    html = response.text
    told = f"parts.splice(parts.length - {depth}, {depth});"
    assert told in html
    assert html.index("window.__streamlit") < html.index("window.own = 1"), "before its scripts"


def test_other_static_files_are_served_as_they_are(static_app):
    response = static_app.get("/style.css")
    assert response.text == "body {}"
    assert "__streamlit" not in response.text


def test_page_depth_counts_the_segments_below_the_root():
    assert [dashboard.page_depth(p) for p in ("", ".", "map", "map/", "a/b")] == [0, 0, 1, 1, 2]


def test_an_index_without_scripts_is_left_alone(tmp_path):
    index = tmp_path / "index.html"
    index.write_text("<html><head></head></html>")
    assert dashboard.page_html(index, 1) == "<html><head></head></html>"


def test_a_saved_map_on_screen_is_answered_and_noted(static_app):
    from ui import first_view

    first_view.drawn.clear()
    try:
        response = static_app.get(f"/{first_view.DRAWN_PATH}")
        assert response.status_code == 204 and not response.content
        assert first_view.drawn.is_set()
        assert dashboard._DRAWN_SIGNAL_SERVED
    finally:
        first_view.drawn.clear()


def test_the_launcher_and_the_saved_map_agree_on_the_signal_path():
    from ui import first_view

    assert dashboard.DRAWN_PATH == first_view.DRAWN_PATH


def test_a_page_preloads_the_code_of_the_maps_frame(static_app):
    html = static_app.get("/map").text
    for chunk in ("IFrame.abc1.js", "IFrameUtil.def2.js"):
        assert f'<link rel="modulepreload" crossorigin href="./static/js/{chunk}">' in html
    assert "Slider" not in html
    assert html.index("modulepreload") < html.index("window.own = 1")


def test_streamlit_still_ships_the_iframe_code_under_these_names():
    """If this fails after a Streamlit upgrade, update ``FRAME_CHUNKS`` to the new names."""
    from streamlit import file_util

    names = dashboard.frame_chunks(Path(file_util.get_static_dir()))
    assert [name.split(".")[0] for name in names] == ["IFrame", "IFrameUtil"]


def test_the_launcher_spares_the_first_run_streamlits_repl_check(monkeypatch):
    from streamlit import delta_generator, env_util

    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    asked = []
    monkeypatch.setattr(env_util, "is_repl", lambda: asked.append(1) or False)
    dashboard.skip_the_repl_check()
    delta_generator._maybe_print_use_warning()
    assert asked == [], "the stack walk no longer runs on the first element"
