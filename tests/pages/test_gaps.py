"""缺口与选址 Gaps & siting on the tiny world (see test_overview.py for the distances)."""

from __future__ import annotations

import geopandas as gpd

from .helpers import has_cjk, texts


def test_gap_list_follows_the_sidebar_standard(open_page) -> None:  # noqa: ANN001
    at = open_page("gaps")
    assert not at.exception
    assert at.header[0].value == "缺口与选址"
    assert any("所有村（社区）均已覆盖" in s.value for s in at.success)
    at.session_state["std_county_km"] = 5.0
    at.session_state["std_township_km"] = 5.0
    at.run()
    gaps = at.dataframe[0].value
    assert gaps["村（社区）"].tolist() == ["村3", "村4"]  # 300 people before 200
    assert gaps["排名"].tolist() == [1, 2]


def test_siting_run_compares_and_saves_planned_venues(open_page, tiny_world) -> None:  # noqa: ANN001
    at = open_page("gaps")
    at.session_state["std_detour"] = 1.0
    at.run()
    assert any("点击“运行”" in i.value for i in at.info)
    at.number_input(key="site_n").set_value(1)
    at.slider(key="site_radius_km").set_value(2.0)
    at.button(key="site_run").click().run()
    assert not at.exception
    values = [m.value for m in at.metric]
    # 2 km, straight lines: today only 村1 (own station, 1000 people) -> 50.0%; one new
    # station covers its own village, best 村2 (500) -> 1500 -> 75.0%.
    assert values == ["1,000 人", "50.0%", "1,500 人", "75.0%"]
    at.button(key="site_save").click().run()
    assert not tiny_world.exists(), "nothing may be written before the confirmation"
    at.button(key="site_confirm_write").click().run()
    assert any("已保存 1 个规划阵地" in s.value for s in at.success)
    stored = gpd.read_file(tiny_world, layer="venues")
    assert len(stored) == 5  # the 4 shown venues kept + 1 planned
    assert stored.loc[stored["status"] == "planned", "village_code"].tolist() == ["632301100002"]


def test_gaps_page_in_english_has_no_chinese_labels(open_page) -> None:  # noqa: ANN001
    at = open_page("gaps", lang="en")
    at.button(key="site_run").click().run()
    assert not at.exception
    assert at.header[0].value == "Gaps & siting"
    mixed = [text for text in texts(at) if has_cjk(text)]
    assert mixed == [], mixed


def test_all_three_models_run(open_page) -> None:  # noqa: ANN001
    at = open_page("gaps")
    for model in ("lscp", "pmedian", "mclp"):
        at.selectbox(key="site_model__zh").set_value(model)
        at.button(key="site_run").click().run()
        assert not at.exception, model
        assert not at.error, model
        assert len(at.metric) == 4, model


def test_interactive_scenario_map_runs(open_page) -> None:  # noqa: ANN001
    at = open_page("gaps")
    at.button(key="site_run").click().run()
    at.toggle(key="site_interactive").set_value(True).run()
    assert not at.exception  # st_folium itself is only checked to run (browser tests draw it)
