"""Siting: where to put N new venues, with existing venues fixed, solved exactly.

Three models, each built sparse (only demand-candidate pairs within reach) and solved as a MIP
with HiGHS (`analysis.solvers`):

* ``"mclp"`` (maximal covering): at most N new sites maximising newly covered population;
* ``"lscp"`` (set covering): the fewest sites covering all inhabited demand; when some of it
  is beyond every candidate and existing venue the model is infeasible (`InfeasibleError`);
* ``"pmedian"``: at most N new sites minimising the population-weighted mean distance, each
  demand point going to its nearest open site or, always available, its nearest existing venue.
  Only candidates closer than that existing venue are worth assigning, so the sparse model is
  exactly the full p-median (with ``reach_m`` as an optional further cap).

Among optimal choices the fewest sites are opened (`analysis.solvers`: a lexicographic second
stage, not a penalty), so ``SitingResult.added_population`` is > 0 for every selected site. No
candidate at all is not an error: the result says there is nothing to site (``note``).

One service standard applies to all new sites (``radius_m``, an effective road distance:
straight line x ``detour``); stations (existing or candidate) also serve their own village.
Pass ``existing_covered`` (the ``covered`` flags of `analysis.coverage.assess_coverage` under
the full per-level standard) so that existing venues cover by their own level's standard: the
baseline is then exactly the coverage figure.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from analysis import core, solvers
from analysis._validate import (
    DEFAULT_STATUSES,
    check_layer,
    codes,
    population,
    select_venues,
    venue_ids,
)
from analysis.coverage import assess_coverage, coverage_totals
from analysis.metric import MetricFrame, check_same_crs, project_layers
from analysis.standards import DEFAULT_DETOUR, Standards, default_standards
from geo.errors import AnalysisError, InfeasibleError
from geo.placenames import short_village_name
from geo.schema import KINDS, LEVEL_OF_KIND, STORAGE_CRS, VENUE_COLUMNS, label

MODELS = ("mclp", "lscp", "pmedian")
STATION_KINDS = ("village_station", "community_station")
#: `SitingResult.note` when no candidate is offered (nothing to decide; not an error).
NOTHING_TO_SITE = (
    "nothing to site: no candidate sites are left (every village already has a station and "
    "every township seat a centre, or the candidates file is empty)"
)


@dataclass(frozen=True)
class SitingResult:
    """The outcome of one siting run.

    Attributes
    ----------
    model
        ``"mclp"``, ``"lscp"`` or ``"pmedian"``.
    selected
        Ids of the chosen candidates.
    covered_population
        Population within the standard after the new sites open (existing + new together).
    objective
        MCLP: newly covered population; LSCP: number of sites; p-median: population-weighted
        mean distance, metres.
    optimal
        True if HiGHS proved the optimum.
    existing_population, uncoverable_population
        Population covered before any new site; population no candidate can reach (not yet
        covered).
    newly_covered
        Index labels of the demand points the new sites cover.
    solve_time_s, total_time_s
        HiGHS time, and end-to-end time (pairs + model + solve).
    status
        HiGHS model status text.
    added_population
        For each selected id, the population only that site adds: MCLP/LSCP, people it covers
        that no existing venue and no other selected site covers; p-median, people for whom it
        is the strictly nearest option (they would travel farther without it). Greater than 0
        for every selected site: the solver prefers the fewest sites among optimal choices.
    n_candidates
        Number of candidate sites offered.
    note
        Plain remark for the user when there was nothing to decide (e.g. no candidate left
        because every village already has a station); empty otherwise.
    """

    model: str
    selected: list[str]
    covered_population: float
    objective: float
    optimal: bool
    existing_population: float = 0.0
    uncoverable_population: float = 0.0
    newly_covered: list = field(default_factory=list)
    solve_time_s: float = 0.0
    total_time_s: float = 0.0
    status: str = ""
    added_population: dict[str, float] = field(default_factory=dict)
    n_candidates: int = 0
    note: str = ""

    def to_json(self) -> dict:
        """Return the CLI's JSON shape.

        Keys: model, selected, covered_population, objective (null if not finite), optimal,
        sites (``[{"id", "added_population"}]`` in selection order) and note (null if none).
        """
        return {
            "model": self.model,
            "selected": list(self.selected),
            "covered_population": _number(self.covered_population),
            "objective": _number(self.objective),
            "optimal": bool(self.optimal),
            "sites": [
                {"id": ident, "added_population": _number(self.added_population.get(ident, 0.0))}
                for ident in self.selected
            ],
            "note": self.note or None,
        }


@dataclass
class _Arrays:
    """Demand, existing venues and candidates as arrays in one metric frame."""

    frame: MetricFrame
    weights: np.ndarray
    demand_xy: np.ndarray
    existing_xy: np.ndarray
    candidate_xy: np.ndarray
    demand_village: np.ndarray
    existing_village: np.ndarray
    candidate_village: np.ndarray


def site(
    demand: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    *,
    model: str = "mclp",
    n_new: int | None = None,
    radius_m: float,
    detour: float = DEFAULT_DETOUR,
    reach_m: float | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    population_col: str = "population",
    standards: Standards | None = None,
    frame: MetricFrame | None = None,
    time_limit_s: float | None = None,
    existing_covered: np.ndarray | None = None,
) -> SitingResult:
    """Choose new sites among ``candidates`` with ``venues`` fixed; see the module docstring.

    Parameters
    ----------
    demand
        Demand points with a population column.
    venues
        Existing venues (in-service, geographic kinds are used; may be empty).
    candidates
        Candidate sites (column ``id`` names them; ``kind``/``village_code`` enable the
        own-village rule for stations).
    model
        ``"mclp"``, ``"lscp"`` or ``"pmedian"``.
    n_new
        Number of new sites (MCLP, p-median); at most this many are opened.
    radius_m
        Effective service distance of every site, metres.
    detour
        Road / straight-line factor (1 = straight line).
    reach_m
        p-median only: ignore assignments farther than this (None = no cap).
    statuses, population_col, standards, frame
        Which existing venues count; population column; standards (for which kinds are
        geographic stations); metric frame (chosen from the data when None).
    time_limit_s
        Stop HiGHS after this long; the result then says ``optimal=False``.
    existing_covered
        Demand already covered (one flag per demand row), e.g. the ``covered`` column of
        `analysis.coverage.assess_coverage`; None covers by ``radius_m`` around every venue.

    Raises
    ------
    InfeasibleError
        LSCP with inhabited demand no site can reach; p-median with demand that neither an
        existing venue nor ``n_new`` new sites can serve.
    AnalysisError
        Unusable arguments or layers.
    """
    started = time.perf_counter()
    model = _check_model(model, n_new)
    arrays = _arrays(demand, venues, candidates, statuses, population_col, standards, frame)
    if not (math.isfinite(radius_m) and radius_m > 0 and math.isfinite(detour) and detour >= 1):
        raise AnalysisError(
            f"radius_m should be > 0 and finite (--radius-km on the command line) and detour a "
            f"finite number >= 1, got radius_m={radius_m}, detour={detour}."
        )
    reach = arrays.frame.to_straight(radius_m / detour)
    existing, fallback = _existing(arrays, reach, detour)
    if existing_covered is not None:
        existing = _baseline(existing_covered, len(existing))
    cover = _cover(arrays, reach, existing)
    if len(candidates) == 0:
        solution, added = solvers.empty_solution(0.0), np.zeros(0)
        if model == "pmedian":
            solution = dataclasses.replace(solution, objective=float(
                (arrays.weights * fallback).sum()) if np.isfinite(fallback).all() else np.inf)
    elif model == "pmedian":
        dist = _pmedian_pairs(arrays, fallback, detour, reach_m)
        solution = solvers.solve_pmedian(dist, arrays.weights, fallback, int(n_new or 0),
                                         time_limit_s=time_limit_s)  # fmt: skip
        added = solvers.added_median_weight(dist, arrays.weights, solution.selected)
    else:
        if model == "mclp":
            solution = solvers.solve_mclp(cover, arrays.weights, existing, int(n_new or 0),
                                          time_limit_s=time_limit_s)  # fmt: skip
        else:
            _check_lscp_feasible(arrays, cover, existing, demand)
            solution = solvers.solve_lscp(cover, existing, weights=arrays.weights,
                                          time_limit_s=time_limit_s)  # fmt: skip
        added = solvers.added_cover_weight(cover, arrays.weights, existing, solution.selected)
    result = _result(model, solution, arrays, cover, existing, demand, candidates, started)
    return dataclasses.replace(
        result,
        added_population=dict(zip(result.selected, map(float, added), strict=True)),
        n_candidates=len(candidates),
        note="" if len(candidates) else NOTHING_TO_SITE,
    )


def _check_lscp_feasible(
    arrays: _Arrays, cover: sparse.csr_matrix, existing: np.ndarray, demand: gpd.GeoDataFrame
) -> None:
    """Raise InfeasibleError if some inhabited demand is out of every site's reach."""
    stranded = ~existing & (np.diff(cover.indptr) == 0) & (arrays.weights > 0)
    if not stranded.any():
        return
    labels = codes(demand, "village_code")
    labels = np.where(labels == None, demand.index.astype(str), labels)  # noqa: E711
    raise InfeasibleError(
        f"lscp is infeasible: {int(stranded.sum())} demand point(s) with "
        f"{arrays.weights[stranded].sum():,.0f} people (first: "
        f"{', '.join(map(str, labels[stranded][:5]))}) are beyond the reach of every candidate "
        "and every existing venue, so no set of sites covers everyone; add candidates near "
        "them, widen the radius (--radius-km), or use --model mclp to cover as many as possible."
    )


