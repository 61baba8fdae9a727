"""The metric frame: where distances are measured, chosen once, in metres.

Every analysis measures in one frame picked here from the extent of its inputs:

* data spanning at most ~3 degrees of longitude (a prefecture such as Huangnan) is projected to
  the CGCS2000 3-degree Gauss-Krüger zone whose central meridian is nearest (EPSG:4534 = CM 75°E
  ... EPSG:4554 = CM 135°E; Huangnan -> EPSG:4543, CM 102°E), giving plane metres;
* wider (national) data is placed on a sphere of mean Earth radius as 3-D (ECEF-like)
  coordinates. The straight chord between two such points is converted to the great-circle
  distance exactly (``d = 2R asin(c / 2R)``); the conversion is monotonic, so the nearest point
  by chord is the nearest by great circle and one KD-tree serves both.

Degrees are never used as a length: a caller asking to measure in a geographic CRS is refused.
This module is the only place that turns GeoDataFrames into coordinate arrays (the thin geo
adapter); the numeric core elsewhere works on those arrays.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.errors import AnalysisError, CRSError

#: Mean Earth radius (IUGG R1), metres.
EARTH_RADIUS_M = 6_371_008.8
#: Widest longitude span, degrees, still measured in one Gauss-Krüger zone.
MAX_ZONE_SPAN_DEG = 3.0
#: CGCS2000 3-degree Gauss-Krüger zones without false-easting prefix: EPSG code of CM 75°E.
_GK_FIRST_EPSG, _GK_FIRST_CM, _GK_LAST_CM = 4534, 75, 135
_WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class MetricFrame:
    """A frame in which Euclidean distance between projected points means metres.

    Attributes
    ----------
    kind
        ``"plane"`` (a projected CRS, 2-D metres) or ``"sphere"`` (3-D coordinates on a sphere
        of radius ``radius_m``; straight-line distances are chords).
    crs
        The projected CRS of a plane frame (e.g. ``"EPSG:4543"``); None for the sphere.
    radius_m
        Sphere radius used by the sphere frame.
    """

    kind: str
    crs: str | None = None
    radius_m: float = EARTH_RADIUS_M

    def project(self, gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
        """Return the frame coordinates (n x 2 or n x 3, metres) of the points of ``gdf``."""
        if self.kind == "sphere":
            lon, lat = _lonlat(gdf)
            return lonlat_to_xyz(lon, lat, self.radius_m)
        x, y = _xy(gdf)
        transformer = _transformer(_crs_of(gdf), self.crs)
        px, py = transformer.transform(x, y)
        return np.column_stack([px, py])

    def project_lonlat(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return frame coordinates of WGS84 longitude/latitude arrays (degrees)."""
        if self.kind == "sphere":
            return lonlat_to_xyz(lon, lat, self.radius_m)
        transformer = _transformer(_WGS84, self.crs)
        px, py = transformer.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.column_stack([px, py])

    def to_metres(self, straight: np.ndarray) -> np.ndarray:
        """Convert straight-line frame distances (chords on the sphere) to ground metres."""
        straight = np.asarray(straight, dtype=float)
        if self.kind == "plane":
            return straight
        ratio = np.clip(straight / (2.0 * self.radius_m), 0.0, 1.0)
        with np.errstate(invalid="ignore"):
            return np.where(np.isinf(straight), np.inf, 2.0 * self.radius_m * np.arcsin(ratio))

    def to_straight(self, metres: np.ndarray | float) -> np.ndarray:
        """Convert ground metres to the straight-line frame distance (inverse of `to_metres`).

        Distances beyond half the circumference map to the diameter (every point is reached).
        """
        metres = np.asarray(metres, dtype=float)
        if self.kind == "plane":
            return metres
        half_angle = np.clip(metres / (2.0 * self.radius_m), 0.0, np.pi / 2)
        return np.where(np.isinf(metres), np.inf, 2.0 * self.radius_m * np.sin(half_angle))

    def describe(self) -> str:
        """Return a one-line description for reports (e.g. ``"EPSG:4543 (plane, metres)"``)."""
        if self.kind == "plane":
            return f"{self.crs} (Gauss-Krüger plane, metres)"
        return f"sphere R={self.radius_m:.1f} m (great-circle metres)"


