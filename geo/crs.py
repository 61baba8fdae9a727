"""Coordinate systems for imports: WGS84/CGCS2000, any EPSG code, and China's GCJ-02 and BD-09.

PROJ implements neither GCJ-02 (the "Mars" offset used by Amap and Tencent maps) nor BD-09
(Baidu's extra rotation of GCJ-02), yet planners copy coordinates from exactly those maps. This
module holds the numeric core for both (vectorised over numpy arrays) and the small adapter the
importer needs: :func:`parse_crs_option` reads the CLI's ``--crs`` text, :func:`resolve_auto`
decides what ``--crs auto`` means for one file, and :func:`to_wgs84` converts arrays.

Rules stated once
-----------------
* **Outside China no shift is applied.** A point counts as outside China when it lies outside
  the box 72.004–137.8347 °E, 0.8293–55.8271 °N — the rule the open-source converters use
  (e.g. wandergis/coordtransform). The box is coarse (it includes parts of neighbouring
  countries); that is deliberate, to agree with what the map providers' own SDKs do.
* **Inverses are iterative.** ``gcj02 -> wgs84`` and ``bd09 -> gcj02`` invert the forward
  formula by fixed-point iteration (5 steps), accurate to ~1e-9 degrees (millimetres), not the
  one-step approximation (errors up to ~1 m) that most snippets use.
* **CGCS2000 is treated as WGS84 for lon/lat** (they differ by well under a metre here);
  EPSG codes, including projected CGCS2000 Gauss-Krüger (EPSG:4543 …), go through pyproj.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from geo.errors import CRSError

#: Semi-major axis and first eccentricity squared of the Krasovsky 1940 ellipsoid (GCJ-02).
GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323
#: Baidu's rotation constant.
X_PI = np.pi * 3000.0 / 180.0
#: The "inside China" box shared by the open-source converters (see module docstring).
CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)
INVERSE_ITERATIONS = 5

ArrayLike = np.ndarray | float | Iterable[float]
Kind = Literal["auto", "wgs84", "gcj02", "bd09", "epsg"]


# --------------------------------------------------------------------------- numeric core
def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Return a boolean array: True where no GCJ-02/BD-09 shift applies (outside the box)."""
    x, y = _arrays(lon, lat)
    west, south, east, north = CHINA_BOX
    return ~((x >= west) & (x <= east) & (y >= south) & (y <= north))


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 offset (dlon, dlat) in degrees at WGS84 (lon, lat); zero outside China."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - GCJ_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (GCJ_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 lon/lat to GCJ-02 (Amap, Tencent) with the standard Krasovsky formula."""
    x, y = _arrays(lon, lat)
    dlon, dlat = _gcj_offset(x, y)
    return x + dlon, y + dlat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 lon/lat to WGS84 by fixed-point iteration of the forward transform.

    Starting from the GCJ point, each step moves the estimate by the residual
    ``forward(estimate) - target``; five steps bring the residual below 1e-9 degrees.
    """
    gx, gy = _arrays(lon, lat)
    wx, wy = gx.copy(), gy.copy()
    for _ in range(INVERSE_ITERATIONS):
        fx, fy = wgs84_to_gcj02(wx, wy)
        wx, wy = wx - (fx - gx), wy - (fy - gy)
    return wx, wy


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 lon/lat to BD-09 (Baidu) with Baidu's rotation formula."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * X_PI)
    bx, by = z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006
    outside = out_of_china(x, y)
    return np.where(outside, x, bx), np.where(outside, y, by)


def _bd09_to_gcj02_approx(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-step inverse of :func:`gcj02_to_bd09` (the formula the converters publish)."""
    x0, y0 = x - 0.0065, y - 0.006
    z = np.sqrt(x0 * x0 + y0 * y0) - 0.00002 * np.sin(y0 * X_PI)
    theta = np.arctan2(y0, x0) - 0.000003 * np.cos(x0 * X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 lon/lat to GCJ-02: the one-step inverse refined by fixed-point iteration."""
    bx, by = _arrays(lon, lat)
    gx, gy = _bd09_to_gcj02_approx(bx, by)
    for _ in range(INVERSE_ITERATIONS):
        fx, fy = gcj02_to_bd09(gx, gy)
        gx, gy = gx - (fx - bx), gy - (fy - by)
    outside = out_of_china(bx, by)
    return np.where(outside, bx, gx), np.where(outside, by, gy)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 lon/lat to BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 lon/lat to WGS84 (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


# --------------------------------------------------------------------------- the --crs option
@dataclass(frozen=True)
class CrsChoice:
    """What the user (or the ``auto`` rule) says the coordinates of a file are.

    Attributes
    ----------
    kind
        ``"auto"`` (decide per file), ``"wgs84"`` (WGS84 lon/lat), ``"gcj02"``, ``"bd09"``, or
        ``"epsg"`` (any EPSG code, handled by pyproj; ``code`` holds it).
    code
        The EPSG code when ``kind == "epsg"``, else None.
    """

    kind: Kind
    code: int | None = None

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``'GCJ-02'`` or ``'EPSG:4543'``."""
        names = {"auto": "auto", "wgs84": "WGS84", "gcj02": "GCJ-02", "bd09": "BD-09"}
        return names.get(self.kind, f"EPSG:{self.code}")


AUTO = CrsChoice("auto")
WGS84 = CrsChoice("wgs84")
GCJ02 = CrsChoice("gcj02")
BD09 = CrsChoice("bd09")
CGCS2000 = CrsChoice("epsg", 4490)

_ALIASES: dict[str, CrsChoice] = {
    "auto": AUTO, "自动": AUTO,
    "wgs84": WGS84, "wgs-84": WGS84, "wgs 84": WGS84, "gps": WGS84, "epsg:4326": WGS84,
    "cgcs2000": CGCS2000, "cgcs-2000": CGCS2000, "大地2000": CGCS2000, "国家2000": CGCS2000,
    "2000国家大地坐标系": CGCS2000, "epsg:4490": CGCS2000,
    "gcj02": GCJ02, "gcj-02": GCJ02, "gcj": GCJ02, "amap": GCJ02, "tencent": GCJ02,
    "高德": GCJ02, "腾讯": GCJ02, "国测局": GCJ02, "火星": GCJ02, "火星坐标": GCJ02,
    "bd09": BD09, "bd-09": BD09, "baidu": BD09, "百度": BD09,
}  # fmt: skip

CRS_OPTION_HELP = (
    "auto | wgs84 | cgcs2000 | gcj02 | bd09 | EPSG:N (also 高德, 百度, 国测局, 大地2000)"
)


def parse_crs_option(text: str) -> CrsChoice:
    """Read the ``--crs`` option: a name (English or Chinese) or ``EPSG:N``.

    Raises
    ------
    CRSError
        If the text names nothing known, or the EPSG code does not exist; the message lists
        the accepted spellings.
    """
    key = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    if key in _ALIASES:
        return _ALIASES[key]
    match = re.fullmatch(r"(?:epsg:?\s*)?(\d{4,6})", key)
    if match is None:
        raise CRSError(f"--crs {text!r} is not understood; use one of: {CRS_OPTION_HELP}")
    code = int(match.group(1))
    try:
        CRS.from_epsg(code)
    except ProjCRSError as exc:
        raise CRSError(
            f"--crs {text!r}: EPSG:{code} is not a known coordinate system ({exc}); "
            "check the code, e.g. EPSG:4490 (CGCS2000) or EPSG:4534 … EPSG:4554 (CGCS2000 / "
            "3-degree Gauss-Krüger CM 75E … 135E)"
        ) from None
    return CGCS2000 if code == 4490 else WGS84 if code == 4326 else CrsChoice("epsg", code)


def choice_from_crs(crs: CRS | str | int | None) -> CrsChoice | None:
    """Return the choice for a CRS stated by a file (GeoPackage, Shapefile .prj), or None."""
    if crs is None:
        return None
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg(min_confidence=70)
    if code == 4326:
        return WGS84
    if code is None:
        raise CRSError(
            f"the file's coordinate system ({crs.name}) has no EPSG code; re-save it with an "
            "EPSG code or pass --crs EPSG:N"
        )
    return CGCS2000 if code == 4490 else CrsChoice("epsg", code)


# --------------------------------------------------------------------------- the auto rule
_GCJ_HINTS = ("高德", "腾讯", "火星", "gcj", "amap", "gaode", "tencent", "qq")
_BD_HINTS = ("百度", "bd09", "bd_", "bd-", "baidu")


def header_hint(columns: Iterable[str]) -> CrsChoice | None:
    """Return GCJ-02 or BD-09 when a coordinate header names the map it was copied from.

    ``高德经度``, ``amap_lon``, ``gcj02_lng`` … mean GCJ-02; ``百度经度``, ``bd_lon``,
    ``baidu_lat`` … mean BD-09. Anything else says nothing (None).
    """
    text = " ".join(str(c).casefold() for c in columns)
    if any(hint in text for hint in _BD_HINTS):
        return BD09
    if any(hint in text for hint in _GCJ_HINTS):
        return GCJ02
    return None


def looks_projected(x: ArrayLike, y: ArrayLike) -> bool:
    """Return True when most finite values are far beyond degree ranges (metres, not degrees)."""
    xs, ys = _arrays(x, y)
    finite = np.isfinite(xs) & np.isfinite(ys)
    if not finite.any():
        return False
    beyond = (np.abs(xs[finite]) > 360.0) | (np.abs(ys[finite]) > 360.0)
    return bool(beyond.mean() > 0.5)


def suggest_projected(x: ArrayLike, y: ArrayLike) -> str:
    """Return a hint naming the likely Gauss-Krüger EPSG code for metre values.

    Eastings with a zone prefix (25…45 million) name their zone; without one, the hint lists
    the zones and where to find the active region's (``venuemap region list``).
    """
    xs, _ = _arrays(x, y)
    median = float(np.nanmedian(np.abs(xs))) if np.isfinite(xs).any() else 0.0
    zone = int(median // 1_000_000)
    if 25 <= zone <= 45:
        return (
            f"values with the zone prefix {zone} look like EPSG:{4513 + zone - 25} "
            f"(CGCS2000 3-degree GK zone {zone})"
        )
    return (
        "without a zone prefix, use the CGCS2000 3-degree Gauss-Krüger zone of the data's "
        "central meridian: EPSG:4534 (CM 75E) … EPSG:4554 (CM 135E); `venuemap region list` "
        "shows the zone of each region"
    )


def resolve_auto(
    x: ArrayLike,
    y: ArrayLike,
    *,
    file_crs: CRS | str | int | None = None,
    columns: Iterable[str] = (),
) -> tuple[CrsChoice, str | None]:
    """Decide what ``--crs auto`` means for one file; return (choice, warning or None).

    The rule, in order:

    1. a coordinate header naming Amap/Tencent (``高德经度``, ``amap_lon`` …) -> GCJ-02, or
       Baidu (``百度经度``, ``bd_lon`` …) -> BD-09;
    2. a CRS stated by the file itself (GeoPackage, Shapefile ``.prj``) -> that CRS;
    3. values that look like projected metres -> :class:`CRSError` asking for ``--crs``;
    4. otherwise lon/lat are assumed WGS84/CGCS2000 and a warning says so — GCJ-02 and BD-09
       differ from WGS84 by only a few hundred metres and cannot be detected reliably.
    """
    hint = header_hint(columns)
    if hint is not None:
        return hint, None
    stated = choice_from_crs(file_crs) if file_crs is not None else None
    if stated is not None:
        return stated, None
    if looks_projected(x, y):
        raise CRSError(
            "the coordinates look like projected metres and the file states no coordinate "
            f"system; pass --crs EPSG:N ({suggest_projected(x, y)})"
        )
    return WGS84, (
        "未注明坐标系，经纬度按 WGS84/CGCS2000 读取；"
        "若取自高德或腾讯地图请选 GCJ-02（--crs gcj02），取自百度地图请选 BD-09（--crs bd09） / "
        "no coordinate system stated: lon/lat read as WGS84/CGCS2000. If they were copied "
        "from Amap or Tencent maps choose GCJ-02 (--crs gcj02), from Baidu BD-09 (--crs bd09)"
    )


# --------------------------------------------------------------------------- conversion
_TRANSFORMERS: dict[int, Transformer] = {}


def _transformer(code: int) -> Transformer:
    """Return the (reused, read-only) pyproj transformer EPSG:code -> EPSG:4326, lon/lat order."""
    if code not in _TRANSFORMERS:
        _TRANSFORMERS[code] = Transformer.from_crs(
            CRS.from_epsg(code), CRS.from_epsg(4326), always_xy=True
        )
    return _TRANSFORMERS[code]


def to_wgs84(x: ArrayLike, y: ArrayLike, choice: CrsChoice) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates given in ``choice`` to WGS84 (lon, lat) arrays.

    ``x``/``y`` are lon/lat for geographic systems and easting/northing for projected EPSG
    codes. An ``auto`` choice is resolved from the values alone (see :func:`resolve_auto`).
    Values pyproj cannot transform come back as inf/NaN; callers check ``np.isfinite``.
    """
    xs, ys = _arrays(x, y)
    if choice.kind == "auto":
        choice, _ = resolve_auto(xs, ys)
    if choice.kind == "wgs84":
        return xs.copy(), ys.copy()
    if choice.kind == "gcj02":
        return gcj02_to_wgs84(xs, ys)
    if choice.kind == "bd09":
        return bd09_to_wgs84(xs, ys)
    if choice.code is None:
        raise CRSError(f"coordinate system {choice!r} has no EPSG code")
    lon, lat = _transformer(choice.code).transform(xs, ys, errcheck=False)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def from_wgs84(lon: ArrayLike, lat: ArrayLike, choice: CrsChoice) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 lon/lat into ``choice`` (the inverse of :func:`to_wgs84`; tests, exports)."""
    xs, ys = _arrays(lon, lat)
    if choice.kind in ("wgs84", "auto"):
        return xs.copy(), ys.copy()
    if choice.kind == "gcj02":
        return wgs84_to_gcj02(xs, ys)
    if choice.kind == "bd09":
        return wgs84_to_bd09(xs, ys)
    out = Transformer.from_crs(4326, choice.code, always_xy=True).transform(xs, ys)
    return np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)
