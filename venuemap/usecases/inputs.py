"""The data a use case works on: venues, demand and reference layers, from the store or files.

Files are read here (GeoJSON, GeoPackage, Shapefile, or CSV with lon/lat columns, whose
header names are the importer's own aliases, geo.importer.headers); the analysis does no I/O.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.roads import DEFAULT_CONNECT_M, DEFAULT_SNAP_M
from geo.errors import InputError

__all__ = ["DEFAULT_CONNECT_M", "DEFAULT_SNAP_M", "Inputs", "load_inputs", "read_layer_file"]


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
        Road ends within this many metres join (`analysis.roads`).
    store_path
        The store the data came from (None for the default store).
    """

    venues: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame | None = None
    counties: gpd.GeoDataFrame | None = None
    township_seats: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    store_path: str | None = None
    snap_m: float = DEFAULT_SNAP_M


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
        Road ends within this many metres join.
    """
    from geo.register import load_reference, load_venues

    register = read_layer_file(venues, "venues") if venues else load_venues(store)
    points = read_layer_file(demand, "demand") if demand else load_reference("villages", store)
    own_demand = bool(demand)
    return Inputs(
        venues=register,
        demand=same_crs(points, register),
        townships=None if own_demand else load_reference("townships", store),
        counties=None if own_demand else same_crs(load_reference("counties", store), register),
        township_seats=same_crs(load_reference("township_seats", store), points),
        roads=read_layer_file(roads, "roads") if roads else None,
        store_path=store,
        snap_m=snap_m,
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
