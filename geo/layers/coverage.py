"""Coverage areas (what each network level reaches) and the villages left uncovered.

Coverage circles are geodesic: each vertex lies ``radius_m`` metres from its venue on the
WGS84 ellipsoid (``pyproj.Geod``), so nothing is ever buffered in degrees and the result is
right at any latitude; the circles of one level are merged into one shape for display.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod

from geo.errors import AnalysisError
from geo.layers._element import StyledGeoJson, make_features
from geo.layers._html import detail_table, esc, fmt_km, fmt_people, is_missing, tip, tr
from geo.schema import LEVEL_OF_KIND, LEVELS, STORAGE_CRS, label

_GEOD = Geod(ellps="WGS84")
#: Vertices of one coverage circle.
CIRCLE_VERTICES = 48
#: CSS class of each uncovered-village marker.
UNCOVERED_CLASS = "vm-uncovered"


@dataclass(frozen=True)
class CoverageStyle:
    """How coverage areas are drawn: one fill colour per network level."""

    level_colors: tuple[tuple[int, str], ...] = (
        (1, "#fddbc7"),
        (2, "#f4a582"),
        (3, "#92c5de"),
        (4, "#66c2a5"),
    )
    fill_opacity: float = 0.22
    weight: float = 1.0

    def color(self, level: int) -> str:
        """Return the colour of network level ``level``."""
        return dict(self.level_colors).get(int(level), "#bbbbbb")


@dataclass(frozen=True)
class UncoveredStyle:
    """How uncovered villages are highlighted."""

    color: str = "#d7301f"
    radius_px: float = 4.0
    weight: float = 2.0


def geodesic_circles(lon: np.ndarray, lat: np.ndarray, radius_m: float) -> np.ndarray:
    """Return polygons of ``radius_m`` metres around each lon/lat point (geodesic, WGS84).

    Raises
    ------
    AnalysisError
        If ``radius_m`` is not a positive number of metres.
    """
    if not np.isfinite(radius_m) or radius_m <= 0:
        raise AnalysisError(
            f"coverage radius_m must be a positive number of metres, got {radius_m}"
        )
    n = len(lon)
    azimuths = np.linspace(0.0, 360.0, CIRCLE_VERTICES, endpoint=False)
    az = np.tile(azimuths, n)
    x0 = np.repeat(np.asarray(lon, float), CIRCLE_VERTICES)
    y0 = np.repeat(np.asarray(lat, float), CIRCLE_VERTICES)
    x, y, _ = _GEOD.fwd(x0, y0, az, np.full(az.shape, float(radius_m)))
    rings = np.stack([x, y], axis=1).reshape(n, CIRCLE_VERTICES, 2)
    return shapely.polygons(rings)


def coverage_areas(
    venues: gpd.GeoDataFrame, radius_m_by_level: Mapping[int, float]
) -> gpd.GeoDataFrame:
    """Return the merged coverage area of each network level.

    Parameters
    ----------
    venues
        Venue rows with ``level`` and Point geometries in EPSG:4326.
    radius_m_by_level
        Straight-line reach in metres per level; levels not listed are left out.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns level, radius_m, venue_count, geometry (EPSG:4326), one row per level that has
        venues, largest radius first (drawn underneath).
    """
    if venues.crs is not None and venues.crs != STORAGE_CRS:
        venues = venues.to_crs(STORAGE_CRS)
    rows = []
    for level, radius_m in sorted(radius_m_by_level.items(), key=lambda kv: -kv[1]):
        points = venues[venues["level"] == level]
        points = points[~points.geometry.is_empty & points.geometry.notna()]
        if points.empty:
            continue
        circles = geodesic_circles(
            points.geometry.x.to_numpy(), points.geometry.y.to_numpy(), radius_m
        )
        rows.append((int(level), float(radius_m), len(points), shapely.union_all(circles)))
    columns = ["level", "radius_m", "venue_count", "geometry"]
    if not rows:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=STORAGE_CRS)
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=STORAGE_CRS)


def merge_service_areas(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge per-venue service areas into one shape per network level, for display.

    Parameters
    ----------
    areas
        Output of ``analysis.areas.service_areas``: one polygon per venue with ``kind`` and
        ``reach_m`` (the straight-line radius drawn), EPSG:4326.

    Returns
    -------
    geopandas.GeoDataFrame
        The shape of :func:`coverage_areas` (level, radius_m = largest reach drawn, venue_count,
        geometry), largest radius first, so the same layer and legend draw either.
    """
    columns = ["level", "radius_m", "venue_count", "geometry"]
    if areas.empty:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=STORAGE_CRS)
    areas = areas.to_crs(STORAGE_CRS) if areas.crs is not None else areas
    levels = areas["kind"].map(LEVEL_OF_KIND).fillna(4).astype(int)
    rows = [
        (int(level), float(group["reach_m"].max()), len(group),
         shapely.union_all(np.asarray(group.geometry)))
        for level, group in areas.groupby(levels, sort=True)
    ]  # fmt: skip
    rows.sort(key=lambda row: -row[1])
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=STORAGE_CRS)


