"""地图 Map page: title -> (a saved first map) -> filters -> the map of that view.

The widgets and the map's spec are in :mod:`ui.map_page`. This file imports nothing of the
data stack before the map's place exists, so that on a new server a saved first map
(:mod:`ui.first_view`) goes out before geopandas and folium are even imported.
"""

from __future__ import annotations

import streamlit as st

from ui import first_view
from ui.i18n import t
from ui.session import current_lang, ensure_entrypoint

MAP_HEIGHT_PX = 640


def main(lang: str) -> None:
    """Draw the map page: title, filters and notes, then the map below them."""
    st.title(t("map.title", lang))
    st.caption(t("map.caption", lang))
    head = st.container()
    map_box = st.empty()
    saved = first_view.shown()
    if saved is not None:
        first_view.show(map_box, saved.html, MAP_HEIGHT_PX)
        first_view.mark_sent()
        first_view.wait_until_drawn()
    from ui.map_page import render  # the data stack: only after a saved map went out

    render(lang, head, map_box, MAP_HEIGHT_PX)


ensure_entrypoint(__file__)
main(current_lang())
