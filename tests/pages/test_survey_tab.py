"""数据 › 实测采集: pending surveys are listed with their checks and approved from the page."""

from __future__ import annotations

import geopandas as gpd

from geo.register import load_venues
from geo.store import open_store
from geo.survey import SurveyBook
from venuemap.usecases import survey as usecase


def _pending_survey(store, lon_shift=0.002) -> tuple[str, int]:
    link = usecase.issue_links("http://survey.test", store=str(store))[0]
    token = link.url.rsplit("/", 1)[1]
    venue = load_venues(str(store)).set_index("id").loc[link.id]
    book = SurveyBook(open_store(str(store)))
    fields = {"lon": venue.geometry.x + lon_shift, "lat": venue.geometry.y, "source": "device",
              "accuracy_m": 7.0}
    return link.id, book.submit(token, book.issue_nonce(token), fields)


def test_no_pending_surveys_says_so(open_page) -> None:  # noqa: ANN001
    at = open_page("data")
    assert not at.exception
    assert any("暂无待审核" in i.value for i in at.info)


def test_pending_survey_is_listed_and_approved_after_confirmation(open_page, tiny_world):  # noqa: ANN001
    venue_id, ident = _pending_survey(tiny_world)
    at = open_page("data")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "移动距离（米）" in d.value.columns)
    assert table["编号"].tolist() == [ident]
    assert table["核查"].tolist() == ["✓"]
    at.multiselect(key="survey_chosen").select(ident).run()
    approve = next(b for b in at.button if b.label.startswith("批准"))
    assert approve.disabled, "approval needs the confirmation box"
    at.checkbox(key="survey_review_confirm").check().run()
    next(b for b in at.button if b.label.startswith("批准")).click().run()
    assert not at.exception
    assert any("已批准 1 条" in s.value for s in at.success)
    stored = gpd.read_file(tiny_world, layer="venues").set_index("id")
    assert stored.loc[venue_id, "position"] == "surveyed"
    assert stored.loc[venue_id, "accuracy_m"] == 7.0


def test_overview_counts_surveyed_positions(open_page, tiny_world) -> None:  # noqa: ANN001
    _, ident = _pending_survey(tiny_world)
    usecase.review_surveys([ident], who="t", store=str(tiny_world))
    at = open_page()
    assert not at.exception
    total = len(load_venues(str(tiny_world)))
    assert any(f"阵地位置已实测 1 / {total}" in c.value for c in at.caption)