def lonlat_to_xyz(lon: np.ndarray, lat: np.ndarray, radius_m: float = EARTH_RADIUS_M) -> np.ndarray:
    """Return 3-D coordinates (n x 3, metres) of longitudes/latitudes in degrees on a sphere."""
    lon_r = np.radians(np.asarray(lon, dtype=float))
    lat_r = np.radians(np.asarray(lat, dtype=float))
    cos_lat = np.cos(lat_r)
    out = np.empty((lon_r.size, 3))
    out[:, 0] = cos_lat * np.cos(lon_r)
    out[:, 1] = cos_lat * np.sin(lon_r)
    out[:, 2] = np.sin(lat_r)
    out *= radius_m
    return out


def gauss_kruger_zone(central_lon: float) -> str:
    """Return the CGCS2000 3-degree Gauss-Krüger CRS (``"EPSG:45xx"``) nearest ``central_lon``.

    Raises
    ------
    CRSError
        If the longitude lies outside the zones defined for China (73.5°E–136.5°E).
    """
    cm = int(round(central_lon / 3.0)) * 3
    if not _GK_FIRST_CM <= cm <= _GK_LAST_CM:
        raise CRSError(
            f"longitude {central_lon:.3f}° lies outside the CGCS2000 Gauss-Krüger zones "
            f"(central meridians {_GK_FIRST_CM}°E–{_GK_LAST_CM}°E); data outside China is "
            "measured on the sphere instead: pass frame=MetricFrame('sphere')."
        )
    return f"EPSG:{_GK_FIRST_EPSG + (cm - _GK_FIRST_CM) // 3}"


def choose_frame(*layers: gpd.GeoDataFrame | gpd.GeoSeries, crs: str | None = None) -> MetricFrame:
    """Choose the metric frame for layers that must share one CRS.

    Parameters
    ----------
    *layers
        The inputs of one analysis (demand, venues, candidates...). They are checked to carry the
        same, defined CRS; empty layers are allowed here (callers check emptiness themselves).
    crs
        Force a plane frame in this projected CRS. A geographic CRS is refused, because degrees
        are not lengths.

    Returns
    -------
    MetricFrame
        A Gauss-Krüger plane for data within ~3° of longitude, the sphere otherwise.
    """
    check_same_crs(*layers)
    if crs is not None:
        if CRS.from_user_input(crs).is_geographic:
            raise CRSError(
                f"crs={crs!r} is geographic (degrees); distances and buffers need metres. "
                "Pass a projected CRS such as a CGCS2000 3-degree Gauss-Krüger zone "
                "('EPSG:4534' … 'EPSG:4554', CM 75°E … 135°E) or leave "
                "crs=None to choose one automatically."
            )
        return MetricFrame("plane", crs=str(crs))
    spans = [_lon_span(layer) for layer in layers if len(layer)]
    return frame_for_span(spans)


def frame_for_span(spans: list[tuple[float, float]]) -> MetricFrame:
    """Return the frame for data whose longitudes span the (west, east) pairs given."""
    spans = [s for s in spans if np.isfinite(s).all()]
    if not spans:
        return MetricFrame("sphere")
    west, east = min(s[0] for s in spans), max(s[1] for s in spans)
    centre = (west + east) / 2.0
    cm_ok = _GK_FIRST_CM - 1.5 <= centre <= _GK_LAST_CM + 1.5
    if east - west <= MAX_ZONE_SPAN_DEG and cm_ok:
        return MetricFrame("plane", crs=gauss_kruger_zone(centre))
    return MetricFrame("sphere")


