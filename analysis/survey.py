"""Checks on surveyed positions before a planner approves them.

A survey moves a venue from its illustrative point to where staff say it is. Two mistakes are
common and cheap to catch: a position in another county (a wrong pin, or coordinates pasted
from the wrong map) and a position far from the venue's own township. Both are flagged, never
silently fixed: the planner decides.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

from analysis.metric import choose_frame, gauss_kruger_zone

#: A survey farther than this from its township's area is flagged (issue: 5 km).
TOWNSHIP_TOLERANCE_M = 5_000.0
_GEOD = Geod(ellps="GRS80")


def survey_checks(
    proposed: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    tolerance_m: float = TOWNSHIP_TOLERANCE_M,
) -> pd.DataFrame:
    """Return, per proposed position, how far it moves and whether it needs a second look.

    Parameters
    ----------
    proposed
        Points (WGS84) with a ``venue_id`` column, one row per survey submission.
    venues
        The register (``id``, ``county_code``, ``township_code``, point geometry).
    counties, townships
        Polygons with ``county_code`` / ``township_code`` (same CRS as ``proposed``).
    tolerance_m
        Distance from the venue's township area beyond which a survey is flagged.

    Returns
    -------
    pandas.DataFrame
        Aligned on ``proposed.index``: ``moved_m`` (geodesic metres from the register's
        point; NaN for an unknown venue), ``found_county_code`` (county containing the new
        point, None outside every county), ``other_county`` (bool), ``township_distance_m``
        (metres from the venue's township area; 0 inside, NaN when unknown) and ``flagged``.
    """
    register = venues.set_index("id")
    known = proposed["venue_id"].isin(register.index)
    old = register.geometry.reindex(proposed["venue_id"]).to_numpy()
    moved = np.full(len(proposed), np.nan)
    if known.any():
        old_pts = gpd.GeoSeries(old[known.to_numpy()], crs=proposed.crs)
        new_pts = proposed.geometry[known]
        _, _, dist = _GEOD.inv(old_pts.x.to_numpy(), old_pts.y.to_numpy(),
                               new_pts.x.to_numpy(), new_pts.y.to_numpy())  # fmt: skip
        moved[known.to_numpy()] = dist
    stated_county = register["county_code"].reindex(proposed["venue_id"]).to_numpy()
    found = _containing(proposed, counties, "county_code")
    other = pd.notna(stated_county) & (found.to_numpy() != stated_county)
    township_m = _distance_to_own_area(proposed, register, townships)
    out = pd.DataFrame(
        {
            "moved_m": moved,
            "found_county_code": found.to_numpy(),
            "other_county": other,
            "township_distance_m": township_m,
        },
        index=proposed.index,
    )
    out["flagged"] = out["other_county"] | (out["township_distance_m"] > tolerance_m)
    return out


def _containing(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, code: str) -> pd.Series:
    """Return the code of the area containing each point (None outside every area)."""
    joined = gpd.sjoin(points[[points.geometry.name]], areas[[code, areas.geometry.name]],
                       how="left", predicate="within")  # fmt: skip
    first = joined[~joined.index.duplicated(keep="first")][code]
    return first.reindex(points.index).astype(object).where(first.notna(), None)


def _distance_to_own_area(
    points: gpd.GeoDataFrame, register: gpd.GeoDataFrame, townships: gpd.GeoDataFrame
) -> np.ndarray:
    """Return metres from each point to its venue's township polygon (NaN when unknown)."""
    frame = choose_frame(points, townships)
    # A township and its venue are always close: one Gauss-Krüger zone serves even when the
    # whole layer spans several zones (then the zone of the points' median longitude).
    metric_crs = frame.crs if frame.kind == "plane" else gauss_kruger_zone(
        float(np.median(points.geometry.x))) if len(points) else None  # fmt: skip
    areas = townships.set_index("township_code").geometry
    wanted = register["township_code"].reindex(points["venue_id"]).to_numpy()
    out = np.full(len(points), np.nan)
    has_area = np.array([code in areas.index for code in wanted], dtype=bool)
    if not has_area.any() or metric_crs is None:
        return out
    projected_points = points.geometry[has_area].to_crs(metric_crs).to_numpy()
    own_areas = gpd.GeoSeries(areas.reindex(wanted[has_area]).to_numpy(), crs=townships.crs)
    out[has_area] = own_areas.to_crs(metric_crs).distance(
        gpd.GeoSeries(projected_points, crs=metric_crs), align=False
    ).to_numpy()
    return out
