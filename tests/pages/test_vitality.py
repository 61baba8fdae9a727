"""阵地效能 Vitality page on the tiny world: hollow venues counted, activities labelled."""

from __future__ import annotations

from geo.store import open_store
from tests.fixtures_import import write_csv
from venuemap.usecases import import_file


def metric(at, label: str) -> str:  # noqa: ANN001
    return next(m.value for m in at.metric if m.label == label)


def test_vitality_page_without_activities_all_hollow(open_page) -> None:  # noqa: ANN001
    at = open_page("vitality")
    assert not at.exception
    assert at.header[0].value == "阵地效能"
    venues = len(at.dataframe[-1].value)
    assert metric(at, "无活动阵地") == f"{venues} / {venues}"
    assert any("import --layer activities" in i.value for i in at.info)
    orgs = at.dataframe[0].value
    assert len(orgs) == 8 and "工会" in set(orgs["组织"])


def test_vitality_page_counts_an_imported_activity(open_page, tiny_world, tmp_path) -> None:  # noqa: ANN001
    at = open_page("vitality")
    table = at.dataframe[-1].value
    first = table["id"].iloc[0]
    today = __import__("datetime").date.today().isoformat()
    path = write_csv(tmp_path / "a.csv", ["阵地", "日期", "活动名称", "组织", "参与人数"],
                     [[first, today, "活动", "妇联", "12"]], encoding="gbk")  # fmt: skip
    outcome = import_file(path, open_store(str(tiny_world)), layer="activities")
    assert outcome.written == 1, outcome.report.errors
    at = open_page("vitality", lang="en")
    assert not at.exception
    assert metric(at, "Hollow venues") == f"{len(table) - 1} / {len(table)}"
    assert metric(at, "Participants") == "12"
    assert not any("ILLUSTRATIVE" in w.value for w in at.warning)
