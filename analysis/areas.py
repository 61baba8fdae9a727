"""Service areas: the ground each venue serves under its standard, as polygons to map.

Circles are drawn in metres, never in degrees: in the Gauss-Krüger plane of the data when it
fits one zone, otherwise as geodesic circles on the GRS80 ellipsoid. The radius drawn is the
straight-line reach, i.e. the standard's road distance divided by the detour factor.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import Polygon

from analysis import core
from analysis._validate import DEFAULT_STATUSES, check_layer, select_venues, venue_ids
from analysis.metric import MetricFrame, choose_frame
from analysis.standards import Standards, default_standards
from geo.errors import AnalysisError

_GEOD = Geod(ellps="GRS80")


def service_areas(
    venues: gpd.GeoDataFrame,
    standards: Standards | None = None,
    *,
    detour: float | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    kinds: Iterable[str] | None = None,
    frame: MetricFrame | None = None,
    segments: int = 64,
) -> gpd.GeoDataFrame:
    """Return one polygon per venue with a radius standard: the area it serves.

    Prefecture-wide and enterprise venues have no circle and are left out.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id``, ``kind``, ``radius_m`` (effective road distance), ``reach_m``
        (straight-line radius drawn), geometry (Polygon); EPSG:4326.
    """
    check_layer(venues, "venues", required=("kind",), allow_empty=True)
    standards = standards or default_standards()
    detour = standards.detour if detour is None else detour
    if not detour >= 1:
        raise AnalysisError(f"detour should be >= 1 (1 = straight line), got {detour!r}.")
    frame = frame or choose_frame(venues)
    live = select_venues(venues, statuses=statuses, kinds=kinds)
    radius = np.array([standards.get(k).radius_m or np.nan for k in live["kind"]], dtype=float)
    radial = np.array([standards.get(k).scope == "radius" for k in live["kind"]], dtype=bool)
    live, radius = live.loc[radial], radius[radial]
    reach = radius / detour
    table = pd.DataFrame({"id": venue_ids(live), "kind": live["kind"].to_numpy(),
                          "radius_m": radius, "reach_m": reach})  # fmt: skip
    if len(live) == 0:
        return gpd.GeoDataFrame(table, geometry=[], crs="EPSG:4326")
    if frame.kind == "plane":
        centres = live.geometry.to_crs(frame.crs)
        circles = centres.buffer(reach, quad_segs=max(segments // 4, 4)).to_crs("EPSG:4326")
        return gpd.GeoDataFrame(table, geometry=circles.to_numpy(), crs="EPSG:4326")
    points = live.geometry.to_crs("EPSG:4326")
    circles = [_geodesic_circle(x, y, r, segments) for x, y, r in
               zip(points.x, points.y, reach, strict=True)]  # fmt: skip
    return gpd.GeoDataFrame(table, geometry=circles, crs="EPSG:4326")


def _geodesic_circle(lon: float, lat: float, radius_m: float, segments: int) -> Polygon:
    """Return a polygon of points ``radius_m`` from (lon, lat) along the ellipsoid."""
    azimuths = np.linspace(0.0, 360.0, segments, endpoint=False)
    lons, lats, _ = _GEOD.fwd(np.full(segments, lon), np.full(segments, lat), azimuths,
                              np.full(segments, radius_m))  # fmt: skip
    return Polygon(zip(lons, lats, strict=True))


#: Finest H3 resolution of the cell cover (resolution 9 cells: edge ~0.17 km).
CELL_COVER_FINEST_RESOLUTION = 9
#: Cells per level above which the cover drops one resolution (bounds time and memory).
CELL_COVER_MAX_CELLS = 2_000_000


def service_area_cells(
    venues: gpd.GeoDataFrame,
    standards: Standards | None = None,
    *,
    detour: float | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    kinds: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Return, per network level, the ground its venues serve, drawn as a cover of H3 cells.

    Merging one circle per venue (`service_areas`) takes minutes at 100,000 venues; here a
    cell belongs to a level's area when its centre lies within the straight-line reach of a
    venue of that level (one KD-tree query per reach), and the cells are dissolved by H3. The
    outline is therefore off by at most about one cell edge (``cell_edge_m``); the resolution
    is the coarsest whose edge is at most 1/8 of the level's smallest reach (finest 9).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``level``, ``radius_m`` (largest straight-line reach), ``venue_count``,
        ``cell_edge_m``, geometry (Polygon or MultiPolygon); EPSG:4326; largest radius first.
    """
    check_layer(venues, "venues", required=("kind",), allow_empty=True)
    standards = standards or default_standards()
    detour = standards.detour if detour is None else detour
    if not detour >= 1:
        raise AnalysisError(f"detour should be >= 1 (1 = straight line), got {detour!r}.")
    live = select_venues(venues, statuses=statuses, kinds=kinds)
    stds = [standards.get(k) for k in live["kind"]]
    radial = np.array([s.scope == "radius" for s in stds], dtype=bool)
    live = live.loc[radial]
    reach = np.array([s.radius_m for s, keep in zip(stds, radial, strict=True) if keep]) / detour
    level = np.array([s.level for s, keep in zip(stds, radial, strict=True) if keep], dtype=int)
    columns = ["level", "radius_m", "venue_count", "cell_edge_m", "geometry"]
    if len(live) == 0:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs="EPSG:4326")
    frame = choose_frame(live)
    lonlat = live.geometry.to_crs("EPSG:4326")
    lon, lat = lonlat.x.to_numpy(), lonlat.y.to_numpy()
    rows = []
    for lv in np.unique(level):
        mine = level == lv
        shape, edge_m = _level_cover(lon[mine], lat[mine], reach[mine], frame)
        rows.append((int(lv), float(reach[mine].max()), int(mine.sum()), edge_m, shape))
    rows.sort(key=lambda row: -row[1])
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs="EPSG:4326")


