"""Regions as data: every prefecture-level division of China, reached by code through one registry.

A region pack is what the app needs to frame, check and measure one admin unit: its outline,
its counties (codes, names, 2020 census population where bundled), the metric CRS (the CGCS2000
3-degree Gauss-Krüger zone of its centroid), bounds, centre and title. The national index
``data/regions/index.csv`` and the county files ``data/regions/counties/NN.geojson`` are built by
``python -m geo.region_build``; a region with richer bundled data has a ``data/regions/CODE.toml``
(Huangnan's names the layers in ``data/boundaries`` that replace the national ones, its old
county codes and spelling variants, and marks it as the default region).

Which region is active: ``VENUEMAP_REGION`` if set, else the one the store remembers
(:func:`get_region` / :func:`set_region`, one small layer ``region`` in the store), else the
default region.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import pandas as pd
import shapely

from geo.boundaries import DATA_DIR, load_layer, normalise_codes
from geo.errors import InputError

REGIONS_DIR = DATA_DIR / "regions"
REGION_ENV = "VENUEMAP_REGION"
#: The store layer that remembers the store's region (one row: code, name).
REGION_LAYER = "region"
#: The national county polygons are simplified by ~400 m; border points within this distance
#: of the simplified outline are taken as inside.
SIMPLIFIED_EDGE_M = 1000.0
EQUAL_AREA_CRS = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +ellps=GRS80 +units=m"


@dataclass(frozen=True)
class Region:
    """One region pack's facts (hashable, so it can key caches).

    Attributes
    ----------
    code
        The 6-digit division code (``'632200'``).
    name, short_name, name_en
        Official Chinese name, a short form for titles, and an English name ('' when unknown).
    province
        Chinese name of the province the region belongs to.
    level
        ``'prefecture'`` (地级 divisions, municipalities) or ``'county_city'`` (县级 governed
        directly by a province).
    metric_crs
        The CGCS2000 Gauss-Krüger zone distances are measured in (``'EPSG:4542'``).
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` in WGS84.
    centre
        ``(lat, lon)`` of the centroid, where an empty map is centred.
    layers
        Reference layers the pack holds (``prefecture``, ``counties``, ``population``, and for
        a rich pack ``townships``, ``township_seats``, ``villages``, ``venues_demo``).
    bundled_layers
        Layers read from ``data/`` (``geo.boundaries``) rather than the national files.
    default
        True for the region used when nothing names one.
    old_county_codes, township_variants
        ``(old, new)`` pairs accepted on import (old codes; township spelling variants).
    edge_tolerance_m
        How far outside the outline a point still counts as inside: 0 for a full-detail
        outline, :data:`SIMPLIFIED_EDGE_M` for the simplified national county polygons.
    """

    code: str
    name: str
    short_name: str
    name_en: str
    province: str
    level: str
    metric_crs: str
    bounds: tuple[float, float, float, float]
    centre: tuple[float, float]
    layers: tuple[str, ...]
    bundled_layers: tuple[str, ...] = ()
    default: bool = False
    title_zh: str = ""
    title_en: str = ""
    old_county_codes: tuple[tuple[str, str], ...] = ()
    township_variants: tuple[tuple[str, str], ...] = ()
    edge_tolerance_m: float = 0.0

    def label(self, lang: str = "zh") -> str:
        """Return the name to show (``'黄南州'``), or the English name when asked and known."""
        return self.name_en if lang == "en" and self.name_en else self.short_name

    def title(self, lang: str = "zh") -> str:
        """Return the dashboard title in ``lang``."""
        return self.title_en if lang == "en" else self.title_zh

    def has_layer(self, name: str) -> bool:
        """Return True when the pack holds reference layer ``name``."""
        return name in self.layers

    @property
    def has_demo(self) -> bool:
        """True when the pack bundles a demo venue register (only the default region does)."""
        return "venues_demo" in self.layers

    def messages_name(self) -> tuple[str, str]:
        """Return ``(zh, en)`` names for error messages (``'海北藏族自治州 632200'``)."""
        en = self.name_en or self.name
        kind = " prefecture" if self.level == "prefecture" else ""
        return f"{self.name} {self.code}", f"{en}{kind} ({self.code})"


@lru_cache(maxsize=1)
def _index() -> pd.DataFrame:
    path = REGIONS_DIR / "index.csv"
    if not path.exists():
        raise InputError(f"{path} is missing; rebuild it with `python -m geo.region_build`")
    return pd.read_csv(path, dtype=str).set_index("code", drop=False)


@lru_cache(maxsize=64)
def _pack(code: str) -> dict:
    path = REGIONS_DIR / f"{code}.toml"
    if not path.exists():
        return {}
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _region_from_row(row: pd.Series) -> Region:
    pack = _pack(row["code"])
    name = pack.get("name", row["name"])
    short = pack.get("short_name", name)
    name_en = pack.get("name_en", "")
    bundled = tuple(pack.get("bundled_layers", ()))
    layers = tuple(dict.fromkeys([*row["layers"].split(";"), *bundled]))
    return Region(
        code=row["code"],
        name=name,
        short_name=short,
        name_en=name_en,
        province=row["province"],
        level=row["level"],
        metric_crs=pack.get("metric_crs", row["metric_crs"]),
        bounds=tuple(float(row[k]) for k in ("lon_min", "lat_min", "lon_max", "lat_max")),
        centre=(float(row["centre_lat"]), float(row["centre_lon"])),
        layers=layers,
        bundled_layers=bundled,
        default=bool(pack.get("default", False)),
        title_zh=pack.get("title_zh", f"{name}群团服务阵地"),
        title_en=pack.get("title_en", f"{name_en or name} service venue network"),
        old_county_codes=tuple(sorted(pack.get("old_county_codes", {}).items())),
        township_variants=tuple(sorted(pack.get("township_variants", {}).items())),
        edge_tolerance_m=0.0 if "prefecture" in bundled else SIMPLIFIED_EDGE_M,
    )


@lru_cache(maxsize=1)
def list_regions() -> tuple[Region, ...]:
    """Return every region pack, by code."""
    return tuple(_region_from_row(row) for _, row in _index().iterrows())


def default_region() -> Region:
    """Return the region used when nothing names one (the pack marked ``default = true``)."""
    defaults = [region for region in list_regions() if region.default]
    if len(defaults) != 1:
        raise InputError("exactly one data/regions/*.toml must say `default = true`")
    return defaults[0]


def find_region(text: str) -> Region:
    """Return the region whose code or name is ``text`` (``'632200'``, ``'海北藏族自治州'``).

    Raises
    ------
    InputError
        If no region matches; the message suggests close names and says how to list them.
    """
    key = str(text).strip()
    by_code = {region.code: region for region in list_regions()}
    if key in by_code:
        return by_code[key]
    if key.isdigit() and len(key) == 6 and key[:4] + "00" in by_code:
        return by_code[key[:4] + "00"]
    for region in list_regions():
        if key in (region.name, region.short_name, region.name_en):
            return region
    names = [region.name for region in list_regions()]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.4)
    hint = f"; did you mean {'、'.join(close)}?" if close else ""
    raise InputError(
        f"区划代码或名称 {key!r} 不在区划表中 / unknown region {key!r}{hint} "
        "List the codes with `venuemap region list`."
    )


@lru_cache(maxsize=8)
def _province_counties(province: str) -> gpd.GeoDataFrame:
    path = REGIONS_DIR / "counties" / f"{province}.geojson"
    if not path.exists():
        raise InputError(f"{path} is missing; rebuild it with `python -m geo.region_build`")
    gdf = normalise_codes(gpd.read_file(path))
    gdf["prefecture_code"] = gdf["prefecture_code"].astype(str)
    return gdf


#: Columns of each reference layer, for the empty layer of a pack that does not hold it.
LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "townships": (
        "township_code", "township_code12", "name", "type", "county_code", "county_name",
        "approximate", "area_km2",
    ),
    "township_seats": (
        "township_code", "township_code12", "name", "type", "county_code", "county_name",
    ),
    "villages": (
        "village_code", "name", "kind", "township_code", "township_name", "county_code",
        "population", "population_source", "position",
    ),
}  # fmt: skip


def empty_layer(name: str) -> gpd.GeoDataFrame:
    """Return layer ``name`` with its columns and no rows (EPSG:4326)."""
    columns = LAYER_COLUMNS.get(name, ())
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def region_layer(region: Region, name: str) -> gpd.GeoDataFrame:
    """Return reference layer ``name`` of ``region`` in EPSG:4326 (empty when it has none)."""
    if name in region.bundled_layers:
        return load_layer(name)
    if name == "counties":
        return _counties(region)
    if name == "prefecture":
        counties = _counties(region)
        outline = shapely.coverage_union_all(counties.geometry.values)
        gdf = gpd.GeoDataFrame(
            {
                "adcode": [region.code],
                "name": [region.name],
                "name_en": [region.name_en or region.name],
            },
            geometry=[outline],
            crs="EPSG:4326",
        )
        gdf["area_km2"] = (gdf.to_crs(EQUAL_AREA_CRS).area / 1e6).round(1)
        return gdf
    return empty_layer(name)


def _counties(region: Region) -> gpd.GeoDataFrame:
    gdf = _province_counties(region.code[:2])
    own = gdf[gdf["prefecture_code"] == region.code].drop(columns="prefecture_code")
    own = own.sort_values("county_code").reset_index(drop=True)
    own.insert(2, "name_en", own["name"])  # no English names in the source: Chinese shown
    own["area_km2"] = (own.to_crs(EQUAL_AREA_CRS).area / 1e6).round(1)
    return gpd.GeoDataFrame(own, geometry="geometry", crs="EPSG:4326")


def get_region(store: object) -> str | None:
    """Return the region code ``store`` remembers, or None (no store or never set).

    ``store`` is any object with the store's ``layer(name)`` method (geo.store.VenueStore).
    """
    layer = store.layer(REGION_LAYER)  # type: ignore[attr-defined]
    if layer is None or layer.empty or "code" not in layer:
        return None
    code = layer["code"].iloc[0]
    return None if code is None else str(code)


def set_region(store: object, code: str) -> Region:
    """Make ``store`` remember region ``code`` (checked first); return the region."""
    region = find_region(code)
    point = shapely.Point(region.centre[1], region.centre[0])
    row = gpd.GeoDataFrame(
        {"code": [region.code], "name": [region.name]}, geometry=[point], crs="EPSG:4326"
    )
    store.write_layer(REGION_LAYER, row)  # type: ignore[attr-defined]
    return region


def active_region(store_path: str | os.PathLike[str] | None = None) -> Region:
    """Return the active region: ``$VENUEMAP_REGION``, else the store's, else the default."""
    if os.environ.get(REGION_ENV):
        return find_region(os.environ[REGION_ENV])
    from geo.store import open_store

    code = get_region(open_store(store_path))
    return find_region(code) if code else default_region()
