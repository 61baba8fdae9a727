"""Basemaps: tile URLs, the Tianditu key, and the GCJ-02 shift of every overlay on Amap."""

from __future__ import annotations

import pytest

from geo.crs import wgs84_to_gcj02
from geo.errors import InputError
from geo.layers import MapData, MapOptions, build_map
from geo.layers.basemaps import basemap_label, tile_layers, to_display

# 隆务镇 seat as published by Amap (GCJ-02) and its WGS84 conversion (shared PROVENANCE data).
LONGWU_WGS84 = (102.012844, 35.508935)
LONGWU_GCJ02 = (102.014721, 35.508507)


def test_none_has_no_tiles_and_osm_one():
    assert tile_layers("none") == []
    assert [layer.tiles for layer in tile_layers("osm")] == [
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    ]


def test_tianditu_needs_a_token_and_follows_the_language():
    assert tile_layers("tianditu_vec", token=None) == []
    assert basemap_label("tianditu_vec", "zh", None).endswith("（需密钥）")
    assert basemap_label("tianditu_vec", "en", "k") == "Tianditu vector (needs internet)"
    zh = [layer.tiles for layer in tile_layers("tianditu_img", lang="zh", token="a/b")]
    assert "LAYER=img" in zh[0] and "LAYER=cia" in zh[1]
    assert all(url.endswith("tk=a%2Fb") for url in zh)
    en = [layer.tiles for layer in tile_layers("tianditu_vec", lang="en", token="k")]
    assert "LAYER=vec" in en[0] and "LAYER=eva" in en[1]


@pytest.mark.parametrize(("code", "online"), [("none", False), ("osm", True), ("amap", True)])
def test_basemaps_that_need_the_internet_say_so_in_the_list(code, online):
    assert basemap_label(code, "zh").endswith("（需联网）") is online
    assert basemap_label(code, "en").endswith("(needs internet)") is online


def test_unknown_basemap_names_the_valid_ones():
    with pytest.raises(InputError, match="unknown basemap 'google'.*none, osm"):
        tile_layers("google")


def test_amap_shifts_a_known_point_to_its_gcj02_position(venues):
    point = venues.iloc[[0]]
    shifted = to_display(point, "amap").geometry.iloc[0]
    assert shifted.x == pytest.approx(LONGWU_GCJ02[0], abs=2e-6)
    assert shifted.y == pytest.approx(LONGWU_GCJ02[1], abs=2e-6)
    assert to_display(point, "osm").geometry.iloc[0].equals(point.geometry.iloc[0])


def test_amap_overlay_coordinates_in_the_map_are_gcj02(venues, counties):
    html = (
        build_map(
            MapData(venues=venues.iloc[[0]], counties=counties), options=MapOptions(basemap="amap")
        )
        .get_root()
        .render()
    )
    lon, lat = (round(float(v), 5) for v in wgs84_to_gcj02(*LONGWU_WGS84))
    assert (lon, lat) == pytest.approx(LONGWU_GCJ02, abs=1e-5)
    assert f"[{lon},{lat}]" in html
    assert f"[{round(LONGWU_WGS84[0], 5)},{round(LONGWU_WGS84[1], 5)}]" not in html
    # polygons move too: the county box corner (101.9, 35.4) is drawn at its GCJ-02 position
    x, y = (round(float(v), 5) for v in wgs84_to_gcj02(101.9, 35.4))
    assert f"[{x},{y}]" in html and "[101.9,35.4]" not in html
