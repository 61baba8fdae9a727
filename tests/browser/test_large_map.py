"""A register above the marker limit in headless Chromium: venue cells on a canvas, with the
county boundaries and the gap hexagons drawn above them, zoomed out and zoomed in."""

from __future__ import annotations

import pytest

from analysis.aggregate import MARKER_LIMIT
from geo.store import GeoPackageStore
from tests.browser.conftest import (
    map_frame,
    map_frames,
    screenshot,
    streamlit_server,
    wait_for_app,
)
from tests.layers.test_map_page_cells import _large_register

pytestmark = pytest.mark.browser

#: A few hundred venues above the limit: cells, yet quick to compute.
N_VENUES = MARKER_LIMIT + 500
CELLS_DRAWN = ".leaflet-container[data-vm-cells]"

#: Per className of the vector layers on the map: how many have a part on screen, and the
#: order in which the canvas draws them (first drawn = lowest).
DRAWN_JS = """() => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    const shown = {}, on_map = {}, order = [];
    map.eachLayer((layer) => {
        const name = layer.options && layer.options.className;
        if (!name) { return; }
        on_map[name] = (on_map[name] || 0) + 1;
        if (layer._parts && layer._parts.length) { shown[name] = (shown[name] || 0) + 1; }
    });
    for (let item = map._renderer && map._renderer._drawFirst; item; item = item.next) {
        const name = item.layer.options.className;
        if (order[order.length - 1] !== name) { order.push(name); }
    }
    return {shown: shown, on_map: on_map, order: order, zoom: map.getZoom(),
            canvas: document.querySelectorAll("canvas").length,
            svg_paths: document.querySelectorAll(".leaflet-overlay-pane svg path").length};
}"""

#: The centre of the first gap hexagon, and a vertex of the first county boundary.
PLACES_JS = """() => {
    const places = {};
    Object.values(window).find((v) => v instanceof L.Map).eachLayer((layer) => {
        const name = layer.options && layer.options.className;
        if (name === "vm-gap" && !places.gap) { places.gap = layer.getCenter(); }
        if (name === "vm-county" && !places.county) {
            let vertex = layer.getLatLngs();  // a MultiPolygon nests one level deeper
            while (Array.isArray(vertex)) { vertex = vertex[0]; }
            places.county = vertex;
        }
    });
    return places;
}"""


@pytest.fixture(scope="module")
def large_url(tmp_path_factory: pytest.TempPathFactory, browser) -> str:
    """A server whose store holds ``N_VENUES`` venues (the demo register, jittered)."""
    folder = tmp_path_factory.mktemp("large")
    store = GeoPackageStore(folder / "large.gpkg")
    store.replace_venues(_large_register(N_VENUES))
    with streamlit_server(store.path, folder / "streamlit.log") as url:
        page = browser.new_page()  # one visit of the entry point registers the pages
        page.goto(url)
        wait_for_app(page, timeout_ms=180_000)
        page.close()
        yield url


def _switch_on_gaps(page) -> None:
    """Add 覆盖缺口 (coverage gaps) to the map's layer list, as a planner would."""
    box = page.locator('[data-testid="stMultiSelect"]', has_text="图层").locator("input")
    box.click()
    box.fill("覆盖缺口")
    page.get_by_role("option", name="覆盖缺口").click()
    page.keyboard.press("Escape")
    wait_for_app(page, timeout_ms=180_000)


def _frame(page):
    """Return the newest map frame once its venue cells are painted."""
    map_frame(page).locator(CELLS_DRAWN).wait_for(timeout=180_000)
    return map_frames(page)[-1]


def _zoom_to(frame, place: dict, zoom: int) -> dict:
    frame.evaluate(
        "([lat, lng, z]) => { Object.values(window).find((v) => v instanceof L.Map)\n"
        "    .setView([lat, lng], z, {animate: false}); }",
        [place["lat"], place["lng"], zoom],
    )
    frame.wait_for_timeout(300)
    return frame.evaluate(DRAWN_JS)


def test_large_register_draws_cells_below_boundaries_and_gaps(large_url, context):
    page = context.new_page()
    page.goto(f"{large_url}/map")
    wait_for_app(page, timeout_ms=180_000)
    _switch_on_gaps(page)
    frame = _frame(page)
    low = frame.evaluate(DRAWN_JS)
    screenshot(page, "large_map_zoomed_out")
    assert low["canvas"] >= 1 and low["svg_paths"] == 0  # one canvas, no element per shape
    assert "vm-venue" not in low["shown"]  # no venue markers above the limit
    for name in ("vm-venue-cell", "vm-county", "vm-gap"):
        assert low["shown"].get(name, 0) > 0, (name, low)
    order = low["order"]
    assert order.index("vm-venue-cell") < order.index("vm-gap") < order.index("vm-county")
    places = frame.evaluate(PLACES_JS)
    near_gap = _zoom_to(frame, places["gap"], 14)
    screenshot(page, "large_map_zoomed_in_gap")
    assert near_gap["zoom"] == 14 and near_gap["shown"].get("vm-gap", 0) > 0
    # zoomed in, the finer cells replace the coarser ones (more, smaller hexagons)
    assert near_gap["on_map"]["vm-venue-cell"] > low["on_map"]["vm-venue-cell"]
    near_county = _zoom_to(frame, places["county"], 14)
    screenshot(page, "large_map_zoomed_in_county")
    assert near_county["shown"].get("vm-county", 0) > 0
