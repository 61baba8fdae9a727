"""Siting: where to build next, starting from the one baseline every screen shows.

Existing venues always cover by their own level's standard (the same `coverage_table` as
``coverage`` and the Overview page); only the NEW sites take ``new_radius_km`` (default: the
standard's village-station radius). So ``site``'s baseline population equals ``coverage``'s
``population_covered`` under the same standard, and the proposal can only add to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from analysis.siting import MODELS, SitingResult, default_candidates, proposal_venues
from analysis.siting import site as solve_site
from analysis.standards import Standards
from geo.schema import STORAGE_CRS
from venuemap.usecases.analysis import coverage_table, coverage_totals
from venuemap.usecases.inputs import Inputs, same_crs
from venuemap.usecases.standard import new_site_radius_km

__all__ = ["MODELS", "SiteOutcome", "candidates_for", "save_proposal", "site"]


@dataclass(frozen=True)
class SiteOutcome:
    """One siting run compared with the baseline.

    Attributes
    ----------
    result
        The solver's `analysis.siting.SitingResult`.
    proposal
        The chosen sites as planned venue rows (ready for the store).
    baseline, proposed, delta
        Headline figures (demand, covered, population, population_covered) before, after the
        new sites open, and their difference.
    before
        Per-demand coverage today (the baseline table).
    newly_covered
        The demand points the proposal newly covers.
    new_radius_km
        The service radius of the new sites.
    """

    result: SitingResult
    proposal: gpd.GeoDataFrame
    baseline: dict
    proposed: dict
    delta: dict
    before: gpd.GeoDataFrame
    newly_covered: gpd.GeoDataFrame
    new_radius_km: float

    def to_json(self) -> dict:
        """Return the solver's JSON plus ``baseline_covered_population`` and the new radius."""
        return {
            **self.result.to_json(),
            "baseline_covered_population": self.baseline["population_covered"],
            "new_radius_km": self.new_radius_km,
        }


def candidates_for(inputs: Inputs) -> gpd.GeoDataFrame:
    """Return the default candidates: villages without a station, seats without a centre."""
    seats = inputs.township_seats
    return default_candidates(
        same_crs(inputs.demand, inputs.venues),
        None if seats is None else same_crs(seats, inputs.venues),
        inputs.venues,
    )


def site(
    inputs: Inputs,
    standard: Standards,
    *,
    model: str = "mclp",
    n_new: int | None = 5,
    new_radius_km: float | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    time_limit_s: float | None = None,
) -> SiteOutcome:
    """Choose new sites with every existing venue fixed at its own level's standard.

    Parameters
    ----------
    inputs, standard
        The data and the one service standard (existing venues, baseline).
    model, n_new
        ``"mclp"``, ``"lscp"`` or ``"pmedian"``; number of new sites (not for LSCP).
    new_radius_km
        Service radius of the new sites; None takes the standard's village-station radius.
    candidates
        Candidate sites; None takes :func:`candidates_for`.
    time_limit_s
        Stop the solver after this long.
    """
    radius_km = new_site_radius_km(standard, new_radius_km)
    before = coverage_table(inputs, standard)
    sites = candidates_for(inputs) if candidates is None else candidates
    result = solve_site(
        inputs.demand, inputs.venues, same_crs(sites, inputs.demand), model=model, n_new=n_new,
        radius_m=radius_km * 1000.0, detour=standard.detour, standards=standard,
        time_limit_s=time_limit_s, existing_covered=before["covered"].to_numpy(bool),
    )  # fmt: skip
    baseline = coverage_totals(before)
    newly = before.loc[list(result.newly_covered)]
    proposed = {
        **baseline,
        "covered": baseline["covered"] + len(newly),
        "population_covered": float(result.covered_population),
    }
    delta = {key: proposed[key] - baseline[key] for key in baseline}
    return SiteOutcome(
        result, proposal_venues(result, sites), baseline, proposed, delta, before, newly,
        radius_km,
    )  # fmt: skip


def save_proposal(store: Any, proposal: gpd.GeoDataFrame) -> int:
    """Add ``proposal`` (planned venues) to the register shown and write it to the store.

    ``store`` is a store path (None: the default store) or an open store — the dashboard passes
    its role-checked store, so the write is refused on the server for a viewer. The register
    shown may be the bundled demo (the store has no venues yet): the demo venues are then
    written too, with their own position and date, so saving a plan never makes the network
    vanish nor turns example data into a record of today. The write is one transaction
    (geo.store). Returns the number of planned venues added.
    """
    from geo.register import load_venues
    from geo.store import open_store

    venue_store = store if hasattr(store, "add_venues") else open_store(store)
    store_path = None if store is None else str(getattr(store, "path", store))
    register = load_venues(store_path)
    if register.crs is not None and register.crs != STORAGE_CRS:
        register = register.to_crs(STORAGE_CRS)
    new = proposal.loc[~proposal["id"].isin(register["id"])]
    rows = new
    if not len(venue_store.venues()):  # the demo register is shown: store it with the plan
        rows = gpd.GeoDataFrame(pd.concat([register, new], ignore_index=True), crs=STORAGE_CRS)
    # Only the new venues are added (one transaction, a ``proposal`` change in the history),
    # so venues others saved meanwhile are kept.
    venue_store.add_venues(rows, kind="proposal")
    return len(new)
