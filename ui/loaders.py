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

import os
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import boundaries
from geo.regions import REGION_ENV, Region, active_region
from geo.schema import STORAGE_CRS
from geo.store import is_database_url, open_store, store_location
from geo.store.location import file_store_version
from geo.users import open_users
from ui.login import session_identity
from venuemap import usecases
from venuemap.auth import GuardedStore
from venuemap.usecases import Inputs, SiteOutcome, Standards

#: Bounded caches: a handful of stores per server, a few dozen radius settings per store.
_DATA_ENTRIES = 8
_RESULT_ENTRIES = 32
_TTL_S = 3600
#: Long-lived analysis threads (the machine may have only two cores).
_WORKERS = 2
_T = TypeVar("_T")


def _tuple_key(value: tuple) -> bytes:
    """Return the pickle of a tuple of numbers, the cache key of a ``rows`` argument.

    Streamlit hashes a tuple item by item in Python: 0.6 s for the 100,000 row labels of a
    large register, on every page run. The pickle is the same exact key, in C.
    """
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


#: ``hash_funcs`` of the cached functions taking the rows shown (one key per selection).
_ROWS_HASH = {tuple: _tuple_key}


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
        database, its newest change). It keys the caches only: the date the data describe is
        :func:`data_labels`, never the store's.
    """

    path: str
    exists: bool
    version: str

    @property
    def shown(self) -> str:
        """The store as shown on screen (a database URL without its password)."""
        from geo.store import display_location

        return display_location(self.path)


def store_path() -> str:
    """Return the user's store: ``$VENUEMAP_DATABASE_URL``, ``$VENUEMAP_STORE`` or the default."""
    return store_location(None)


#: This script run's store status (:func:`begin_run`): read once per run, not once per call.
_run = threading.local()


def begin_run() -> None:
    """Start a script run: the next :func:`store_status` reads the store's version afresh.

    app.py calls it first in every run (``st.rerun`` included). Within the run the status is
    read once: a shared PostGIS store answered each call with a new connection and query, five
    or more per run, most of a loaded server's work. A write in the run through
    :func:`open_user_store` forgets it again.
    """
    _run.status = None


def store_status() -> StoreStatus:
    """Return the open store and its version token (read once per script run, see begin_run).

    Outside a script run (the start-up warm-up, tests) it is read on every call.
    """
    status = getattr(_run, "status", None)
    if status is None or status.path != store_path():
        status = _read_status()
        if hasattr(_run, "status"):
            _run.status = status
    return status


def _read_status() -> StoreStatus:
    """Return the open store and its version token (a cheap ``stat`` or one query)."""
    path = store_path()
    if is_database_url(path):
        version = open_store(path).data_version()
        return StoreStatus(path=path, exists=version != "none", version=version)
    version = file_store_version(path)  # what GeoPackageStore.data_version reads, or none
    return StoreStatus(path=path, exists=version != "none", version=version)


def open_user_store(path: str) -> GuardedStore:
    """Return the store object for ``path`` (opened fresh: it is mutable, so never cached).

    Its writes check the signed-in user's role on the server (venuemap.auth.GuardedStore).
    The run's store status is forgotten: a write changes the version.
    """
    begin_run()
    return GuardedStore(open_store(path), open_users(path), session_identity)


def region() -> Region:
    """Return the active region (``VENUEMAP_REGION``, else the store's, else the default)."""
    status = store_status()
    return _region(status.path, status.version, os.environ.get(REGION_ENV, ""))


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def _region(path: str, version: str, env_region: str) -> Region:
    """Return the active region of store ``path`` (``version``/``env_region`` key the cache)."""
    return active_region(path)


def reference_layer(name: str) -> gpd.GeoDataFrame:
    """Return a reference layer of the active region (read once per process and region)."""
    return _region_layer(name, region())


def area_names(lang: str) -> tuple[dict[str, str], tuple[tuple[str, str, str], ...]]:
    """Return the area filters' choices: county code -> name, (township, name, county) rows.

    Names in ``lang``, of the active region. Plain values, cached per region and language:
    a page run that only needs the names does not unpickle two GeoDataFrames
    (``st.cache_data`` returns a copy on every call).
    """
    return _area_names(region(), lang)


@st.cache_data(max_entries=16, ttl=None, show_spinner=False)
def _area_names(
    active: Region, lang: str
) -> tuple[dict[str, str], tuple[tuple[str, str, str], ...]]:
    counties = _region_layer("counties", active)
    townships = _region_layer("townships", active)
    name_col = "name" if lang == "zh" else "name_en"
    county_names = dict(zip(counties["county_code"], counties[name_col], strict=True))
    towns = tuple(zip(townships["township_code"], townships["name"], townships["county_code"],
                      strict=True))  # fmt: skip
    return county_names, towns


