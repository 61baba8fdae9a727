"""User text is inert: a venue or village named with markup never reaches HTML unescaped."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from geo import boundaries
from ui.chrome import report_html

from .helpers import fixture_layers

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def evil_world(monkeypatch: pytest.MonkeyPatch, tiny_world):  # noqa: ANN001
    layers = fixture_layers(venue_name=EVIL)
    layers["villages"].loc[0, "name"] = EVIL
    monkeypatch.setattr(boundaries, "_read_cached", lambda name: layers[name].copy())
    st.cache_data.clear()
    return tiny_world


@pytest.mark.parametrize("page", [None, "gaps", "data"])
def test_markup_in_names_is_never_rendered_as_html(open_page, evil_world, page) -> None:  # noqa: ANN001
    at = open_page(page)
    at.session_state["std_county_km"] = 5.0
    at.session_state["std_township_km"] = 5.0
    at.session_state["std_village_km"] = 0.5
    at.run()
    assert not at.exception
    for element in list(at.markdown) + list(at.get("html")) + list(at.caption):
        assert "<img" not in str(element.value)


def test_report_escapes_every_cell() -> None:
    table = pd.DataFrame({"county": [EVIL]})
    html = report_html("zh", "as of", "standard", {EVIL: "1"}, {"x": "2"}, table, table)
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html and "http" not in html


def test_markdown_in_a_file_name_is_shown_as_typed(open_page) -> None:  # noqa: ANN001
    at = open_page("data")
    name = "![x](x.png) $y$.csv"
    at.file_uploader(key="upload").set_value((name, b"name,lon,lat\n", "text/csv")).run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "无法读取该文件" in shown
    assert "![x](" not in shown and "$y$" not in shown
    assert "\\!\\[x\\]\\(x\\.png\\)" in shown


def test_md_escape() -> None:
    from ui.i18n import md_escape

    assert md_escape("**b** [l](u) `c` $m$") == "\\*\\*b\\*\\* \\[l\\]\\(u\\) \\`c\\` \\$m\\$"
