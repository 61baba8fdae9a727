"""Narrow screens (phones): the sidebar closes after a page is chosen in it.

On a screen narrower than Streamlit's 768 px breakpoint the sidebar lies over the page. Streamlit
closes it after navigation only when the browser's user agent names a phone, so a narrow
browser window, a tablet in portrait or a phone asking for the desktop site kept the sidebar
over the page after every navigation. :func:`close_sidebar_after_navigation` adds a small
script (served by the app, nothing fetched) that closes it after a click on a page link
whenever the screen is that narrow; wider screens keep it open.
"""

from __future__ import annotations

import streamlit as st

#: Streamlit's own breakpoint below which the sidebar overlays the page.
NARROW_MAX_WIDTH_PX = 767.98

_SCRIPT = """
<script>
(function () {
  var doc = window.parent && window.parent.document ? window.parent.document : document;
  var win = doc.defaultView || window;
  if (win.__vmNarrowNav) { return; }
  win.__vmNarrowNav = true;
  doc.addEventListener("click", function (event) {
    var target = event.target;
    var link = target && target.closest ? target.closest('[data-testid="stSidebarNav"] a') : null;
    if (!link || !win.matchMedia("(max-width: %(max_px)spx)").matches) { return; }
    win.setTimeout(function () {
      var button = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (button && button.getAttribute("aria-expanded") !== "false") { button.click(); }
    }, 60);
  }, true);
})();
</script>
"""


def close_sidebar_after_navigation() -> None:
    """Add the script that closes the sidebar after navigation on narrow screens."""
    st.html(_SCRIPT % {"max_px": NARROW_MAX_WIDTH_PX}, unsafe_allow_javascript=True)
