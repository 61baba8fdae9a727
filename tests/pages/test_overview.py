"""总览 Overview, on the tiny world of conftest.py (numbers worked out by hand).

Townships: 隆务镇 has the township centre, 保安镇 none -> 1 / 2. Villages: only 村1 has a
station -> 1 / 4. One enterprise home. Population 2000 (村1 1000, 村2 500, 村3 300, 村4 200).

Straight-line reach = radius / detour (1.4). Village distances from the venues at (505, 3935)
km: 村1 0, 村2 3, 村3 10, 村4 sqrt(14² + 4²) = 14.56 km.
* default (county 40 km -> 28.6 km reach): all four covered -> 100.0%;
* county 5 km (3.57 km reach), township 15 km (10.71 km reach): 村1-3 -> 1800 -> 90.0%;
* county 5 km, township 5 km: 村1, 村2 -> 1500 -> 75.0%.
"""

from __future__ import annotations

from .helpers import has_cjk, texts


def metric(at, label: str) -> str:  # noqa: ANN001
    return next(m.value for m in at.metric if m.label == label)


def test_overview_runs_with_hand_computed_kpis(open_page) -> None:  # noqa: ANN001
    at = open_page()
    assert not at.exception
    assert at.header[0].value == "总览"
    assert metric(at, "有服务中心的乡镇") == "1 / 2"
    assert metric(at, "有服务站的村（社区）") == "1 / 4"
    assert metric(at, "企业职工之家") == "1 个"
    assert metric(at, "覆盖人口（县、乡、村三级）") == "100.0%"
    assert any("2,000 人，共 2,000 人" in c.value for c in at.caption)
    assert any("示意数据" in c.value for c in at.caption), "illustrative population not said"


def test_changing_the_radius_changes_the_kpi(open_page) -> None:  # noqa: ANN001
    at = open_page()
    at.sidebar.slider(key="std_county_km").set_value(5.0).run()
    assert metric(at, "覆盖人口（县、乡、村三级）") == "90.0%"
    at.sidebar.slider(key="std_township_km").set_value(5.0).run()
    assert metric(at, "覆盖人口（县、乡、村三级）") == "75.0%"
    assert not at.exception


def test_language_switch_changes_every_label(open_page) -> None:  # noqa: ANN001
    at = open_page()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.header[0].value == "Overview"
    assert metric(at, "Townships with a service centre") == "1 / 2"
    assert metric(at, "Enterprise workers' homes") == "1 venues"
    mixed = [text for text in texts(at) if has_cjk(text)]
    assert mixed == [], f"Chinese left on the English screen: {mixed}"


def test_county_table_and_checks_are_shown(open_page) -> None:  # noqa: ANN001
    at = open_page()
    county = at.dataframe[0].value
    assert list(county.iloc[0])[:3] == ["同仁市", 4, 4]
    checks = at.dataframe[1].value
    assert checks.iloc[0].tolist()[1:] == ["1 / 2", "⚠"]
    assert len(at.get("download_button")) == 1


def test_a_link_can_ask_for_english(tiny_world, tmp_path) -> None:  # noqa: ANN001
    from streamlit.testing.v1 import AppTest

    from .helpers import ROOT

    entry = tmp_path / "entry_lang.py"
    entry.write_text(
        f"import runpy\nrunpy.run_path({str(ROOT / 'app.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    at = AppTest.from_file(str(entry), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert at.header[0].value == "Overview"


def test_labels_survive_saving_a_plan(open_page, tiny_world) -> None:  # noqa: ANN001
    """After a save the store file exists, yet the data are still the 2022 example register."""
    import geopandas as gpd
    import pandas as pd

    from geo.store import open_store

    from .helpers import fixture_layers

    register = fixture_layers()["venues_demo"]
    planned = register.iloc[[1]].assign(id="planned-x", status="planned", as_of=None)
    open_store(tiny_world).replace_venues(
        gpd.GeoDataFrame(pd.concat([register, planned], ignore_index=True), crs=register.crs)
    )
    at = open_page()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any("数据截至：2022（示例名录" in c for c in captions), captions
    assert any("阵地位置为示意" in c for c in captions)
    today = __import__("datetime").date.today().isoformat()
    assert not any(today in c for c in captions), "the file's date is not the data's date"


def test_report_carries_the_illustrative_label() -> None:
    import pandas as pd

    from ui.chrome import report_html

    empty = pd.DataFrame()
    labelled = report_html("en", "as of 2022", "std", {}, {}, empty, empty, notes=["<b>x</b>"])
    assert "⚠ &lt;b&gt;x&lt;/b&gt;" in labelled
    assert "illustrative" not in report_html("en", "as of", "std", {}, {}, empty, empty).lower()
