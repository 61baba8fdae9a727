"""The map's view, planned sites with their own circle and legend entry, the folding legend."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
from pyproj import Geod

from analysis.standards import default_standards
from geo.layers import MapData, MapOptions, build_map
from geo.layers.gaps import proposed_layer
from geo.layers.legend import MAX_SHARE, Legend, LegendEntry, legend_html
from geo.layers.map import legend_entries
from geo.layers.view import FIT_MAX_ZOOM
from ui.planned import planned_sites

_GEOD = Geod(ellps="WGS84")


def _html(m) -> str:  # noqa: ANN001
    return m.get_root().render()


def _view_args(html: str) -> tuple[list, str, str]:
    """Return (bounds, scope, key) written by the MapView element."""
    match = re.search(
        r'var scope = ("[^"]*"), key = ("[^"]*");\s*var bounds = (\[\[[^;]*\]\]), store', html
    )
    assert match, "no MapView script in the map"
    import json

    return json.loads(match.group(3)), json.loads(match.group(1)), json.loads(match.group(2))


def test_view_fits_the_focus_not_the_boundaries(venues, counties):
    one = venues.iloc[[1]]
    html = _html(build_map(MapData(venues=venues, counties=counties, focus=one)))
    (south, west), (north, east) = _view_args(html)[0]
    assert (west, south) == (one.geometry.x.iloc[0], one.geometry.y.iloc[0])
    assert (east, north) == (west, south)
    assert f"maxZoom: {FIT_MAX_ZOOM}" in html


def test_without_focus_the_view_fits_the_counties(venues, counties):
    html = _html(build_map(MapData(venues=venues, counties=counties)))
    (south, west), (north, east) = _view_args(html)[0]
    assert [west, south, east, north] == [float(v) for v in counties.total_bounds]


def test_view_scope_and_key_reach_the_browser(venues, counties):
    options = MapOptions(view_scope="map", view_key="abc123")
    html = _html(build_map(MapData(venues=venues, counties=counties), options=options))
    _, scope, key = _view_args(html)
    assert (scope, key) == ("map", "abc123")
    assert "sessionStorage" in html and 'map.on("moveend", remember)' in html


def test_view_is_set_before_any_layer_is_drawn(venues, counties):
    """Layers added before the fit would be drawn twice: at the start view, then the fitted one."""
    html = _html(build_map(MapData(venues=venues, counties=counties)))
    view = html.index("var scope = ")
    assert view < html.index("L.geoJson(")
    assert view < html.index(".addTo(map_")  # no layer, control or basemap before it


def _planned(venues: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    sites = venues.iloc[[0, 1]].copy()
    sites["status"] = "planned"
    sites["reach_m"] = [7000.0, 3000.0]
    return sites


def test_planned_sites_get_their_own_circle_of_their_reach(venues):
    sites = _planned(venues)
    html = _html(_map_with(proposed_layer(sites)))
    assert html.count("vm-proposed-area") == 1  # one style shared by both circles
    vertices = re.findall(r'"coordinates":\[\[\[([-\d.]+),([-\d.]+)\]', html)
    assert len(vertices) == 2, "one circle polygon per site"
    lon0, lat0 = sites.geometry.x.iloc[0], sites.geometry.y.iloc[0]
    lon, lat = (float(v) for v in vertices[0])
    _, _, distance = _GEOD.inv(lon0, lat0, lon, lat)
    assert abs(distance - 7000.0) < 5.0  # rounded to 1e-5 degree for display


def _map_with(layer):  # noqa: ANN001, ANN202
    import folium

    m = folium.Map(location=(35.5, 102.0), zoom_start=8, tiles=None)
    layer.add_to(m)
    return m


def test_planned_sites_have_their_own_legend_entries(venues):
    data = MapData(venues=venues, proposed=_planned(venues))
    entries = legend_entries(data, MapOptions(), "zh")
    labels = [e.label for e in entries]
    assert "规划阵地（选址）" in labels
    assert "规划阵地服务范围（3 千米）" in labels and "规划阵地服务范围（7 千米）" in labels
    assert next(e for e in entries if e.label == "规划阵地（选址）").symbol == "planned"
    hidden = legend_entries(data, MapOptions(show=frozenset({"venues"})), "zh")
    assert not any("规划" in e.label for e in hidden)


def test_planned_sites_use_the_run_radius_or_their_kind_standard(venues):
    register = venues.assign(status="in_service")
    register.loc[register.index[0], "status"] = "planned"  # a saved village station
    proposal = venues.iloc[[1]].copy()
    proposal["id"] = "planned-new"
    standards = default_standards()
    sites = planned_sites(
        register, proposal, proposal_radius_m=10_000.0, standards=standards, detour=1.4
    )
    assert list(sites["id"]) == [register["id"].iloc[0], "planned-new"]
    station_m = standards.get(register["kind"].iloc[0]).radius_m
    assert np.allclose(sites["reach_m"], [station_m / 1.4, 10_000.0 / 1.4])


def test_a_saved_proposal_is_drawn_once_with_its_run_radius(venues):
    register = venues.assign(status="in_service")
    register.loc[register.index[0], "status"] = "planned"
    proposal = register.iloc[[0]].copy()
    sites = planned_sites(
        register, proposal, proposal_radius_m=9_800.0, standards=default_standards(), detour=1.4
    )
    assert len(sites) == 1 and sites["reach_m"].iloc[0] == 7_000.0


def test_legend_starts_folded_and_is_bounded():
    html = legend_html([LegendEntry("县界", "#000", "line")], "图例")
    assert "<details>" in html and "<details open" not in html
    m = _map_with(Legend([LegendEntry("县界", "#000", "line")], "图例"))
    script = _html(m)
    assert "size.x >= 700 && size.y >= 420" in script
    assert f"size.x * {MAX_SHARE[0]}" in script and f"size.y * {MAX_SHARE[1]}" in script
    assert MAX_SHARE[0] * MAX_SHARE[1] < 0.4 and max(MAX_SHARE) < 0.5