@st.cache_data(max_entries=4 * len(boundaries.LAYER_NAMES), ttl=None, show_spinner=False)
def _region_layer(name: str, active: Region) -> gpd.GeoDataFrame:
    """Return layer ``name`` of region ``active`` (villages: stand-in demand when it has none)."""
    from geo.register import region_reference

    return region_reference(active, name)


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


def demand_basis(path: str, version: str) -> str:
    """Return where demand comes from: ``villages``, ``township_seats`` or ``h3_grid``."""
    villages = area_layer(path, version, "villages")
    if "demand_basis" not in villages or villages.empty:
        return "villages"
    return str(villages["demand_basis"].iloc[0])


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def data_labels(path: str, version: str) -> tuple[list[str], usecases.AsOf]:
    """Return (what is illustrative, the venues' as-of dates): properties of the data.

    The same use cases (`venuemap.usecases.illustrative`, `as_of`) label ``coverage --json``,
    so the sidebar, the Overview, the report and the CLI say the same thing.
    """
    register = venues(path, version)
    villages = area_layer(path, version, "villages")
    return usecases.illustrative(register, villages), usecases.as_of(register)


def illustrative_flags(path: str, version: str) -> tuple[bool, bool]:
    """Return (venues illustrative?, villages illustrative?) for the chrome's badge."""
    codes = data_labels(path, version)[0]
    return "venue_positions" in codes, any(code.startswith("village_") for code in codes)


def standards_for(radii_km: tuple[float, float, float], detour: float) -> Standards:
    """Return the standard of the sidebar: the default with these three radii (km) and detour.

    Built by the use-case layer (`venuemap.usecases.standard_from_radii`) from
    data/standards.toml, the same default the CLI reads.
    """
    return usecases.standard_from_radii(*radii_km, detour)