def _check_model(model: str, n_new: int | None) -> str:
    model = str(model).lower().replace("-", "").replace("_", "")
    if model not in MODELS:
        raise AnalysisError(f"model should be one of {', '.join(MODELS)}, got {model!r}.")
    if model != "lscp" and (n_new is None or n_new < 0):
        raise AnalysisError(
            f"{model} needs the number of new sites (n_new / --add N >= 0), got {n_new!r}."
        )
    return model


def _arrays(
    demand: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    statuses: Iterable[str] | None,
    population_col: str,
    standards: Standards | None,
    frame: MetricFrame | None,
) -> _Arrays:
    check_layer(demand, "demand")
    check_layer(venues, "venues", allow_empty=True)
    check_layer(candidates, "candidates", allow_empty=True)
    weights = population(demand, population_col)
    check_same_crs(demand, venues, candidates)
    standards = standards or default_standards()
    existing = select_venues(venues, statuses=statuses)
    if "kind" in existing.columns and len(existing):
        existing = existing.loc[[standards.get(k).geographic for k in existing["kind"]]]
    frame, (demand_xy, existing_xy, candidate_xy) = project_layers(
        demand, existing, candidates, frame=frame
    )
    return _Arrays(
        frame=frame,
        weights=weights,
        demand_xy=demand_xy,
        existing_xy=existing_xy,
        candidate_xy=candidate_xy,
        demand_village=codes(demand, "village_code"),
        existing_village=_station_codes(existing, standards),
        candidate_village=_station_codes(candidates, standards),
    )


