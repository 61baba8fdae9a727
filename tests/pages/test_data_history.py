"""数据 Data, history tab: the changes of the register, one venue's history, undo."""

from __future__ import annotations

from geo.store import open_store


def test_history_lists_changes_and_undo_reverts_one(open_page, tiny_world) -> None:  # noqa: ANN001
    at = open_page("data")
    edits = {"edited_rows": {1: {"name": "改名中心"}}, "added_rows": [], "deleted_rows": []}
    at.session_state["venue_editor_none_zh"] = edits
    at.run()
    at.button(key="save_edits").click().run()
    store = open_store(tiny_world)
    first = store.changes()[0]  # the first save stores the shown (demo) register whole
    assert first.kind == "edit" and len(first.venue_ids) == 4
    second = store.edit_venue("HN-T-1", {"status": "closed"}, who="another planner")
    at.run()
    table = at.dataframe[-1].value
    assert table["id"].tolist() == [second.id, first.id]
    assert table["who"].iloc[0] == "another planner"
    at.text_input(key="history_venue").set_value("HN-V-1").run()
    assert at.dataframe[-1].value["id"].tolist() == [first.id]
    at.text_input(key="history_venue").set_value("").run()
    at.selectbox(key="undo_id").set_value(second.id).run()
    at.button(key="undo_button").click().run()
    assert not at.exception and any(str(second.id) in s.value for s in at.success)
    venue = store.venues().set_index("id").loc["HN-T-1"]
    assert (venue["name"], venue["status"], venue["version"]) == ("改名中心", "in_service", 3)
    assert store.changes()[0].undoes == second.id


def test_the_dashboard_runs_on_a_postgis_store(open_page, postgres_url, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("VENUEMAP_DATABASE_URL", postgres_url)
    monkeypatch.setenv("VENUEMAP_DATABASE_SCHEMA", "dashboard_test")
    at = open_page("data")
    assert not at.exception
    edits = {"edited_rows": {1: {"name": "服务器上的名称"}}, "added_rows": [], "deleted_rows": []}
    at.session_state["venue_editor_none_zh"] = edits
    at.run()
    at.button(key="save_edits").click().run()
    assert not at.exception and any("修改已保存" in s.value for s in at.success)
    store = open_store(postgres_url)
    assert store.venues().set_index("id").loc["HN-T-1", "name"] == "服务器上的名称"
    at.run()
    assert at.dataframe[-1].value["kind"].tolist() == ["edit"]
