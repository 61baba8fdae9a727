"""The data a use case works on: venues, demand and reference layers, from the store or files.

Files are read here (GeoJSON, GeoPackage, Shapefile, or CSV with lon/lat columns, whose
header names are the importer's own aliases, geo.importer.headers); the analysis does no I/O.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from analysis.roads import DEFAULT_SNAP_M
from geo.errors import InputError


@dataclass(frozen=True)
class Inputs:
    """Everything one coverage, gaps or siting question is asked of.

    Attributes
    ----------
    venues
        The register (the user's store, else the bundled demo; or a ``--venues`` file).
    demand
        Demand points with ``population`` (the villages layer, or a ``--demand`` file).
    townships, counties
        Reference areas for the four-level checks; None when the demand is the user's own file.
    township_seats
        Township seat points (default siting candidates); None if unknown.
    roads
        Road lines for network distances, or None (straight line x detour).
    snap_m
        Road ends closer than this join (``analysis.roads``); only used with ``roads``.
    store_path
        The store the data came from (None for the default store).
    region
        The active region (``geo.regions.Region``).
    demand_basis
        Where the demand comes from: ``"villages"``, ``"file"`` or an illustrative stand-in
        (``"h3_grid"``, ``"township_seats"``: ``geo.demand``).
    demo_venues
        True when the venues are the region's bundled demo register (the store holds none).
    """

    venues: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame | None = None
    counties: gpd.GeoDataFrame | None = None
    township_seats: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    snap_m: float = DEFAULT_SNAP_M
    store_path: str | None = None
    region: Any = None
    demand_basis: str = "villages"
    demo_venues: bool = False


def load_inputs(
    store: str | None = None,
    *,
    venues: str | None = None,
    demand: str | None = None,
    roads: str | None = None,
    snap_m: float = DEFAULT_SNAP_M,
) -> Inputs:
    """Return the inputs: the store's layers, with any file given replacing its layer.

    Parameters
    ----------
    store
        The user's store (.gpkg); None for ``$VENUEMAP_STORE`` or the user path.
    venues, demand, roads
        Paths of files replacing the register, the villages, or adding roads.
    snap_m
        Snapping tolerance of road ends, metres.
    """
    from geo.register import load_reference
    from venuemap.usecases.region import active_region, venues_for

    found = None if venues else venues_for(store)
    register = read_layer_file(venues, "venues") if venues else found.venues
    points = read_layer_file(demand, "demand") if demand else load_reference("villages", store)
    own_demand = bool(demand)

    def area(name: str) -> gpd.GeoDataFrame | None:
        layer = load_reference(name, store)
        return None if layer.empty else same_crs(layer, register)

    basis = "file" if own_demand else "villages"
    if not own_demand and "demand_basis" in points and len(points):
        basis = str(points["demand_basis"].iloc[0])
    return Inputs(
        venues=register,
        demand=same_crs(points, register),
        townships=None if own_demand else area("townships"),
        counties=None if own_demand else area("counties"),
        township_seats=area("township_seats"),
        roads=read_layer_file(roads, "roads") if roads else None,
        snap_m=snap_m,
        store_path=store,
        region=active_region(store),
        demand_basis=basis,
        demo_venues=bool(found and found.demo),
    )


def read_layer_file(path_text: str, what: str) -> gpd.GeoDataFrame:
    """Read a GeoJSON/GPKG/Shapefile (pyogrio) or a CSV with lon/lat columns, in EPSG:4326."""
    from geo.boundaries import normalise_codes

    path = Path(path_text)
    if not path.exists():
        raise InputError(f"--{what} file {path} not found; check the path")
    if path.suffix.lower() in (".csv", ".txt"):
        gdf = _read_csv_points(path, what)
    else:
        try:
            gdf = gpd.read_file(path, engine="pyogrio")
        except Exception as error:  # noqa: BLE001 - any driver error becomes one line
            raise InputError(f"cannot read --{what} file {path}: {error}") from None
    if gdf.crs is None:
        raise InputError(f"--{what} file {path} has no CRS; save it with one (e.g. EPSG:4326)")
    return normalise_codes(gdf.to_crs("EPSG:4326"))


def _read_csv_points(path: Path, what: str) -> gpd.GeoDataFrame:
    """Read a point CSV (UTF-8 or GBK, comma/tab/semicolon); lon/lat headers as on import."""
    from geo.importer.headers import HEADER_ALIASES, map_headers
    from geo.importer.readers import decode_text, sniff_delimiter

    text, _ = decode_text(path, path.read_bytes())
    frame = pd.read_csv(io.StringIO(text), dtype=str, sep=sniff_delimiter(text))
    columns = map_headers(list(frame.columns))
    lon, lat = columns.get("lon"), columns.get("lat")
    if lon is None or lat is None:
        raise InputError(
            f"--{what} CSV {path} needs longitude/latitude columns (one of "
            f"{HEADER_ALIASES['lon']} and one of {HEADER_ALIASES['lat']}); "
            f"found {list(frame.columns)}"
        )
    for column in ("population", "level", "year_opened"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    points = gpd.points_from_xy(pd.to_numeric(frame[lon]), pd.to_numeric(frame[lat]))
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def same_crs(gdf: gpd.GeoDataFrame, like: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the CRS of ``like`` (unchanged when either has none)."""
    if gdf.crs is not None and like.crs is not None and gdf.crs != like.crs:
        return gdf.to_crs(like.crs)
    return gdf
