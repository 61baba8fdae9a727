"""Cached loaders: the only place where pages get data, so every page sees the same numbers.

Reference layers and the register are read once per (store path, data version) and kept by
``st.cache_data`` (bounded by ``max_entries`` and ``ttl``); coverage is cached per (store path,
data version, service standard, detour), so moving a radius slider recomputes coverage without
reading any file again. Boundaries simplified for display are cached the same way, so the map
simplifies them once per data version, not on every run. Cached functions take only hashable
arguments and never read widgets; pages read the widgets and pass their values in.

Computations that reproject (coverage, service areas) run on a small pool of long-lived threads
(:func:`run_in_worker`): PROJ builds its transformation objects once per thread (about 50 ms
each), and Streamlit runs every script run on a new thread, so doing the work on the script's
own thread would pay that again on every radius change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis.standards import Standards, standards_from_mapping
from geo import boundaries
from geo.schema import STORAGE_CRS
from geo.store import VenueStore, is_database_url, open_store, store_location

#: Bounded caches: a handful of stores per server, a few dozen radius settings per store.
_DATA_ENTRIES = 8
_RESULT_ENTRIES = 32
_TTL_S = 3600
#: Long-lived analysis threads (the machine may have only two cores).
_WORKERS = 2
_T = TypeVar("_T")


def _shutdown(pool: ThreadPoolExecutor) -> None:
    pool.shutdown(wait=False)


@st.cache_resource(show_spinner=False, on_release=_shutdown)
def _analysis_pool() -> ThreadPoolExecutor:
    """Return the process's pool of long-lived analysis threads (shared, never mutated).

    Clearing the resource cache shuts the pool down; the next call starts a new one.
    """
    return ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="venuemap-analysis")


def run_in_worker(func: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Return ``func(*args, **kwargs)`` computed on a long-lived analysis thread.

    The result (or the exception) is the same as a direct call; only the thread differs, so
    that PROJ's per-thread transformers are built once per process instead of once per run.
    ``func`` must not call Streamlit.
    """
    return _analysis_pool().submit(func, *args, **kwargs).result()


@dataclass(frozen=True)
class StoreStatus:
    """Which store is open and which version of its contents the caches should key on.

    Attributes
    ----------
    path
        The store file (it may not exist yet: then the bundled demo register is shown), or
        the ``postgresql://`` URL of a shared database.
    exists
        Whether the file exists (the schema, for a database).
    version
        A token that changes whenever the store changes (file and WAL size and time; for a
        database, its newest change).
    modified
        Date of the last change of the store, or None when there is no store yet.
    """

    path: str
    exists: bool
    version: str
    modified: dt.date | None

    @property
    def shown(self) -> str:
        """The store as shown on screen (a database URL without its password)."""
        from geo.store import display_location

        return display_location(self.path)


def store_path() -> str:
    """Return the user's store: ``$VENUEMAP_DATABASE_URL``, ``$VENUEMAP_STORE`` or the default."""
    return store_location(None)


def store_status() -> StoreStatus:
    """Return the open store and its version token (a cheap ``stat``, never cached)."""
    path = store_path()
    if is_database_url(path):
        version = open_store(path).data_version()
        today = dt.datetime.now(dt.UTC).date()
        return StoreStatus(path=path, exists=version != "none", version=version, modified=today)
    try:
        info = Path(path).stat()
    except OSError:
        return StoreStatus(path=path, exists=False, version="none", modified=None)
    version = open_store(path).data_version()
    modified = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC).date()
    return StoreStatus(path=path, exists=True, version=version, modified=modified)


def open_user_store(path: str) -> VenueStore:
    """Return the store object for ``path`` (opened fresh: it is mutable, so never cached)."""
    return open_store(path)


@st.cache_data(max_entries=len(boundaries.LAYER_NAMES), ttl=None, show_spinner=False)
def reference_layer(name: str) -> gpd.GeoDataFrame:
    """Return a bundled reference layer (read once per process)."""
    return boundaries.load_layer(name)


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def venues(path: str, version: str) -> gpd.GeoDataFrame:
    """Return the register: the user's venues if the store holds any, else the demo register.

    ``version`` is not used in the body; it is part of the cache key so that a write to the
    store (new size or time) makes the next call read it again.
    """
    from geo.register import load_venues

    gdf = load_venues(store_path=path)
    if gdf.crs is None:
        gdf = gdf.set_crs(STORAGE_CRS)
    elif gdf.crs != STORAGE_CRS:
        gdf = gdf.to_crs(STORAGE_CRS)
    return gdf.reset_index(drop=True)


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def area_layer(path: str, version: str, name: str) -> gpd.GeoDataFrame:
    """Return reference layer ``name``; the user's own ('villages', 'townships') if stored.

    A user's official file replaces the bundled (approximate or illustrative) one.
    """
    if version == "none":
        return reference_layer(name)
    from geo.register import load_reference

    return load_reference(name, store_path=path)


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def illustrative_flags(path: str, version: str) -> tuple[bool, bool]:
    """Return (venues illustrative?, villages illustrative?) for the chrome's badge."""
    register = venues(path, version)
    villages = area_layer(path, version, "villages")
    venue_flag = bool((register.get("position", pd.Series(dtype=object)) == "illustrative").any())
    village_flag = bool(
        (villages.get("position", pd.Series(dtype=object)) == "illustrative").any()
        or (villages.get("population_source", pd.Series(dtype=object)) == "illustrative").any()
    )
    return venue_flag, village_flag


