"""Service areas: the ground each venue serves under its standard, as polygons to map.

Circles are drawn in metres, never in degrees: in the Gauss-Krüger plane of the data when it
fits one zone, otherwise as geodesic circles on the GRS80 ellipsoid. The radius drawn is the
straight-line reach, i.e. the standard's road distance divided by the detour factor.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod
from shapely.geometry import Polygon

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
