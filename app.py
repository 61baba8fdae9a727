"""venuemap dashboard: the router and the shared chrome, written once.

Run with ``streamlit run app.py``. Each page in ``pages/`` is thin (widgets -> cached loaders ->
analysis -> layers -> render); the sidebar (language, open store, illustrative-data badge,
as-of date, service standard) is drawn here and nowhere else, after the page (it is its own
container, so the order is not seen, and the page's first lines go out sooner).

A new server's first visitor of the Map may get a saved map first (:mod:`ui.first_view`):
then this script imports nothing of the data stack before the page has sent it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.store.location import store_location
from ui import first_view
from ui.i18n import t
from ui.session import ENTRYPOINT_KEY, REQUESTED_PAGE_KEY, current_lang, init_lang

PAGE_CONFIG = {
    "layout": "wide",
    "initial_sidebar_state": "auto",  # open on a desktop, closed on a phone
    "menu_items": {"Get help": None, "Report a bug": None, "About": None},
}
#: (file, label key, url path); the first is the default page.
PAGES = (
    ("pages/overview.py", "nav.overview", "overview"),
    ("pages/map.py", "nav.map", "map"),
    ("pages/gaps.py", "nav.gaps", "gaps"),
    ("pages/data.py", "nav.data", "data"),
    ("pages/vitality.py", "nav.vitality", "vitality"),
    ("pages/about.py", "nav.about", "about"),
)
ROOT = Path(__file__).resolve().parent


def prepare_run(lang: str) -> bool:
    """Start an ordinary run: store status, title, session defaults, the login gate.

    Returns False when the store has users and nobody is signed in (the login form ran).
    """
    from ui import loaders
    from ui.chrome import init_session
    from ui.login import login_gate, run_login_page

    loaders.begin_run()  # before anything reads the store (the title names its region)
    st.set_page_config(page_title=f"venuemap · {loaders.region().title('zh')}", **PAGE_CONFIG)
    init_session()
    if login_gate(loaders.store_path()):
        return True
    run_login_page(lang, loaders.store_path())
    return False


def navigate(lang: str) -> st.Page:
    """Declare the pages; return the one to run (a bookmark's page on a first visit)."""
    pages = {
        Path(file).name: st.Page(
            str(ROOT / file), title=t(key, lang), url_path=url, default=index == 0
        )
        for index, (file, key, url) in enumerate(PAGES)
    }
    page = st.navigation(list(pages.values()))
    st.session_state[ENTRYPOINT_KEY] = True
    requested = st.session_state.pop(REQUESTED_PAGE_KEY, None)
    if requested in pages and pages[requested] is not page:
        st.switch_page(pages[requested])
    return page


def draw_chrome(lang: str) -> None:
    """Draw the sidebar and the signed-in user."""
    from ui import loaders
    from ui.chrome import init_session, render_sidebar
    from ui.login import account_block

    init_session()  # a run that showed a saved map has not set the defaults yet
    render_sidebar(lang)
    account_block(lang, loaders.store_path())


init_lang()
lang = current_lang()
saved = first_view.claim(lang, store_location())  # None unless a saved first map may be shown
if saved is None:
    if not prepare_run(lang):
        st.stop()
else:  # no accounts in this store: nothing to gate
    st.set_page_config(page_title=f"venuemap · {saved.title}", **PAGE_CONFIG)
page = navigate(lang)
if saved is not None and not first_view.use(saved, page.url_path):
    prepare_run(lang)  # not the Map after all: start the run as usual
try:
    page.run()
finally:  # also when the page stops early (st.stop) or fails: the chrome is always there
    draw_chrome(lang)
