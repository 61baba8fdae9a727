"""Offline assets: every script/stylesheet of the map comes from /app/static/vendor."""

from __future__ import annotations

import re

import folium
import pytest

from geo.layers import MapData, MapOptions, build_map, coverage_areas
from geo.layers.basemaps import tile_layers
from ui import assets, map_view
from venuemap.usecases import gap_cells

URL = re.compile(r"https?://[^\s\"'`<>)\\]+")


def _full_map(venues, counties, townships, villages, basemap="none", token=None):
    data = MapData(
        venues=venues,
        counties=counties,
        townships=townships,
        coverage=coverage_areas(venues, {2: 20_000.0, 3: 10_000.0, 4: 2_000.0}),
        uncovered=villages,
        gaps=gap_cells(villages.assign(covered=False)),
        proposed=villages.head(1),
    )
    options = MapOptions(basemap=basemap, tianditu_token=token)
    return assets.offline(build_map(data, options=options))


SRC = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']?([^"' >]+)""")


def _loaded(html: str) -> list[str]:
    """Return every script/stylesheet the map's document loads (src/href of script/link)."""
    return SRC.findall(html)


def test_no_outside_url_without_basemap(venues, counties, townships, villages):
    html = map_view.render(_full_map(venues, counties, townships, villages), "")
    assert URL.findall(html) == []
    links = _loaded(html)
    assert links, "the map must still load Leaflet"
    assert all(link.startswith("/app/static/vendor/") for link in links), links
    assert "/app/static/vendor/leaflet/leaflet.js" in links


@pytest.mark.parametrize(
    ("basemap", "token", "host"),
    [
        ("osm", None, "tile.openstreetmap.org"),
        ("amap", None, "is.autonavi.com"),
        ("tianditu_vec", "abc123", "tianditu.gov.cn"),
        ("tianditu_img", "abc123", "tianditu.gov.cn"),
    ],
)
def test_only_tile_urls_with_a_basemap(
    basemap, token, host, venues, counties, townships, villages
):
    m = _full_map(venues, counties, townships, villages, basemap=basemap, token=token)
    html = map_view.render(m, "")
    assert all(link.startswith("/app/static/vendor/") for link in _loaded(html))
    tiles = [layer.tiles for layer in tile_layers(basemap, token=token)]
    assert tiles and all(host in url for url in tiles)
    # every URL is the chosen basemap's tile template, or its attribution <a href> (not fetched)
    for url in URL.findall(html):
        is_tile = any(tile.startswith(url) for tile in tiles)
        is_attribution = re.fullmatch(
            r"https://www\.(openstreetmap\.org/copyright|amap\.com/|tianditu\.gov\.cn/)", url
        )
        assert is_tile or is_attribution, url


def test_offline_drops_unneeded_and_rejects_unknown_assets():
    m = assets.offline_map(tiles=None)
    names = [name for name, _ in m.default_js + m.default_css]
    assert names == ["leaflet", "leaflet_css"]

    class Foreign(folium.elements.JSCSSMixin, folium.MacroElement):
        default_js = [("mystery", "https://cdn.example.com/mystery.js")]

    m.add_child(Foreign())
    with pytest.raises(assets.AssetError, match="'mystery'.*not served offline.*npm ci"):
        assets.offline(m)


def test_vendor_url_follows_base_path():
    assert assets.vendor_url("") == "/app/static/vendor"
    assert assets.vendor_url("/venuemap/") == "/venuemap/app/static/vendor"
    m = assets.offline_map("venuemap", tiles=None)
    assert m.default_js[0][1] == "/venuemap/app/static/vendor/leaflet/leaflet.js"


def test_missing_vendor_dir_lists_every_file(tmp_path):
    missing = assets.missing_files(tmp_path)
    assert "leaflet/leaflet.js" in missing
    assert len(missing) == len(assets.VENDOR_FILES)
    assert not assets.vendor_ready(tmp_path)


def test_install_without_node_modules_says_how_to_fix(tmp_path):
    with pytest.raises(assets.AssetError, match="npm ci --no-audit --no-fund"):
        assets.install(tmp_path / "node_modules", tmp_path / "vendor")


def test_install_copies_every_file(tmp_path):
    written = assets.install(vendor_dir=tmp_path)
    assert assets.vendor_ready(tmp_path)
    assert (tmp_path / "manifest.json") in written
    assert '"leaflet": "1.9.4"' in (tmp_path / "manifest.json").read_text()


def test_every_local_asset_is_copied():
    targets = {f.target for f in assets.VENDOR_FILES}
    assert set(assets.LOCAL_ASSETS.values()) <= targets


def test_tibetan_font_css_points_at_the_vendored_font():
    from ui.assets import TIBETAN_FONT, VENDOR_FILES, tibetan_font_css

    css = tibetan_font_css("/venuemap/")
    assert f"url('/venuemap/app/static/vendor/{TIBETAN_FONT}')" in css
    assert "unicode-range: U+0F00-0FFF" in css
    assert TIBETAN_FONT in {vendor.target for vendor in VENDOR_FILES}


def test_inlined_map_loads_nothing_but_images_from_the_vendor_folder(tmp_path):
    vendor = tmp_path / "vendor"
    (vendor / "lib" / "images").mkdir(parents=True)
    (vendor / "lib" / "lib.js").write_text('var a = "</script>";', encoding="utf-8")
    (vendor / "lib" / "lib.css").write_text(
        ".a { background: url(images/x.png); } .b { behavior: url(#default#VML); }"
        ' .c { background: url("data:image/png;base64,AA"); }',
        encoding="utf-8",
    )
    base = assets.vendor_url("vm")
    html = (
        f'<head><script src="{base}/lib/lib.js"></script>'
        f'<link rel="stylesheet" href="{base}/lib/lib.css"/></head>'
    )
    inlined = assets.inline_vendor_assets(html, "vm", vendor)
    assert "src=" not in inlined and "<link" not in inlined
    assert 'var a = "<\\/script>";' in inlined, "a script cannot end its own tag early"
    assert f"url({base}/lib/images/x.png)" in inlined
    assert "url(#default#VML)" in inlined and 'url("data:image/png;base64,AA")' in inlined


def test_the_real_map_inlines_every_vendor_script_and_stylesheet(venues, counties):
    html = map_view.render(build_map(MapData(venues=venues, counties=counties)), "")
    assert 'src="/app/static/vendor/' in html
    inlined = assets.inline_vendor_assets(html)
    assert not re.search(r'(src|href)="/app/static/vendor/[^"]+\.(js|css)"', inlined)
    assert "L.Map" in inlined or "L.map" in inlined
