"""The reference geography an import checks rows against, prepared once per import.

:class:`ReferenceIndex` holds the prefecture, county and township polygons and the villages, and
looks codes and names up the way offices write them: old county codes, names with or without
县/市/镇/乡/村委会, and known spelling variants (both from the active region's pack, see
:mod:`geo.regions`). :func:`locate` places every converted point in the region, its county and
its (approximate) township area in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.regions import Region, default_region
from geo.schema import STORAGE_CRS

#: County name endings dropped to compare names (河南蒙古族自治县 -> 河南).
COUNTY_SUFFIXES = ("蒙古族自治县", "藏族自治县", "自治县", "市", "县")
#: Village name endings dropped to compare names (德吉村村民委员会 -> 德吉).
VILLAGE_SUFFIXES = (
    "村民委员会", "居民委员会", "村委会", "牧委会", "居委会", "委员会", "社区", "村", "牧",
)  # fmt: skip


def name_key(text: str) -> str:
    """Return a name or code in the form look-ups compare (NFKC, stripped, case-folded)."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def _strip(text: str, suffixes: tuple[str, ...]) -> str:
    """Remove any of ``suffixes`` from the end, repeatedly (德吉村村民委员会 -> 德吉)."""
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
                break
    return text


def _new_code(code: str, old_codes: tuple[tuple[str, str], ...]) -> str:
    """Map a code with an old county prefix to the current one (the region's old codes)."""
    for old, new in old_codes:
        if code.startswith(old):
            return new + code[len(old) :]
    return code