def project_layers(
    *layers: gpd.GeoDataFrame | gpd.GeoSeries,
    frame: MetricFrame | None = None,
    crs: str | None = None,
) -> tuple[MetricFrame, list[np.ndarray]]:
    """Choose the frame (unless given) and project every layer, reading coordinates once.

    The adapter's one entry point for large inputs: CRS checks, one pass over the geometries,
    the frame from their longitudes, then frame coordinates (n x 2 or n x 3) per layer.
    """
    check_same_crs(*layers)
    if frame is None and crs is not None:
        frame = choose_frame(*layers, crs=crs)
    lonlat = [_lonlat(layer) if len(layer) else (np.empty(0), np.empty(0)) for layer in layers]
    if frame is None:
        frame = frame_for_span(
            [(float(np.nanmin(lon)), float(np.nanmax(lon))) for lon, _ in lonlat if len(lon)]
        )
    dim = 2 if frame.kind == "plane" else 3
    return frame, [
        frame.project_lonlat(lon, lat) if len(lon) else np.empty((0, dim)) for lon, lat in lonlat
    ]


def check_same_crs(*layers: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    """Raise CRSError if any layer has no CRS or the layers disagree, naming both CRSs."""
    first = None
    for position, layer in enumerate(layers):
        if not isinstance(layer, gpd.GeoDataFrame | gpd.GeoSeries):
            raise AnalysisError(
                f"input {position + 1} should be a GeoDataFrame or GeoSeries, "
                f"got {type(layer).__name__}."
            )
        if layer.crs is None:
            raise CRSError(
                f"input {position + 1} has no CRS; set it before analysis, e.g. "
                "gdf.set_crs('EPSG:4326') for longitude/latitude in WGS84/CGCS2000."
            )
        if first is None:
            first = layer.crs
        elif layer.crs != first:
            raise CRSError(
                f"CRS mismatch: input 1 is {first.to_string()} but input {position + 1} is "
                f"{layer.crs.to_string()}; reproject one with gdf.to_crs(...) so both agree."
            )


def _lon_span(layer: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[float, float]:
    """Return the layer's west and east longitude, degrees, from its bounds (fast)."""
    west, south, east, north = layer.total_bounds
    crs = _crs_of(layer)
    if not _is_lonlat(crs):
        west, south, east, north = _transformer(crs, _WGS84).transform_bounds(
            west, south, east, north
        )
    return float(west), float(east)


def _crs_of(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    if gdf.crs is None:
        raise CRSError("layer has no CRS; set it with gdf.set_crs('EPSG:4326').")
    return gdf.crs


def _xy(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Return x, y of each point (polygons and lines at a representative point), vectorised."""
    geoms = np.asarray((gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf).array)
    type_id = shapely.get_type_id(geoms)
    if (type_id != 0).any():  # 0 = Point; -1 = missing stays missing
        geoms = np.where(type_id > 0, shapely.point_on_surface(geoms), geoms)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        raise AnalysisError(
            f"{int(bad.sum())} row(s) have no geometry (missing or empty); "
            "drop them or give them a location before analysis."
        )
    return shapely.get_x(geoms), shapely.get_y(geoms)


def _lonlat(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    x, y = _xy(gdf)
    crs = _crs_of(gdf)
    if _is_lonlat(crs):
        return x, y
    lon, lat = _transformer(crs, _WGS84).transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def _transformer(source: CRS | str, target: str) -> Transformer:
    """Return a cached lon/lat-ordered transformer (building one costs ~25 ms)."""
    return _cached_transformer(CRS.from_user_input(source), target, threading.get_ident())


@lru_cache(maxsize=64)
def _cached_transformer(source: CRS, target: str, thread: int) -> Transformer:
    # one per thread: pyproj transformers must not be shared between threads
    return Transformer.from_crs(source, target, always_xy=True)


@lru_cache(maxsize=64)
def _is_lonlat(crs: CRS) -> bool:
    """Return True for WGS84 / CGCS2000 longitude-latitude (no transformation needed)."""
    return crs.to_epsg() in (4326, 4490)
