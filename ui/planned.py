"""Planned sites for the map: the register's planned venues and the session's last proposal.

Both are drawn by ``geo.layers.gaps.proposed_layer`` with their own service circle, so the
villages a proposal newly covers look covered. The circle is the site's *own* standard: for the
session's proposal the radius the siting run used for new sites; for planned venues already
saved in the register the standard of their kind in the sidebar. Like coverage circles, it is
drawn at the straight-line reach (radius / detour).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.standards import Standards
from geo.schema import STORAGE_CRS


def _kind_reach_m(kinds: pd.Series, standards: Standards, detour: float) -> np.ndarray:
    """Return the straight-line reach (m) of each kind's standard; NaN if it has no radius."""
    reach = []
    for kind in kinds.astype(str):
        try:
            radius_m = standards.get(kind).radius_m
        except Exception:  # noqa: BLE001 - an unknown kind simply gets no circle
            radius_m = None
        reach.append(np.nan if radius_m is None else float(radius_m) / detour)
    return np.asarray(reach, dtype=float)


def planned_sites(
    venues: gpd.GeoDataFrame,
    proposal: gpd.GeoDataFrame | None,
    *,
    proposal_radius_m: float | None,
    standards: Standards,
    detour: float,
) -> gpd.GeoDataFrame:
    """Return the planned sites to draw, with a ``reach_m`` column (straight-line metres).

    Parameters
    ----------
    venues
        The register rows shown (their ``status == "planned"`` rows are taken).
    proposal
        The session's last siting proposal (planned venue rows), or None.
    proposal_radius_m
        The service radius the siting run used for its new sites.
    standards, detour
        The sidebar's standard, for planned venues saved in the register.

    Returns
    -------
    geopandas.GeoDataFrame
        Saved planned venues, then the proposal's sites not yet saved, EPSG:4326.
    """
    saved = venues.loc[venues["status"].astype(str) == "planned"].copy()
    saved["reach_m"] = _kind_reach_m(saved["kind"], standards, detour)
    parts = [saved]
    if proposal is not None and len(proposal):
        fresh = proposal.copy()
        fresh["reach_m"] = np.nan if proposal_radius_m is None else proposal_radius_m / detour
        # a proposal saved this session is drawn once, with the radius it was planned with
        parts = [saved.loc[~saved["id"].astype(str).isin(set(fresh["id"].astype(str)))], fresh]
    combined = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=STORAGE_CRS)
