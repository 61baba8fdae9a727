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
    for key, value in (("std_county_km", 5.0), ("std_township_km", 5.0), ("std_detour", 1.0)):
        at.session_state[key] = value
    at.run()
    assert any("点击“运行”" in i.value for i in at.info)
    at.number_input(key="site_n").set_value(1)
    at.slider(key="site_radius_km").set_value(2.0)
    at.button(key="site_run").click().run()
    assert not at.exception
    values = [m.value for m in at.metric]
    # Existing venues keep the sidebar's standard (county 5 km, straight lines): 村1 and 村2
    # (3 km) -> 1500 people, 75.0%, shown above the run as on the Overview. One new site of
    # 2 km: the best covers 村3 (300) -> 1800 -> 90.0%.
    assert values == ["1,500 人 (75.0%)", "1,500 人", "75.0%", "1,800 人", "90.0%"]
    at.button(key="site_save").click().run()
    assert not tiny_world.exists(), "nothing may be written before the confirmation"
    at.button(key="site_confirm_write").click().run()
    assert any("已保存 1 个规划阵地" in s.value for s in at.success)
    stored = gpd.read_file(tiny_world, layer="venues")
    assert len(stored) == 5  # the 4 shown venues kept + 1 planned
    assert stored.loc[stored["status"] == "planned", "township_code"].tolist() == ["632301101"]


def test_gaps_baseline_is_the_overview_figure(open_page) -> None:  # noqa: ANN001
    """One baseline: the Gaps page shows the Overview's population covered (same standard)."""
    pages = {}
    for name in ("overview", "gaps"):
        at = open_page(name)
        at.session_state["std_county_km"] = 5.0
        at.session_state["std_township_km"] = 5.0
        at.run()
        pages[name] = at
    overview = [c.value for c in pages["overview"].caption if "人，共" in c.value]
    gaps_figure = pages["gaps"].metric[0].value
    assert overview and overview[0].startswith(gaps_figure.split(" (")[0] + "，共")
    assert gaps_figure == "1,500 人 (75.0%)"  # 村1 + 村2, worked out in test_overview.py


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
        assert len(at.metric) == 5, model  # the baseline, then baseline and proposal


def test_interactive_scenario_map_runs(open_page) -> None:  # noqa: ANN001
    at = open_page("gaps")
    at.session_state["std_county_km"] = 5.0  # leave gaps, so the run proposes sites
    at.session_state["std_township_km"] = 5.0
    at.button(key="site_run").click().run()
    at.toggle(key="site_interactive").set_value(True).run()
    assert not at.exception  # st_folium itself is only checked to run (browser tests draw it)