def coverage_layer(
    areas: gpd.GeoDataFrame,
    *,
    style: CoverageStyle = CoverageStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return the coverage areas (output of :func:`coverage_areas`) as a FeatureGroup."""
    group = folium.FeatureGroup(name=tr("map.layer.coverage", lang), show=show)
    if areas.empty:
        return group
    styles, tips = [], []
    for row in areas.itertuples(index=False):
        color = style.color(row.level)
        styles.append(
            {
                "color": color,
                "weight": style.weight,
                "fillColor": color,
                "fillOpacity": style.fill_opacity,
                "className": "vm-coverage",
            }
        )
        tips.append(esc(coverage_label(row, lang)))
    features = make_features(areas, list(range(len(areas))), tooltips=tips)
    StyledGeoJson(features, styles).add_to(group)
    return group


def coverage_label(row: object, lang: str) -> str:
    """Return the legend/tooltip text of one coverage row, naming the hexagon approximation.

    Rows from ``analysis.areas.service_area_cells`` (large registers) carry ``cell_edge_m``:
    their outline is an H3 cell cover, so the label says so and gives the cell size.
    """
    level = label(LEVELS, str(int(row.level)), lang)
    radius = fmt_km(row.radius_m, lang)
    edge_m = getattr(row, "cell_edge_m", None)
    if is_missing(edge_m):
        return tr("map.legend.coverage", lang, level=level, radius=radius)
    return tr("map.legend.coverage_cells", lang, level=level, radius=radius,
              edge=fmt_km(edge_m, lang))  # fmt: skip


def uncovered_layer(
    villages: gpd.GeoDataFrame,
    *,
    style: UncoveredStyle = UncoveredStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return the uncovered villages as red rings (name, code, township and population).

    Parameters
    ----------
    villages
        Village rows (village_code, name, optional township_name, population,
        population_source) with Point geometries in display coordinates.
    """
    group = folium.FeatureGroup(name=tr("map.layer.uncovered", lang), show=show)
    if villages.empty:
        return group
    marker = {
        "radius": style.radius_px,
        "color": style.color,
        "weight": style.weight,
        "fillColor": style.color,
        "fillOpacity": 0.15,
        "className": UNCOVERED_CLASS,
    }
    tips, pops = [], []
    for _, row in villages.iterrows():
        population = fmt_people(row.get("population"), lang)
        if row.get("population_source") == "illustrative" and not is_missing(row.get("population")):
            population += f" ({tr('map.illustrative_population', lang)})"
        tips.append(tip(row.get("name"), tr("map.layer.uncovered", lang)))
        pops.append(
            detail_table(
                [
                    (tr("map.field.code", lang), row.get("village_code")),
                    (tr("map.field.township", lang), row.get("township_name")),
                    (tr("map.field.population", lang), population),
                ],
                title=row.get("name"),
            )
        )
    features = make_features(villages, [0] * len(villages), tooltips=tips, popups=pops)
    StyledGeoJson(features, [marker]).add_to(group)
    return group
