"""The planner's flow in headless Chromium: zoom to a selection, keep the view, planned sites,
a phone-sized screen, and no English Streamlit strings on the Chinese pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MAP_IFRAME, map_frame, map_frames, screenshot, wait_for_app
from ui.widget_text import ZH_TEXTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
FOUND_ID = "HN-T-632301100"  # 隆务镇群团服务中心, the only venue this search finds
JIANZHA = "632322"  # 尖扎县


def _open(page, app_url: str, path: str) -> None:
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)


def _leaflet(page):
    """Return the newest map iframe's Frame once its venues are drawn.

    Its document is marked, so that :func:`_replaced` can tell a redrawn map from it (a new
    map may come in the same iframe, with a new ``srcdoc``).
    """
    map_frame(page).locator("path.vm-venue").first.wait_for(timeout=60_000)
    frame = map_frames(page)[-1]
    frame.evaluate("() => { window.__vmSeen = true; }")
    return frame


def _view(frame) -> dict:
    return frame.evaluate(
        """() => { const m = Object.values(window).find((v) => v instanceof L.Map);
            const c = m.getCenter(), b = m.getBounds();
            return {lat: c.lat, lng: c.lng, zoom: m.getZoom(),
                    south: b.getSouth(), west: b.getWest(), north: b.getNorth(),
                    east: b.getEast()}; }"""
    )


def _venues(store):
    from geo.store import open_store

    return open_store(store).venues()


#: True once the frame holds a new document (not marked by _leaflet) whose map has its view.
_MAP_LOADED = """() => {
    if (window.__vmSeen || typeof L === "undefined") { return false; }
    const m = Object.values(window).find((v) => v instanceof L.Map);
    return !!m && m._loaded === true;
}"""


def _replaced(page):
    """Wait until the map seen by :func:`_leaflet` has been redrawn; return its Frame."""
    for _ in range(600):
        frames = map_frames(page)
        if frames and not frames[-1].is_detached():
            try:
                if frames[-1].evaluate(_MAP_LOADED):
                    page.wait_for_timeout(300)
                    return frames[-1]
            except Exception:  # noqa: BLE001 - the frame may be mid-navigation
                pass
        page.wait_for_timeout(100)
    raise AssertionError("the map was not redrawn")


def test_search_zooms_to_the_found_venue(app_url, context, venue_count):
    store, _ = venue_count
    venues = _venues(store)
    found = venues.loc[venues["id"] == FOUND_ID].geometry.iloc[0]
    page = context.new_page()
    _open(page, app_url, "map")
    before = _view(_leaflet(page))
    page.get_by_text("筛选").click()
    box = page.get_by_role("textbox", name="按名称或编码搜索")
    box.fill(FOUND_ID)
    box.press("Enter")
    wait_for_app(page)
    expect(map_frame(page).locator("path.vm-venue")).to_have_count(1, timeout=60_000)
    after = _view(_leaflet(page))
    assert after["zoom"] >= before["zoom"] + 3, (before, after)
    assert abs(after["lat"] - found.y) < 0.01 and abs(after["lng"] - found.x) < 0.01
    screenshot(page, "map_search_zoomed")


def _choose_county(page, name: str) -> None:
    """Choose ``name`` in the county filter, opening its list again if a rerun redrew it."""
    for _ in range(3):
        _open_county_list(page)
        try:
            page.get_by_role("option", name=name).click(timeout=8_000)
            return
        except Exception:  # noqa: BLE001 - the list was redrawn under the click: open it again
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {name} in the county filter")


def _open_county_list(page, option: str | None = None) -> None:
    """Open the county filter's drop-down list until it shows ``option`` (or any option).

    The list opens on a click or ↓ in its text box. While the page settles (the map's frame
    loading, a rerun redrawing the filter) the list can lose its focus and close, before or
    after it showed, so it is asked for again, a few times, before the test gives up.
    """
    box = page.locator('[data-testid="stMultiSelect"]', has_text="县（市）").locator("input")
    wanted = page.get_by_role("option", name=option) if option else page.get_by_role("option")
    for _ in range(5):
        box.click()
        box.press("ArrowDown")
        try:
            wanted.first.wait_for(timeout=3_000)
            return
        except Exception:  # noqa: BLE001 - not open yet, or closed again: try again
            page.keyboard.press("Escape")
    wanted.first.wait_for(timeout=3_000)


def test_county_filter_fits_its_venues(app_url, context, venue_count):
    store, _ = venue_count
    venues = _venues(store)
    chosen = venues.loc[venues["county_code"] == JIANZHA]
    page = context.new_page()
    _open(page, app_url, "map")
    before = _view(_leaflet(page))
    page.get_by_text("筛选").click()
    _choose_county(page, "尖扎县")
    page.keyboard.press("Escape")
    wait_for_app(page)
    expect(map_frame(page).locator("path.vm-venue")).to_have_count(len(chosen), timeout=60_000)
    after = _view(_leaflet(page))
    west, south, east, north = chosen.total_bounds
    assert after["zoom"] > before["zoom"], (before, after)
    assert after["west"] <= west and after["east"] >= east
    assert after["south"] <= south and after["north"] >= north
    screenshot(page, "map_county_fitted")


def test_radius_change_keeps_the_view(app_url, context):
    page = context.new_page()
    _open(page, app_url, "map")
    frame = _leaflet(page)
    frame.evaluate(
        """() => Object.values(window).find((v) => v instanceof L.Map)
            .setView([35.52, 102.02], 12, {animate: false})"""
    )
    page.wait_for_timeout(300)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("服务标准").click()
    slider = sidebar.locator('[data-testid="stSlider"]').nth(2).locator('input[type="range"]')
    slider.focus()
    slider.press("ArrowRight")
    frame = _replaced(page)
    expect(map_frame(page).locator(".vm-legend")).to_contain_text("1.8 千米", timeout=60_000)
    view = _view(frame)
    assert view["zoom"] == 12
    assert abs(view["lat"] - 35.52) < 1e-3 and abs(view["lng"] - 102.02) < 1e-3


def test_planned_sites_have_their_own_legend_entry_and_circle(app_url, context):
    page = context.new_page()
    _open(page, app_url, "gaps")
    page.get_by_role("button", name="运行").click()
    page.get_by_text("求解完成").wait_for(timeout=120_000)
    wait_for_app(page)
    caption = page.get_by_text(re.compile(r"拟建站点：\d+")).first.inner_text()
    proposed = int(re.search(r"拟建站点：(\d+)", caption).group(1))
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="地图").click()
    wait_for_app(page)
    frame = map_frame(page)
    frame.locator("path.vm-proposed").first.wait_for(timeout=60_000)
    sites = frame.locator("path.vm-proposed").count()
    assert sites == proposed >= 1  # every site the Gaps page proposed
    assert frame.locator("path.vm-proposed-area").count() == sites
    legend = frame.locator(".vm-legend").inner_text()
    assert "规划阵地（选址）" in legend
    assert "规划阵地服务范围（7.1 千米）" in legend  # 10 km planned standard / detour 1.4
    screenshot(page, "map_planned_sites")


def _sidebar_open(page) -> bool:
    box = page.locator('[data-testid="stSidebar"]').bounding_box()
    return box is not None and box["x"] + box["width"] > 1


def _headers(page, index: int) -> list[str]:
    """Return the column headers a dataframe shows on screen (its grid renders only those)."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(index)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    return grid.locator('[role="columnheader"]').all_inner_texts()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_key_table_columns_stay_in_view(app_url, browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        _open(page, app_url, "")
        page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=60_000)
        assert "状态" in _headers(page, 1)  # the checks table
        _open(page, app_url, "gaps")
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
        headers = _headers(page, 0)
        assert "距最近阵地（公里）" in headers and "村（社区）" in headers, headers
        screenshot(page, f"gaps_table_{viewport['width']}")
    finally:
        context.close()