def _station_codes(sites: gpd.GeoDataFrame, standards: Standards) -> np.ndarray:
    """Village codes of sites that serve their own village (stations); None elsewhere."""
    village = codes(sites, "village_code")
    if "kind" not in sites.columns:
        return village
    own = np.array([k in standards.by_kind and standards.get(k).own_village for k in sites["kind"]])
    return np.where(own, village, None)


def _existing(arrays: _Arrays, reach: float, detour: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (covered by existing venues, effective distance to the nearest existing venue)."""
    straight, _ = core.nearest(core.build_tree(arrays.existing_xy), arrays.demand_xy, reach)
    fallback = arrays.frame.to_metres(straight) * detour
    own = core.same_code_pairs(arrays.demand_village, arrays.existing_village)
    return (straight <= reach) | (np.diff(own.indptr) > 0), fallback


def _baseline(flags: np.ndarray, n_demand: int) -> np.ndarray:
    """Return the given baseline flags as a boolean array, checked against the demand."""
    flags = np.asarray(flags, dtype=bool)
    if flags.shape != (n_demand,):
        raise AnalysisError(
            f"existing_covered should hold one flag per demand point ({n_demand}), "
            f"got shape {flags.shape}."
        )
    return flags


def _cover(arrays: _Arrays, reach: float, existing: np.ndarray) -> sparse.csr_matrix:
    """0/1 matrix of candidates covering demand: within reach, or the candidate's own village.

    Only the rows of demand NOT ``existing`` (not yet covered) are filled; the others are left
    empty. Every use of the matrix (the solvers' presolve, the added and newly covered
    weights, the reachable check) reads only those rows, so the results are the same; what
    changes is the size: 300,000 villages x 300,000 candidates within 2 km are ~63 million
    pairs (4 GB) when every village is covered already, and none are computed now.
    """
    n, m = len(arrays.demand_xy), len(arrays.candidate_xy)
    open_rows = np.flatnonzero(~np.asarray(existing, dtype=bool))
    within = core.pairs_within(arrays.demand_xy[open_rows], arrays.candidate_xy, reach)
    own = core.same_code_pairs(arrays.demand_village[open_rows], arrays.candidate_village)
    part = (within + own).tocsr()
    part.data[:] = 1.0
    counts = np.zeros(n, dtype=np.int64)
    counts[open_rows] = np.diff(part.indptr)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return sparse.csr_matrix((part.data, part.indices, indptr), shape=(n, m))


def _pmedian_pairs(
    arrays: _Arrays, fallback_m: np.ndarray, detour: float, reach_m: float | None
) -> sparse.csr_matrix:
    """Effective distances of the pairs worth assigning: closer than the existing fallback.

    Closer by more than `solvers.OBJECTIVE_RTOL` (relative): a candidate as far as the
    existing venue, up to rounding in the projection, adds nothing.
    """
    fallback_m = fallback_m * (1.0 - solvers.OBJECTIVE_RTOL)
    limit_m = fallback_m if reach_m is None else np.minimum(fallback_m, reach_m)
    straight_limit = arrays.frame.to_straight(limit_m / detour)
    pairs = core.pairs_within(arrays.demand_xy, arrays.candidate_xy, straight_limit, strict=True)
    pairs.data = arrays.frame.to_metres(pairs.data) * detour
    pairs.data = np.maximum(pairs.data, 1e-9)
    return pairs


def _result(
    model: str,
    solution: solvers.Solution,
    arrays: _Arrays,
    cover: sparse.csr_matrix,
    existing: np.ndarray,
    demand: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    started: float,
) -> SitingResult:
    chosen = solution.selected
    new = np.zeros(len(existing), dtype=bool)
    if len(chosen):
        new = np.diff(cover[:, chosen].tocsr().indptr) > 0
    final = existing | new
    reachable = np.diff(cover.indptr) > 0
    objective = solution.objective
    if model == "pmedian":
        objective = objective / max(float(arrays.weights.sum()), 1e-12)
    return SitingResult(
        model=model,
        selected=list(venue_ids(candidates)[chosen]),
        covered_population=float(arrays.weights[final].sum()),
        objective=float(objective),
        optimal=solution.optimal,
        existing_population=float(arrays.weights[existing].sum()),
        uncoverable_population=float(arrays.weights[~existing & ~reachable].sum()),
        newly_covered=list(demand.index[final & ~existing]),
        solve_time_s=solution.solve_time_s,
        total_time_s=time.perf_counter() - started,
        status=solution.status,
    )


def _number(value: float) -> float | int | None:
    if not np.isfinite(value):
        return None
    return int(round(value)) if float(value).is_integer() else round(float(value), 3)


def default_candidates(
    villages: gpd.GeoDataFrame,
    township_seats: gpd.GeoDataFrame | None,
    venues: gpd.GeoDataFrame,
    *,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
) -> gpd.GeoDataFrame:
    """Return the default candidates: villages without a station + seats without a centre.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id`` (``"cand-v-<village_code>"`` / ``"cand-t-<township_code>"``), ``name``,
        ``kind`` (the station or centre it would be), ``county_code``, ``township_code``,
        ``village_code``, geometry; CRS of ``villages``.
    """
    layers = [villages, venues] + ([township_seats] if township_seats is not None else [])
    check_same_crs(*layers)
    existing = select_venues(venues, statuses=statuses)
    stations = set(codes(existing.loc[existing["kind"].isin(STATION_KINDS)], "village_code"))
    centres = set(codes(existing.loc[existing["kind"] == "township_centre"], "township_code"))
    parts = [_village_candidates(villages, stations)]
    if township_seats is not None:
        parts.append(_seat_candidates(township_seats, centres))
    out = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=villages.crs)


def _village_candidates(villages: gpd.GeoDataFrame, stations: set) -> pd.DataFrame:
    code = codes(villages, "village_code")
    keep = np.array([c is None or c not in stations for c in code])
    sub = villages.loc[keep]
    kind = sub["kind"] if "kind" in sub.columns else pd.Series("village", index=sub.index)
    return pd.DataFrame({
        "id": ["cand-v-" + str(c) for c in code[keep]],
        "name": sub["name"].to_numpy() if "name" in sub.columns else None,
        "kind": np.where(kind.to_numpy() == "community", "community_station", "village_station"),
        "county_code": codes(sub, "county_code"),
        "township_code": codes(sub, "township_code"),
        "village_code": code[keep],
        "geometry": sub.geometry.to_numpy(),
    })  # fmt: skip


def _seat_candidates(seats: gpd.GeoDataFrame, centres: set) -> pd.DataFrame:
    code = codes(seats, "township_code")
    keep = np.array([c is None or c not in centres for c in code])
    sub = seats.loc[keep]
    return pd.DataFrame({
        "id": ["cand-t-" + str(c) for c in code[keep]],
        "name": sub["name"].to_numpy() if "name" in sub.columns else None,
        "kind": "township_centre",
        "county_code": codes(sub, "county_code"),
        "township_code": code[keep],
        "village_code": None,
        "geometry": sub.geometry.to_numpy(),
    })  # fmt: skip


def proposal_venues(result: SitingResult, candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the selected candidates as venue-register rows with status ``"planned"``.

    Each row is named after the venue it would be and the place it serves, e.g.
    ``规划村群团服务站（加吾村）`` for a village station (the village's committee name shortened
    by `geo.placenames.short_village_name`: 加吾村民委员会 -> 加吾村) and
    ``规划乡镇群团服务中心（隆务镇）`` for a township centre at a seat; ``name_en`` likewise.
    ``position`` is the candidate's own when it says ``surveyed``, else ``illustrative``: a
    village or seat point marks where the place is, not a chosen plot. The rows follow
    geo.schema.VENUE_COLUMNS in STORAGE_CRS, ready for ``store.add_venues``.
    """
    ids = venue_ids(candidates)
    chosen = candidates.loc[np.isin(ids, result.selected)]
    kind = chosen["kind"] if "kind" in chosen.columns else pd.Series("other", index=chosen.index)
    places = [short_village_name(n) for n in _texts(chosen, "name")]
    rows = pd.DataFrame({
        "id": ["planned-" + i for i in venue_ids(chosen)],
        "name": [planned_name(k, p) for k, p in zip(kind, places, strict=True)],
        "name_en": [planned_name(k, p, "en") for k, p in zip(kind, places, strict=True)],
        "kind": kind.to_numpy(),
        "level": kind.map(LEVEL_OF_KIND).fillna(4).astype(int).to_numpy(),
        "county_code": codes(chosen, "county_code"),
        "township_code": codes(chosen, "township_code"),
        "village_code": codes(chosen, "village_code"),
        "organizations": "", "services": "", "address": "",
        "status": "planned",
        "year_opened": pd.array([pd.NA] * len(chosen), dtype="Int64"),
        "position": np.where(np.array(_texts(chosen, "position"), dtype=object) == "surveyed",
                             "surveyed", "illustrative"),
        "as_of": None,  # a plan, not a record: it has no as-of date
    })  # fmt: skip
    out = gpd.GeoDataFrame(rows.reindex(columns=list(VENUE_COLUMNS)),
                           geometry=chosen.geometry.to_numpy(),
                           crs=chosen.crs)  # fmt: skip
    return out.to_crs(STORAGE_CRS) if out.crs is not None else out


def planned_name(kind: str, place: str, lang: str = "zh") -> str:
    """Return a planned venue's name: ``规划村群团服务站（加吾村）`` / ``Planned ... (加吾村)``."""
    known = kind in {term.code for term in KINDS}
    what = label(KINDS, kind, lang) if known else ("场所" if lang == "zh" else "venue")
    if lang == "zh":
        return f"规划{what}（{place}）" if place else f"规划{what}"
    return f"Planned {what.lower()} ({place})" if place else f"Planned {what.lower()}"


def _texts(gdf: gpd.GeoDataFrame, column: str) -> list[str]:
    if column not in gdf.columns:
        return [""] * len(gdf)
    return [str(v) if isinstance(v, str) else "" for v in gdf[column]]


@dataclass(frozen=True)
class ScenarioComparison:
    """Baseline vs proposal: headline figures, their difference and newly covered demand."""

    baseline: dict
    proposed: dict
    delta: dict
    newly_covered: gpd.GeoDataFrame
    no_longer_covered: gpd.GeoDataFrame


def compare_scenarios(
    baseline_venues: gpd.GeoDataFrame,
    proposed_venues: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    standards: Standards | None = None,
    **coverage_kwargs,
) -> ScenarioComparison:
    """Compare coverage of a proposal (its planned venues count as open) with the baseline.

    ``coverage_kwargs`` go to `analysis.coverage.assess_coverage` (detour, roads, kinds...).
    """
    coverage_kwargs.pop("statuses", None)
    before = assess_coverage(demand, baseline_venues, standards, **coverage_kwargs)
    after = assess_coverage(
        demand, proposed_venues, standards, statuses=("in_service", "planned"), **coverage_kwargs
    )
    population_col = coverage_kwargs.get("population_col", "population")
    base = coverage_totals(before, population_col=population_col)
    prop = coverage_totals(after, population_col=population_col)
    delta = {key: prop[key] - base[key] for key in base}
    gained = after["covered"].to_numpy() & ~before["covered"].to_numpy()
    lost = before["covered"].to_numpy() & ~after["covered"].to_numpy()
    return ScenarioComparison(base, prop, delta, after.loc[gained], after.loc[lost])
