"""Administrative boundaries: counties (real) and townships (APPROXIMATE, drawn dashed).

The township areas are seat-point Voronoi cells clipped to the counties, not surveyed
boundaries; they are dashed and say 近似 / approximate in their tooltip and the legend.
Boundaries are simplified for display only (the analysis never sees these shapes): shared
edges are simplified once with ``shapely.coverage_simplify`` so neighbours keep touching
(``geo.layers.shapes``, re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd

from geo.layers._element import StyledGeoJson, make_features
from geo.layers._html import esc, is_missing, tr
from geo.layers.shapes import DISPLAY_TOLERANCE_DEG, simplify_for_display

__all__ = [
    "COUNTY_STYLE",
    "DISPLAY_TOLERANCE_DEG",
    "TOWNSHIP_STYLE",
    "BoundaryStyle",
    "county_layer",
    "simplify_for_display",
    "township_layer",
]


@dataclass(frozen=True)
class BoundaryStyle:
    """How a boundary layer is drawn (Leaflet path options)."""

    color: str = "#444444"
    weight: float = 1.5
    dash_array: str | None = None
    fill_color: str = "#ffffff"
    fill_opacity: float = 0.0


COUNTY_STYLE = BoundaryStyle(color="#333333", weight=2.2)
TOWNSHIP_STYLE = BoundaryStyle(color="#777777", weight=1.0, dash_array="5 4")


def _path_style(style: BoundaryStyle, class_name: str) -> dict:
    return {
        "color": style.color,
        "weight": style.weight,
        "dashArray": style.dash_array,
        "fillColor": style.fill_color,
        "fillOpacity": style.fill_opacity,
        "className": class_name,
    }


def _name(row: object, lang: str) -> object:
    name_en = getattr(row, "name_en", None)
    return name_en if lang != "zh" and not is_missing(name_en) else getattr(row, "name", None)


def county_layer(
    gdf: gpd.GeoDataFrame,
    *,
    style: BoundaryStyle = COUNTY_STYLE,
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return the county boundaries (columns county_code, name, name_en) as a FeatureGroup."""
    group = folium.FeatureGroup(name=tr("map.layer.counties", lang), show=show)
    if gdf.empty:
        return group
    tips = [
        f"{esc(_name(row, lang))} · {esc(getattr(row, 'county_code', None))}"
        for row in gdf.itertuples(index=False)
    ]
    features = make_features(gdf, [0] * len(gdf), tooltips=tips)
    StyledGeoJson(features, [_path_style(style, "vm-county")]).add_to(group)
    return group


def township_layer(
    gdf: gpd.GeoDataFrame,
    *,
    style: BoundaryStyle = TOWNSHIP_STYLE,
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return the township boundaries, marked approximate where ``approximate`` is True.

    Parameters
    ----------
    gdf
        Columns township_code, name, optional name_en and approximate (bool; a missing column
        counts as approximate, since no surveyed township polygons are bundled).
    """
    group = folium.FeatureGroup(name=tr("map.layer.townships", lang), show=show)
    if gdf.empty:
        return group
    approx = gdf["approximate"].fillna(True).astype(bool) if "approximate" in gdf else None
    tips, index = [], []
    for i, row in enumerate(gdf.itertuples(index=False)):
        is_approx = True if approx is None else bool(approx.iloc[i])
        note = esc(tr("map.approximate_suffix", lang)) if is_approx else ""
        code = esc(getattr(row, "township_code", None))
        tips.append(f"{esc(_name(row, lang))} · {code}{note}")
        index.append(1 if is_approx else 0)
    solid = BoundaryStyle(style.color, style.weight, None, style.fill_color, style.fill_opacity)
    styles = [_path_style(solid, "vm-township"), _path_style(style, "vm-township vm-approx")]
    StyledGeoJson(make_features(gdf, index, tooltips=tips), styles).add_to(group)
    return group