def standards_for(radii_km: tuple[float, float, float], detour: float) -> Standards:
    """Return analysis Standards with the county, township and village radii (km) and detour.

    The prefecture centre keeps its whole-prefecture scope and enterprise homes their
    own-workers scope; stations keep the own-village rule.
    """
    county_km, township_km, village_km = radii_km
    station = {"level": 4, "radius_km": village_km, "own_village": True}
    return standards_from_mapping(
        {
            "detour": detour,
            "kinds": {
                "county_centre": {"level": 2, "radius_km": county_km},
                "township_centre": {"level": 3, "radius_km": township_km},
                "village_station": station,
                "community_station": station,
                "other": {"level": 4, "radius_km": village_km},
            },
        }
    )


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def coverage(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> gpd.GeoDataFrame:
    """Return every village with its nearest venue per level and covered flags.

    Cached per (store, data version, radii, detour): a new radius recomputes only this, the
    register and villages come from their own caches.
    """
    from analysis.coverage import assess_coverage

    return run_in_worker(
        assess_coverage,
        area_layer(path, version, "villages"),
        venues(path, version),
        standards_for(radii_km, detour),
        detour=detour,
    )


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def coverage_areas(
    path: str,
    version: str,
    radii_km: tuple[float, float, float],
    detour: float,
    rows: tuple[int, ...],
) -> gpd.GeoDataFrame:
    """Return the areas that the register rows ``rows`` serve, merged per level, for the map.

    ``rows`` are index labels of :func:`venues` (the venues shown after filtering), so the
    cache key names exactly the venues drawn; the areas follow the analysis's own standard
    (``analysis.areas.service_areas``). Another radius or filter recomputes only this.
    """
    from analysis.areas import service_areas
    from geo.layers.coverage import merge_service_areas

    shown = venues(path, version).loc[list(rows)]
    areas = run_in_worker(service_areas, shown, standards_for(radii_km, detour), detour=detour)
    return merge_service_areas(areas)


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def display_boundaries(
    path: str, version: str, name: str, tolerance_deg: float
) -> gpd.GeoDataFrame:
    """Return boundary layer ``name`` ('counties' or 'townships') simplified for display.

    Counties are always the bundled (real) ones; townships are the user's own if stored (as
    :func:`area_layer`). Simplified once per data version and tolerance, never per run.
    """
    from geo.layers.shapes import simplify_for_display

    gdf = reference_layer(name) if name == "counties" else area_layer(path, version, name)
    return simplify_for_display(gdf, tolerance_deg)


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def coverage_summary(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float, by: str
) -> pd.DataFrame:
    """Return coverage rolled up per ``by`` ('county_code' or 'township_code'), with a total row."""
    from analysis.coverage import summarise_coverage

    return summarise_coverage(coverage(path, version, radii_km, detour), by=by)


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def coverage_totals(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> dict:
    """Return the headline figures: demand, covered, population, population_covered."""
    from analysis.coverage import coverage_totals as totals

    return totals(coverage(path, version, radii_km, detour))


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def gap_list(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> gpd.GeoDataFrame:
    """Return the uncovered villages, most people first, then the farthest from any venue."""
    from analysis.gaps import uncovered_demand

    return uncovered_demand(coverage(path, version, radii_km, detour))


@dataclass(frozen=True)
class Scenario:
    """One siting run and its comparison with the baseline, ready for the page.

    Attributes
    ----------
    result
        The analysis.siting.SitingResult.
    proposal
        The chosen sites as planned venue rows (ready for the store).
    baseline, proposed, delta
        Headline coverage figures before, after and their difference.
    before
        Per-village coverage today (for the baseline map).
    newly_covered
        The villages the proposal newly covers.
    """

    result: object
    proposal: gpd.GeoDataFrame
    baseline: dict
    proposed: dict
    delta: dict
    before: gpd.GeoDataFrame
    newly_covered: gpd.GeoDataFrame


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def candidates(path: str, version: str) -> gpd.GeoDataFrame:
    """Return the default siting candidates: villages without a station, seats without a centre."""
    from analysis.siting import default_candidates

    return default_candidates(
        area_layer(path, version, "villages"),
        reference_layer("township_seats"),
        venues(path, version),
    )


@st.cache_data(max_entries=16, ttl=_TTL_S, show_spinner=False)
def scenario(
    path: str, version: str, model: str, n_new: int, radius_km: float, detour: float
) -> Scenario:
    """Run one siting model with every venue fixed, then compare the proposal with today.

    One uniform service radius applies to the baseline and to the proposal (as the CLI's
    ``--radius-km``), so the figures compare like with like.
    """
    from analysis.coverage import assess_coverage
    from analysis.siting import compare_scenarios, proposal_venues, site
    from analysis.standards import uniform_standards

    villages = area_layer(path, version, "villages")
    register = venues(path, version)
    sites = candidates(path, version)
    result = site(
        villages,
        register,
        sites,
        model=model,
        n_new=n_new,
        radius_m=radius_km * 1000.0,
        detour=detour,
    )
    proposal = proposal_venues(result, sites)
    standards = uniform_standards(radius_km, base=standards_for((radius_km,) * 3, detour))
    combined = gpd.GeoDataFrame(pd.concat([register, proposal], ignore_index=True), crs=STORAGE_CRS)
    comparison = compare_scenarios(register, combined, villages, standards, detour=detour)
    before = assess_coverage(villages, register, standards, detour=detour)
    return Scenario(
        result,
        proposal,
        comparison.baseline,
        comparison.proposed,
        comparison.delta,
        before,
        comparison.newly_covered,
    )


def save_planned(status: StoreStatus, proposal: gpd.GeoDataFrame) -> int:
    """Append ``proposal`` (planned venues) to the register shown and write it to the store.

    The register shown may be the bundled demo (when the user's store has no venues yet): the
    demo venues are then written too, so that saving a plan never makes the network vanish.
    Only new venues are added (one transaction, recorded as a ``proposal`` change), so venues
    others saved meanwhile are kept. Returns the number of venues written.
    """
    register = venues(status.path, status.version)
    planned = proposal.loc[~proposal["id"].isin(register["id"])]
    store = open_user_store(status.path)
    rows = planned
    if not len(store.venues()):  # the demo register is shown: store it with the plan
        rows = gpd.GeoDataFrame(pd.concat([register, planned], ignore_index=True), crs=STORAGE_CRS)
    store.add_venues(rows, kind="proposal")
    return len(planned)


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def network_counts(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> dict[str, int]:
    """Return the four-level check counts (analysis.network.check_network) plus ``venues``."""
    from analysis.network import check_network

    register = venues(path, version)
    report = check_network(
        register,
        area_layer(path, version, "villages"),
        townships=area_layer(path, version, "townships"),
        counties=reference_layer("counties"),
        standards=standards_for(radii_km, detour),
        detour=detour,
    )
    return {**report.counts, "venues": len(register)}


def network_checks(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> pd.DataFrame:
    """Return the four-level checks as rows of (check, passed, total)."""
    c = network_counts(path, version, radii_km, detour)
    rows = [
        ("townships_with_centre", c["townships_with_centre"], c["townships"]),
        ("villages_with_station", c["villages_with_station"], c["villages"]),
        (
            "stations_near_township",
            c["stations"] - c["stations_beyond_township_standard"],
            c["stations"],
        ),
        (
            "centres_near_county",
            c["township_centres"] - c["centres_beyond_county_standard"],
            c["township_centres"],
        ),
        (
            "stations_other_township",
            c["stations"] - c["stations_nearest_centre_in_other_township"],
            c["stations"],
        ),
        ("orphans", c["venues"] - c["orphans"], c["venues"]),
    ]
    return pd.DataFrame(rows, columns=["check", "passed", "total"])


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def user_venues(path: str, version: str) -> gpd.GeoDataFrame:
    """Return only the venues held in the user's store (an empty register when none)."""
    return open_user_store(path).venues()


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def download_layer(
    path: str, version: str, name: str, radii_km: tuple[float, float, float], detour: float
) -> gpd.GeoDataFrame:
    """Return a layer or result to download: venues, counties, townships, villages, coverage, gaps.

    Coverage and gaps are computed at the service standard on screen.
    """
    if name == "venues":
        return venues(path, version)
    if name == "coverage":
        return coverage(path, version, radii_km, detour)
    if name == "gaps":
        return gap_list(path, version, radii_km, detour)
    return area_layer(path, version, name)


def export_bytes(gdf: gpd.GeoDataFrame, fmt: str, layer: str) -> bytes:
    """Return ``gdf`` as a GeoJSON, GeoPackage or CSV file (geo.export rules), as bytes."""
    from geo.export import to_bytes

    return to_bytes(gdf, fmt, layer)
