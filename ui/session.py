"""Session basics every run needs first: the language, the route through app.py, settings.

Kept free of the data stack (no pandas, geopandas, folium), so that app.py can start a run
and a page can draw its first lines before those modules are imported (:mod:`ui.first_view`).
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from ui.i18n import LANGS

#: Session key where :func:`ensure_entrypoint` leaves the page a first visit asked for.
REQUESTED_PAGE_KEY = "_requested_page"
#: Session key: app.py ran in this session (its chrome and defaults are set).
ENTRYPOINT_KEY = "_entrypoint_ran"


def init_lang() -> None:
    """Set the session's language once: Chinese, or ``?lang=en`` when a link carries it."""
    if "lang" not in st.session_state and st.query_params.get("lang") in LANGS:
        st.session_state["lang"] = st.query_params["lang"]
    st.session_state.setdefault("lang", "zh")


def current_lang() -> str:
    """Return the interface language chosen in the sidebar ('zh' or 'en')."""
    lang = st.session_state.get("lang", "zh")
    return lang if lang in LANGS else "zh"


def ensure_entrypoint(page_file: str) -> None:
    """Send a page opened before app.py ever ran through app.py first, remembering the page.

    On a server's very first request Streamlit still uses its legacy ``pages/`` routing and may
    run a page file alone; going through app.py draws the chrome and sets session defaults, and
    app.py then switches to ``page_file`` (pass ``__file__``) so a bookmark lands where it points.
    """
    if not st.session_state.get(ENTRYPOINT_KEY):
        st.session_state[REQUESTED_PAGE_KEY] = Path(page_file).name
        st.switch_page(str(Path(__file__).resolve().parent.parent / "app.py"))


def tianditu_token() -> str | None:
    """Return the Tianditu key: env VENUEMAP_TIANDITU_TOKEN, else ``tianditu_token`` in secrets."""
    token = os.environ.get("VENUEMAP_TIANDITU_TOKEN", "").strip()
    if token:
        return token
    try:
        if not any(Path(file).is_file() for file in st.get_option("secrets.files")):
            return None  # no secrets file: spare st.secrets its set-up (~15 ms on a first run)
        return str(st.secrets.get("tianditu_token", "")).strip() or None
    except Exception:  # noqa: BLE001 - no or a malformed secrets file must not break the map
        return None
