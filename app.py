"""venuemap dashboard: the router and the shared chrome, written once.

Run with ``streamlit run app.py``. Each page in ``pages/`` is thin (widgets -> cached loaders ->
analysis -> layers -> render); the sidebar (language, open store, illustrative-data badge,
as-of date, service standard) is drawn here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import loaders
from ui.chrome import REQUESTED_PAGE_KEY, init_session, render_sidebar
from ui.i18n import t
from ui.login import account_block, login_gate, run_login_page

loaders.begin_run()  # before anything reads the store (the title names its region)
st.set_page_config(
    page_title=f"venuemap · {loaders.region().title('zh')}",
    layout="wide",
    initial_sidebar_state="auto",  # open on a desktop, closed on a phone
    menu_items={"Get help": None, "Report a bug": None, "About": None},
)

init_session()
lang = st.session_state["lang"]
if not login_gate(loaders.store_path()):  # the store has users and nobody is signed in
    run_login_page(lang, loaders.store_path())
    st.stop()

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
pages = {
    Path(file).name: st.Page(str(ROOT / file), title=t(key, lang), url_path=url, default=index == 0)
    for index, (file, key, url) in enumerate(PAGES)
}
page = st.navigation(list(pages.values()))
st.session_state["_entrypoint_ran"] = True
requested = st.session_state.pop(REQUESTED_PAGE_KEY, None)
if requested in pages and pages[requested] is not page:
    st.switch_page(pages[requested])
render_sidebar(lang)
account_block(lang, loaders.store_path())
page.run()