@dataclass
class ReferenceIndex:
    """The reference geography prepared once for many rows: name/code look-ups and polygons.

    ``region`` is the active region pack: its name goes into every message, its metric CRS
    measures distances, its old codes and spelling variants are accepted.
    """

    region: Region
    prefecture: Any
    prefecture_m: Any
    counties: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    villages: pd.DataFrame | None
    county_keys: dict[str, str]
    township_keys: dict[str, list[str]]
    village_keys: dict[str, list[str]]

    @classmethod
    def build(
        cls, layers: dict[str, Any] | None = None, region: Region | None = None
    ) -> ReferenceIndex:
        """Prepare ``layers`` (default: the region's via :func:`geo.regions.region_layer`).

        ``region`` defaults to ``layers["region"]`` when the dict carries one, else the
        default region. A missing townships layer (a pack without townships) is empty.
        """
        from geo.regions import region_layer

        layers = dict(layers or {})
        region = region or layers.pop("region", None) or default_region()
        layers.pop("region", None)
        for name in ("counties", "townships"):
            if layers.get(name) is None:
                layers[name] = region_layer(region, name)
        counties = layers["counties"].to_crs(STORAGE_CRS).reset_index(drop=True)
        townships = layers["townships"].to_crs(STORAGE_CRS).reset_index(drop=True)
        prefecture = (
            layers["prefecture"].to_crs(STORAGE_CRS).union_all()
            if layers.get("prefecture") is not None
            else counties.union_all()
        )
        villages = layers.get("villages")
        if villages is not None and "demand_basis" in villages:
            # stand-in demand (H3 cells, seats) is not a village list to check names against
            villages = villages[villages["demand_basis"] == "villages"]
        prefecture_m = gpd.GeoSeries([prefecture], crs=STORAGE_CRS).to_crs(region.metric_crs)
        prefecture_m = prefecture_m.iloc[0]
        for geom in (prefecture, *counties.geometry, *townships.geometry):
            shapely.prepare(geom)
        return cls(
            region, prefecture, prefecture_m, counties, townships, villages,
            _county_keys(counties, region), _township_keys(townships), _village_keys(villages),
        )  # fmt: skip

    @property
    def zone_hint(self) -> str:
        """Return ``'Huangnan prefecture (632300) is in EPSG:4543 …'`` for CRS messages."""
        return (
            f"{self.region_name[1]} lies in {self.region.metric_crs} (CGCS2000 3-degree "
            "Gauss-Krüger, no zone prefix)"
        )

    @property
    def region_name(self) -> tuple[str, str]:
        """Return ``(zh, en)`` names of the region for messages."""
        return self.region.messages_name()

    def county_name(self, code: str | None) -> str:
        """Return ``'同仁市 632301'`` for a code (the code alone when unknown)."""
        return _name_and_code(self._county_names, code)

    def township_name(self, code: str | None) -> str:
        """Return ``'隆务镇 632301100'`` for a code (the code alone when unknown)."""
        return _name_and_code(self._township_names, code)

    def township_county(self, code: str) -> str | None:
        """Return the county code a township belongs to."""
        return self._township_owner.get(code)

    @cached_property
    def _township_owner(self) -> dict[str, str]:
        """Township code -> county code, built once (a per-row table mask cost 48 % of import)."""
        return _first_of(self.townships["township_code"], self.townships["county_code"])

    @cached_property
    def has_townships(self) -> bool:
        """True when the region has a township list (asked once per row: 500,000 rows)."""
        return not self.townships.empty

    @cached_property
    def _memo(self) -> dict[tuple[Any, ...], str | None]:
        """Look-ups already answered: (method, cell text, county/township) -> code."""
        return {}

    def _remember(self, compute: Callable[..., str | None], *args: str | None) -> str | None:
        """Return ``compute(*args)``, computed once per distinct arguments.

        A register repeats the same county, township and village cells over many rows (each
        of 500,000 rows would otherwise normalise and search the name tables again).
        """
        key = (compute.__name__, *args)
        if key not in self._memo:
            self._memo[key] = compute(*args)
        return self._memo[key]

    @cached_property
    def _county_names(self) -> dict[str, str]:
        return _first_of(self.counties["county_code"], self.counties["name"])

    @cached_property
    def _township_names(self) -> dict[str, str]:
        return _first_of(self.townships["township_code"], self.townships["name"])

    def county_code(self, text: str) -> str | None:
        """Return the county code a cell names (:meth:`_county_code`), once per distinct cell."""
        return self._remember(self._county_code, text)

    def _county_code(self, text: str) -> str | None:
        """Return the county code for a code (also an old one of the region) or a name, or None."""
        key = name_key(text).removesuffix(".0")
        return self.county_keys.get(key) or self.county_keys.get(_strip(key, COUNTY_SUFFIXES))

    def township_code(self, text: str, county: str | None) -> str | None:
        """Return the township code a cell names (:meth:`_township_code`), once per cell text."""
        return self._remember(self._township_code, text, county)

    def _township_code(self, text: str, county: str | None) -> str | None:
        """Return the township code for a 9/12-digit code or a name (variants accepted)."""
        key = name_key(text).removesuffix(".0")
        if key.isdigit():
            key = _new_code(key, self.region.old_county_codes)[:9] if len(key) in (9, 12) else key
        short = _strip(key, ("镇", "乡", "街道"))
        variants = dict(self.region.township_variants)
        candidates = self.township_keys.get(key) or self.township_keys.get(
            variants.get(short, short), []
        )
        inside = [c for c in candidates if county is None or c.startswith(county)]
        return (inside or candidates or [None])[0]

    def village_code(self, text: str, township: str | None) -> str | None:
        """Return the village code a cell names (:meth:`_village_code`), once per distinct cell."""
        return self._remember(self._village_code, text, township)

    def _village_code(self, text: str, township: str | None) -> str | None:
        """Return the 12-digit village code for a code or a name (within ``township``).

        A code matches first; then the full official name (和日村村民委员会); then a short form
        (和日村, 和日) only when exactly one village has it. With no village list, a 12-digit
        code of one of the region's counties is accepted as it is.
        """
        key = name_key(text).removesuffix(".0")
        if key.isdigit() and len(key) == 12:
            key = _new_code(key, self.region.old_county_codes)
            if self.village_keys.get(key):
                return key
            no_list = self.villages is None or len(self.villages) == 0
            return key if no_list and self.in_region_code(key) else None
        for lookup in (key, _strip(key, VILLAGE_SUFFIXES)):
            candidates = self.village_keys.get(lookup, [])
            unique = dict.fromkeys(candidates)
            inside = [c for c in unique if township is None or c.startswith(township)]
            if len(inside) == 1:
                return inside[0]
            if len(inside) > 1:
                return None
        return None

    def in_region_code(self, code: str) -> bool:
        """Return True when ``code`` (9 or 12 digits) starts with a county code of the region."""
        return code[:6] in set(self.counties["county_code"])

    def township_choices(self, county: str | None) -> str:
        """Return the township names of ``county`` (all when None), for messages."""
        rows = self.townships
        if county:
            rows = rows[rows["county_code"] == county]
        return "、".join(rows["name"])

    def county_choices(self) -> str:
        """Return ``'同仁市 632301、尖扎县 632322…'`` for messages."""
        pairs = zip(self.counties["name"], self.counties["county_code"], strict=True)
        return "、".join(f"{name} {code}" for name, code in pairs)