def inputs(path: str, version: str) -> Inputs:
    """Return the use cases' inputs: the cached register, villages and reference layers."""
    townships, seats = area_layer(path, version, "townships"), reference_layer("township_seats")
    return Inputs(
        venues=venues(path, version),
        demand=area_layer(path, version, "villages"),
        townships=None if townships.empty else townships,  # a region pack without townships
        counties=reference_layer("counties"),
        township_seats=None if seats.empty else seats,
        store_path=path,
        region=region(),
        demand_basis=demand_basis(path, version),
    )


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def coverage(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> gpd.GeoDataFrame:
    """Return every village with its nearest venue per level and covered flags.

    Cached per (store, data version, radii, detour): a new radius recomputes only this, the
    register and villages come from their own caches.
    """
    return run_in_worker(
        usecases.coverage_table, inputs(path, version), standards_for(radii_km, detour)
    )


@st.cache_data(
    max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False, hash_funcs=_ROWS_HASH
)
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
    (``analysis.areas.service_areas``). Above the marker limit the circles are replaced by
    ``analysis.areas.service_area_cells`` (an H3 cover, outline within about one cell edge),
    as merging 100,000 circles took 110 s. Another radius or filter recomputes only this.
    """
    from geo.layers.coverage import merge_service_areas

    shown = venues(path, version).loc[list(rows)]
    standard = standards_for(radii_km, detour)
    if usecases.use_cells(len(shown)):  # above the marker limit: an H3 cell cover per level
        return run_in_worker(usecases.service_area_cells, shown, standard).to_crs(STORAGE_CRS)
    areas = run_in_worker(usecases.service_areas, shown, standard)
    return merge_service_areas(areas)


@st.cache_data(
    max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False, hash_funcs=_ROWS_HASH
)
def venue_cells(path: str, version: str, rows: tuple[int, ...]) -> gpd.GeoDataFrame:
    """Return the venue counts per hexagon of the register rows ``rows`` (a large register)."""
    from analysis.aggregate import venue_cell_levels as count_cells

    return count_cells(venues(path, version).loc[list(rows)])


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
    return usecases.summarise(coverage(path, version, radii_km, detour), by)


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def coverage_totals(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> dict:
    """Return the headline figures: demand, covered, population, population_covered.

    The one baseline: the Overview shows it, and the Gaps page's scenario starts from it
    (`venuemap.usecases.site` computes its baseline with the same `coverage_totals`).
    """
    return usecases.coverage_totals(coverage(path, version, radii_km, detour))


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def equity(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> tuple[dict, dict, pd.DataFrame]:
    """Return equity of coverage, equity of 2SFCA access, and both Lorenz curves (issue 10).

    The Lorenz table has ``population_share``, ``value_share`` and ``measure`` (coverage /
    access); access uses each kind's standard as catchment and capacities per
    ``analysis.capacity`` (kind defaults where the register has none).
    """
    from venuemap.usecases.access import access, coverage_equity, lorenz_table

    table = coverage(path, version, radii_km, detour)
    outcome = run_in_worker(access, venues(path, version), area_layer(path, version, "villages"),
                            standards_for(radii_km, detour), detour=detour)  # fmt: skip
    curves = pd.concat([
        lorenz_table(table.assign(_c=table["covered"].astype(float)), "_c").assign(
            measure="coverage"),
        lorenz_table(outcome.result.demand, "access").assign(measure="access"),
    ], ignore_index=True)  # fmt: skip
    return coverage_equity(table), outcome.to_json()["equity"], curves


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def access_points(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> gpd.GeoDataFrame:
    """Return the villages with their 2SFCA access (each kind's standard as catchment)."""
    from venuemap.usecases.access import access, access_layer

    outcome = run_in_worker(access, venues(path, version), area_layer(path, version, "villages"),
                            standards_for(radii_km, detour), detour=detour)  # fmt: skip
    return access_layer(outcome)


@st.cache_data(
    max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False, hash_funcs=_ROWS_HASH
)
def service_rings(path: str, version: str, detour: float, rows: tuple[int, ...]
                  ) -> gpd.GeoDataFrame:  # fmt: skip
    """Return the 5/10/15-minute driving rings of the register rows ``rows`` (as shown)."""
    from venuemap.usecases.access import rings

    shown = venues(path, version).loc[list(rows)]
    return run_in_worker(rings, shown, standards_for((40.0, 15.0, 2.0), detour), detour=detour)


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def gap_list(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> gpd.GeoDataFrame:
    """Return the uncovered villages, most people first, then the farthest from any venue."""
    return usecases.uncovered(coverage(path, version, radii_km, detour))


#: One siting run compared with the baseline (`venuemap.usecases.SiteOutcome`).
Scenario = SiteOutcome


@st.cache_data(max_entries=_DATA_ENTRIES, ttl=_TTL_S, show_spinner=False)
def candidates(path: str, version: str) -> gpd.GeoDataFrame:
    """Return the default siting candidates: villages without a station, seats without a centre."""
    return usecases.candidates_for(inputs(path, version))


@st.cache_data(max_entries=16, ttl=_TTL_S, show_spinner=False)
def scenario(
    path: str,
    version: str,
    model: str,
    n_new: int,
    radius_km: float,
    radii_km: tuple[float, float, float],
    detour: float,
) -> SiteOutcome:
    """Run one siting model from the baseline of the sidebar's standard (`usecases.site`).

    Existing venues cover by their own level's radius (``radii_km``), exactly as on the
    Overview; ``radius_km`` is the service radius of the NEW sites only.
    """
    return usecases.site(
        inputs(path, version), standards_for(radii_km, detour), model=model, n_new=n_new,
        new_radius_km=radius_km, candidates=candidates(path, version),
    )  # fmt: skip


def save_planned(status: StoreStatus, proposal: gpd.GeoDataFrame) -> int:
    """Save ``proposal`` as planned venues (`venuemap.usecases.save_proposal`, as the CLI)."""
    return usecases.save_proposal(open_user_store(status.path), proposal)


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def network_counts(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> dict[str, int]:
    """Return the four-level check counts (analysis.network.check_network) plus ``venues``."""
    counts = usecases.network_counts(inputs(path, version), standards_for(radii_km, detour))
    return {**counts, "venues": len(venues(path, version))}


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
    if name in ("coverage", "gaps"):  # the same layers as `venuemap export`
        return usecases.result_layer(coverage(path, version, radii_km, detour), name)
    return area_layer(path, version, name)


def export_bytes(gdf: gpd.GeoDataFrame, fmt: str, layer: str) -> bytes:
    """Return ``gdf`` as a GeoJSON, GeoPackage or CSV file (geo.export rules), as bytes."""
    from geo.export import to_bytes

    return to_bytes(gdf, fmt, layer)


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def vitality(path: str, version: str, months: int) -> tuple[Any, pd.DataFrame]:
    """Return (the vitality result, the activities) of the register (issue 10, 阵地效能)."""
    import dataclasses

    from venuemap.usecases import vitality as uc

    demo = len(open_store(path).venues()) == 0  # the register shown is the bundled demo
    base = dataclasses.replace(inputs(path, version), demo_venues=bool(demo))
    activities, _ = uc.load_activities(path, bool(demo), base.venues["id"])
    return uc.vitality_table(base, months=months), activities


@st.cache_data(max_entries=_RESULT_ENTRIES, ttl=_TTL_S, show_spinner=False)
def organization_coverage(
    path: str, version: str, radii_km: tuple[float, float, float], detour: float
) -> pd.DataFrame:
    """Return the eight organizations' coverage (venues hosting each), cached per standard."""
    from venuemap.usecases.vitality import organization_coverage as org_coverage

    return run_in_worker(org_coverage, inputs(path, version), standards_for(radii_km, detour))
