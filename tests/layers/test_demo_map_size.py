"""The demo map with every layer on stays within the 1.5 MB payload budget."""

from __future__ import annotations

from geo import boundaries
from geo.layers import LAYER_CODES, MapData, MapOptions, build_map, coverage_areas
from ui import assets
from venuemap.usecases import gap_cells

MAX_BYTES = 1_500_000


def demo_map_html(simplify_deg: float = 0.0005) -> str:
    """Render the demo map with all layers on (every village drawn as uncovered: worst case)."""
    venues = boundaries.load_layer("venues_demo")
    villages = boundaries.load_layer("villages")
    data = MapData(
        venues=venues,
        counties=boundaries.load_layer("counties"),
        townships=boundaries.load_layer("townships"),
        coverage=coverage_areas(venues, {2: 40_000 / 1.4, 3: 15_000 / 1.4, 4: 2_000 / 1.4}),
        uncovered=villages,
        gaps=gap_cells(villages.assign(covered=False)),
        proposed=villages.head(10),
    )
    options = MapOptions(
        show=frozenset(LAYER_CODES),
        simplify_deg=simplify_deg,
        coverage_simplify_deg=min(simplify_deg, MapOptions.coverage_simplify_deg),
    )
    return assets.offline(build_map(data, options=options, lang="zh")).get_root().render()


def test_demo_map_with_all_layers_is_at_most_1_5_mb():
    html = demo_map_html()
    assert len(html.encode("utf-8")) <= MAX_BYTES
    assert html.count("vm-venue vm-level-") >= 4  # every level drawn
    assert "http://" not in html and "https://" not in html


def test_simplification_shrinks_the_payload():
    assert len(demo_map_html(0.0005)) < len(demo_map_html(0.0))