def _first_of(keys: pd.Series, values: pd.Series) -> dict[str, Any]:
    """Return ``{key: value}`` keeping the first value of a repeated key (as ``.iloc[0]`` did)."""
    out: dict[str, Any] = {}
    for key, value in zip(keys, values, strict=True):
        out.setdefault(key, value)
    return out


def _name_and_code(names: dict[str, str], code: str | None) -> str:
    """Return ``'<name> <code>'`` of the area whose code is ``code`` (else the code)."""
    return f"{names[code]} {code}" if code in names else str(code)


def _county_keys(counties: gpd.GeoDataFrame, region: Region) -> dict[str, str]:
    """Look-up keys per county: code, old code, name, short name ± 县/市, English name tokens."""
    keys = dict(region.old_county_codes)
    for code, name in zip(counties["county_code"], counties["name"], strict=True):
        short = _strip(name_key(name), COUNTY_SUFFIXES)
        for key in (code, name_key(name), short, short + "县", short + "市"):
            keys.setdefault(key, code)
        if "name_en" in counties:
            en = counties.loc[counties["county_code"] == code, "name_en"].iloc[0]
            for token in re.findall(r"[a-z]+", name_key(en or "")):
                if token not in ("mongol", "ac", "county"):
                    keys.setdefault(token, code)
    return keys


def _township_keys(townships: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """Look-up keys per township: code, name, name without 镇/乡/街道 (a key may be shared)."""
    keys: dict[str, list[str]] = {}
    for code, name in zip(townships["township_code"], townships["name"], strict=True):
        for key in {code, name_key(name), _strip(name_key(name), ("镇", "乡", "街道"))}:
            keys.setdefault(key, []).append(code)
    return keys


def _village_keys(villages: pd.DataFrame | None) -> dict[str, list[str]]:
    """Look-up keys per village: code, full name, and the name without 村/社区/村委会.

    A name key may be shared (across townships, or two committees shortening alike); the
    look-up only accepts a key that leaves exactly one village.
    """
    keys: dict[str, list[str]] = {}
    if villages is None:
        return keys
    for code, name in zip(villages["village_code"], villages["name"], strict=True):
        keys.setdefault(str(code), []).append(str(code))
        full = name_key(name)
        for key in dict.fromkeys((full, _strip(full, VILLAGE_SUFFIXES))):
            keys.setdefault(key, []).append(str(code))
    return keys


@dataclass
class Located:
    """Where each converted point lies: inside the prefecture, its county and township area."""

    inside: np.ndarray
    county: list[str | None]
    township: list[str | None]
    outside_km: np.ndarray


def locate(index: ReferenceIndex, lon: np.ndarray, lat: np.ndarray) -> Located:
    """Point-in-polygon for all rows at once (NaN points are nowhere)."""
    ok = np.isfinite(lon) & np.isfinite(lat)
    safe_lon, safe_lat = np.where(ok, lon, 0.0), np.where(ok, lat, 0.0)
    inside = ok & shapely.contains_xy(index.prefecture, safe_lon, safe_lat)
    outside_km = np.full(len(lon), np.nan)
    far = ok & ~inside
    if far.any():
        pts = gpd.GeoSeries(gpd.points_from_xy(lon[far], lat[far]), crs=STORAGE_CRS)
        metric = pts.to_crs(index.region.metric_crs)
        outside_km[far] = shapely.distance(metric.values, index.prefecture_m) / 1000.0
    # A simplified outline may cut a real border point off: within the pack's tolerance it
    # counts as inside (and takes the nearest county).
    edge = far & (outside_km * 1000.0 <= index.region.edge_tolerance_m)
    inside = inside | edge
    outside_km[edge] = np.nan
    county = _which(index.counties, "county_code", safe_lon, safe_lat, inside)
    township = _which(index.townships, "township_code", safe_lon, safe_lat, inside)
    return Located(inside, county, township, outside_km)


def _which(
    areas: gpd.GeoDataFrame, code: str, lon: np.ndarray, lat: np.ndarray, inside: np.ndarray
) -> list[str | None]:
    """Return the code of the area containing each point (nearest area for boundary slivers)."""
    found: list[str | None] = [None] * len(lon)
    if areas.empty:
        return found
    for area_code, geom in zip(areas[code], areas.geometry, strict=True):
        for i in np.flatnonzero(inside & shapely.contains_xy(geom, lon, lat)):
            found[i] = found[i] or area_code
    for i in np.flatnonzero(inside):
        if found[i] is None:
            distances = shapely.distance(areas.geometry.values, shapely.Point(lon[i], lat[i]))
            found[i] = areas[code].iloc[int(np.argmin(distances))]
    return found