def test_phone_sidebar_closes_after_navigation_and_legend_folds(app_url, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        _open(page, app_url, "")
        assert not _sidebar_open(page)
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_timeout(500)
        assert _sidebar_open(page)
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="地图").click()
        wait_for_app(page)
        page.wait_for_timeout(500)
        assert not _sidebar_open(page)
        frame = map_frame(page)
        frame.locator("path.vm-venue").first.wait_for(timeout=60_000)
        legend = frame.locator(".vm-legend")
        assert legend.locator("details").evaluate("d => d.open") is False
        shown = page.locator(MAP_IFRAME).last
        shown.scroll_into_view_if_needed()
        screenshot(page, "phone_map_legend_folded")
        map_box = frame.locator(".leaflet-container").bounding_box()
        legend.locator("summary").click()
        page.wait_for_timeout(300)
        box = legend.bounding_box()
        assert legend.locator("details").evaluate("d => d.open") is True
        share = box["width"] * box["height"] / (map_box["width"] * map_box["height"])
        assert share < 0.4, share
        screenshot(page, "phone_map_legend_open")
    finally:
        context.close()


_ENGLISH = sorted(ZH_TEXTS)
_FIND_ENGLISH = """(words) => {
    const found = new Set(), wanted = new Set(words);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        const text = node.nodeValue.trim();
        if (wanted.has(text) || / per file$/.test(text)) { found.add(text); }
    }
    for (const el of document.querySelectorAll("[aria-label],[title],[placeholder]")) {
        for (const name of ["aria-label", "title", "placeholder"]) {
            const value = (el.getAttribute(name) || "").trim();
            if (wanted.has(value)) { found.add(value); }
        }
    }
    return Array.from(found);
}"""


def test_no_english_streamlit_strings_on_chinese_pages(app_url, context):
    page = context.new_page()
    seen: dict[str, list[str]] = {}
    for path in ("", "gaps", "about"):
        _open(page, app_url, path)
        page.wait_for_timeout(500)
        seen[path or "overview"] = page.evaluate(_FIND_ENGLISH, _ENGLISH)
    _open(page, app_url, "map")
    _leaflet(page)  # the map's frame, while it loads, would take the focus from the list
    page.get_by_text("筛选").click()
    _open_county_list(page, "全选")  # was "Select all"
    seen["map dropdown"] = page.evaluate(_FIND_ENGLISH, _ENGLISH)
    page.keyboard.press("Escape")
    _open(page, app_url, "data")
    seen["data"] = page.evaluate(_FIND_ENGLISH, _ENGLISH)
    page.get_by_role("tab", name="导入").click()
    page.locator('[data-testid="stFileUploaderDropzone"]').wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    seen["data import"] = page.evaluate(_FIND_ENGLISH, _ENGLISH)
    dropzone = page.locator('[data-testid="stFileUploaderDropzone"]').inner_text()
    assert "上传" in dropzone and "每个文件不超过" in dropzone, dropzone
    screenshot(page, "data_import_zh")
    assert {where: words for where, words in seen.items() if words} == {}
