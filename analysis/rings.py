"""Service rings ("一站多圈", one station, several circles): nested reach bands per venue.

Each venue gets one band per threshold, e.g. 5/10/15 minutes or 1/2/5 km of effective road
distance; band *k* is the ground between threshold *k-1* and *k* (the first is a disc), so the
bands of one venue tile its outer circle and an export can be read band by band. Minutes become
effective distance at the documented speed (`analysis.traveltime`), and effective distance
becomes the straight radius drawn by dividing by the detour, as in `analysis.areas`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis._validate import DEFAULT_STATUSES, check_layer, select_venues, venue_ids
from analysis.areas import _geodesic_circle
from analysis.metric import MetricFrame, choose_frame
from analysis.standards import DEFAULT_DETOUR
from analysis.traveltime import DEFAULT_MODE, minutes_to_metres
from geo.errors import AnalysisError

DEFAULT_MINUTES = (5.0, 10.0, 15.0)


def ring_radii_m(
    *, minutes: Sequence[float] | None = None, km: Sequence[float] | None = None,
    mode: str = DEFAULT_MODE,
) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """Return the effective radius (m) and label of each ring, innermost first."""
    if (minutes is None) == (km is None):
        raise AnalysisError("give the rings either in minutes or in km, not both or neither.")
    values = sorted(float(v) for v in (minutes if minutes is not None else km))
    if not values or values[0] <= 0 or len(set(values)) != len(values):
        raise AnalysisError(f"rings should be distinct positive numbers, got {values!r}.")
    if minutes is not None:
        return (np.array([minutes_to_metres(v, mode) for v in values]),
                [f"{v:g} min ({mode})" for v in values])  # fmt: skip
    return np.array(values) * 1000.0, [f"{v:g} km" for v in values]


def service_rings(
    venues: gpd.GeoDataFrame,
    *,
    minutes: Sequence[float] | None = None,
    km: Sequence[float] | None = None,
    mode: str = DEFAULT_MODE,
    detour: float = DEFAULT_DETOUR,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    frame: MetricFrame | None = None,
    segments: int = 48,
) -> gpd.GeoDataFrame:
    """Return one band per venue and threshold (see the module docstring).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``venue_id``, ``venue_name``, ``ring`` (0 = innermost), ``label``,
        ``radius_m`` (effective), ``reach_m`` (straight radius drawn), geometry; EPSG:4326.
    """
    check_layer(venues, "venues", allow_empty=True)
    if not detour >= 1:
        raise AnalysisError(f"detour should be >= 1 (1 = straight line), got {detour!r}.")
    radii, labels = ring_radii_m(minutes=minutes, km=km, mode=mode)
    live = select_venues(venues, statuses=statuses)
    live = live.loc[live.geometry.notna() & ~live.geometry.is_empty]
    columns = ["venue_id", "venue_name", "ring", "label", "radius_m", "reach_m"]
    if len(live) == 0:
        return gpd.GeoDataFrame(pd.DataFrame(columns=columns), geometry=[], crs="EPSG:4326")
    discs = [_discs(live, r / detour, frame or choose_frame(live), segments) for r in radii]
    bands = [discs[0]] + [shapely.difference(discs[k], discs[k - 1]) for k in range(1, len(discs))]
    ids = venue_ids(live)
    names = live["name"].to_numpy() if "name" in live.columns else ids
    n, k = len(live), len(radii)
    table = pd.DataFrame({
        "venue_id": np.tile(ids, k), "venue_name": np.tile(names, k),
        "ring": np.repeat(np.arange(k), n), "label": np.repeat(labels, n),
        "radius_m": np.repeat(radii, n), "reach_m": np.repeat(radii / detour, n),
    })  # fmt: skip
    return gpd.GeoDataFrame(table, geometry=np.concatenate(bands), crs="EPSG:4326")


def _discs(live: gpd.GeoDataFrame, reach_m: float, frame: MetricFrame, segments: int
           ) -> np.ndarray:  # fmt: skip
    if frame.kind == "plane":
        centres = live.geometry.to_crs(frame.crs)
        return centres.buffer(reach_m, quad_segs=max(segments // 4, 4)).to_crs(
            "EPSG:4326").to_numpy()  # fmt: skip
    points = live.geometry.to_crs("EPSG:4326")
    return np.array([_geodesic_circle(x, y, reach_m, segments)
                     for x, y in zip(points.x, points.y, strict=True)], dtype=object)  # fmt: skip