def _level_cover(
    lon: np.ndarray, lat: np.ndarray, reach: np.ndarray, frame: MetricFrame
) -> tuple[object, float]:
    """Return the dissolved H3 cells within ``reach`` of the points, and the cell edge (m)."""
    pad_lat = reach.max() / 111_000.0
    pad_lon = pad_lat / max(np.cos(np.radians(np.abs(lat).max() + pad_lat)), 0.01)
    west, east = lon.min() - pad_lon, lon.max() + pad_lon
    south, north = max(lat.min() - pad_lat, -89.0), min(lat.max() + pad_lat, 89.0)
    res = _cover_resolution(reach.min(), (east - west) * (north - south) * 111.0**2)
    box = h3.LatLngPoly([(south, west), (south, east), (north, east), (north, west)])
    cells = np.array(h3.h3shape_to_cells(box, res))
    if len(cells) == 0:
        return shapely.Polygon(), h3.average_hexagon_edge_length(res, "m")
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    centre_xy = frame.project_lonlat(centres[:, 1], centres[:, 0])
    venue_xy = frame.project_lonlat(lon, lat)
    inside = np.zeros(len(cells), dtype=bool)
    for radius in np.unique(reach):
        tree = core.build_tree(venue_xy[reach == radius])
        straight = float(frame.to_straight(radius))
        dist, _ = tree.query(centre_xy, distance_upper_bound=straight * (1 + 1e-12))
        inside |= np.isfinite(dist)
    if not inside.any():
        return shapely.Polygon(), h3.average_hexagon_edge_length(res, "m")
    shape = shapely.geometry.shape(h3.cells_to_h3shape(list(cells[inside])).__geo_interface__)
    return shape, h3.average_hexagon_edge_length(res, "m")


def _cover_resolution(reach_m: float, box_km2: float) -> int:
    """Coarsest resolution with edge <= reach / 8, coarser still if the box needs too many."""
    res = CELL_COVER_FINEST_RESOLUTION
    while res > 0 and h3.average_hexagon_edge_length(res - 1, "m") <= reach_m / 8:
        res -= 1
    while res > 0 and box_km2 / h3.average_hexagon_area(res, "km^2") > CELL_COVER_MAX_CELLS:
        res -= 1
    return res
