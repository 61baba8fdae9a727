"""End to end in headless Chromium: every page opens, offline, bilingual, escaped, downloadable."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlparse

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    PAGES,
    XSS_NAME,
    map_frame,
    map_frames,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _open(page, app_url: str, path: str) -> None:
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)
    assert page.url.rstrip("/") == f"{app_url}/{path}".rstrip("/"), f"redirected to {page.url}"


def test_map_draws_every_venue(app_url, context, venue_count):
    _, expected = venue_count
    page = context.new_page()
    _open(page, app_url, "map")
    frame = map_frame(page)
    frame.locator("path.vm-venue").first.wait_for(timeout=60_000)
    assert frame.locator("path.vm-venue").count() == expected
    assert frame.locator(".vm-legend").count() == 1
    assert frame.locator(".leaflet-control-scale").count() == 1
    assert frame.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert frame.locator(".polyline-measure-unicode-icon").count() >= 1
    screenshot(page, "map_zh")


def test_no_request_leaves_localhost(app_url, context):
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))  # iframes included
    page = context.new_page()
    for path in PAGES:
        _open(page, app_url, path)
    map_frame(page)  # the last page is not the map: open it again to be sure it was loaded
    _open(page, app_url, "map")
    map_frame(page).locator("path.vm-venue").first.wait_for(timeout=60_000)
    outside = sorted({url for url in requests
                      if urlparse(url).scheme in ("http", "https", "ws", "wss")
                      and urlparse(url).hostname not in LOCAL_HOSTS})  # fmt: skip
    assert requests, "no request recorded at all"
    assert outside == []


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_without_an_exception(app_url, context, path):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _open(page, app_url, path)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:800]
    assert errors == []
    screenshot(page, f"page_{path or 'overview'}_zh")


def test_language_switch_changes_labels(app_url, context):
    page = context.new_page()
    _open(page, app_url, "map")
    assert page.get_by_role("heading", name="地图").count() >= 1
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    wait_for_app(page)
    page.get_by_role("heading", name="Map").first.wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="地图").count() == 0
    frame = map_frame(page)
    frame.locator(".vm-legend-title", has_text="Legend").wait_for(timeout=60_000)
    main = page.locator('[data-testid="stMain"]')
    markup = main.inner_html()
    assert "No basemap (boundaries only)" in markup and "County boundaries" in markup
    for chinese in ("无底图", "县界", "图例"):  # no widget or legend left in Chinese
        assert chinese not in markup
        assert frame.locator(".vm-legend", has_text=chinese).count() == 0
    screenshot(page, "map_en")


def test_downloaded_geojson_is_valid(app_url, context):
    page = context.new_page()
    _open(page, app_url, "data")
    tab = page.get_by_role("tab", name="下载")
    if tab.count():  # the Data page keeps downloads in a tab
        tab.first.click()
        wait_for_app(page)
    buttons = page.locator('[data-testid="stDownloadButton"] button', has_text="GeoJSON")
    assert buttons.count() >= 1, "no GeoJSON download button on the Data page"
    with page.expect_download(timeout=60_000) as info:
        buttons.first.click()
    text = open(info.value.path(), encoding="utf-8").read()  # noqa: PTH123
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) > 0
    assert all(f["type"] == "Feature" and "geometry" in f for f in data["features"])


def test_markup_in_a_venue_name_runs_nothing(app_url, context):
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open(page, app_url, "map")
    frame_locator = map_frame(page)
    frame_locator.locator("path.vm-venue").first.wait_for(timeout=60_000)
    frame = map_frames(page)[-1]
    found = frame.evaluate(
        """(needle) => {
            let hit = null;
            Object.values(window).find((v) => v instanceof L.Map).eachLayer((layer) => {
                const popup = layer.getPopup && layer.getPopup();
                if (!hit && popup && String(popup.getContent()).includes(needle) && layer._path) {
                    hit = layer;
                }
            });
            if (!hit) { return false; }
            hit._path.classList.add("vm-xss-target");
            return true;
        }""",
        "onerror=alert(1)",
    )
    assert found, "the renamed venue is not on the map"
    frame_locator.locator("path.vm-xss-target").dispatch_event("click")
    popup = frame_locator.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert XSS_NAME in popup.inner_text()
    assert popup.locator("img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    screenshot(page, "map_popup_escaped")


def test_search_narrows_the_map(app_url, context):
    page = context.new_page()
    _open(page, app_url, "map")
    page.get_by_text("筛选").click()
    box = page.get_by_role("textbox", name="按名称或编码搜索")
    box.fill("HN-T-632301100")
    box.press("Enter")
    wait_for_app(page)
    page.get_by_text("显示 1 / 229 个阵地").wait_for(timeout=30_000)
    # the old map may still be on screen for a moment: wait for the new one
    expect(map_frame(page).locator("path.vm-venue")).to_have_count(1, timeout=60_000)


def test_clusters_sum_to_every_venue(app_url, context, venue_count):
    _, expected = venue_count
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))  # the map iframe included
    _open(page, app_url, "map")
    page.get_by_text("聚合村级站点").click()
    wait_for_app(page)
    frame = map_frame(page)
    frame.locator(".marker-cluster").first.wait_for(timeout=60_000)
    counts = [int(text) for text in frame.locator(".marker-cluster span").all_inner_texts()]
    singles = frame.locator("path.vm-venue").count()
    assert sum(counts) + singles == expected
    assert errors == []
    screenshot(page, "map_clustered")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("leaflet/leaflet.js", "javascript"), ("leaflet/leaflet.css", "text/css"),
     ("leaflet.fullscreen/icon-fullscreen.svg", "image/svg+xml"),
     ("leaflet/images/layers.png", "image/png")],
)
def test_vendor_files_are_served_with_their_type(app_url, path, content_type):
    # Streamlit sends nosniff: a script served as text/plain would be refused by the browser
    with urllib.request.urlopen(f"{app_url}/app/static/vendor/{path}") as response:  # noqa: S310
        assert response.status == 200
        assert content_type in response.headers["Content-Type"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_gbk_upload_in_gcj02_shows_its_report_before_writing(app_url, context, tmp_path):
    from geo.crs import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(np.array([102.04]), np.array([35.889]))
    rows = [
        "名称,类型,经度,纬度,所属县,所属乡镇",
        f"德吉村新站,村群团服务站,{lon[0]:.6f},{lat[0]:.6f},尖扎县,昂拉乡",
        f",村群团服务站,{lon[0]:.6f},{lat[0]:.6f},尖扎县,昂拉乡",
    ]
    upload = tmp_path / "stations_gbk.csv"
    upload.write_bytes("\n".join(rows).encode("gbk"))
    page = context.new_page()
    _open(page, app_url, "data")
    page.get_by_role("tab", name="导入").click()
    page.locator('[data-testid="stSelectbox"]', has_text="坐标系").click()
    page.get_by_role("option", name="GCJ-02（高德、腾讯）").click()
    wait_for_app(page)
    page.locator('input[type="file"]').first.set_input_files(str(upload))
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=60_000)
    wait_for_app(page)
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics[:3] == ["2", "1", "1"], metrics  # rows read, accepted, rejected
    # The error table is a canvas grid (its cells are pinned by the AppTests); its heading:
    body = page.locator("body").inner_text()
    assert "错误（这些行不会导入）" in body
    # all or nothing by default (as the CLI): no write button until the user picks skipping
    assert "不会写入任何数据" in body
    assert page.get_by_role("button", name="写入 1 个阵地到数据库").count() == 0
    page.locator('[data-testid="stSelectbox"]', has_text="导入方式").click()
    page.get_by_role("option", name="只导入可导入的行，跳过被拒绝的行").click()
    wait_for_app(page)
    page.get_by_role("button", name="写入 1 个阵地到数据库").wait_for(timeout=30_000)
    screenshot(page, "data_import_gbk")


def test_tibetan_font_is_served_and_referenced(app_url, context):
    from ui.assets import TIBETAN_FONT, VENDOR_DIR

    url = f"{app_url}/app/static/vendor/{TIBETAN_FONT}"
    with urllib.request.urlopen(url) as response:  # noqa: S310
        assert response.status == 200
        assert response.read() == (VENDOR_DIR / TIBETAN_FONT).read_bytes()
    page = context.new_page()
    page.goto(app_url)
    # the app's CSS declares the bundled font (@font-face), and the browser loads it offline
    page.wait_for_function(
        "[...document.fonts].some(f => f.family.includes('Noto Serif Tibetan'))", timeout=60_000
    )
    assert f"/app/static/vendor/{TIBETAN_FONT}" in page.content()
    page.evaluate("document.fonts.load(\"16px 'Noto Serif Tibetan'\", 'ཀ')")
    loaded = page.evaluate(
        "[...document.fonts].some(f => f.family.includes('Noto Serif Tibetan') "
        "&& f.status === 'loaded')"
    )
    assert loaded is True
    page.close()
