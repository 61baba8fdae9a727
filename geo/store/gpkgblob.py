"""GeoPackage geometry blobs and the SQL functions GDAL's spatial-index triggers call.

A GeoPackage geometry is a small header (``GP``, version, flags, SRS id, optional envelope)
followed by standard WKB (OGC GeoPackage 1.2, clause 2.1.3). Writing it ourselves lets the
store use plain :mod:`sqlite3` transactions on the file; GDAL and QGIS read it as their own.
Stores created by GDAL carry R-tree triggers calling ``ST_IsEmpty``/``ST_MinX``...; those
functions are registered on each connection by :func:`register_functions`.
"""

from __future__ import annotations

import math
import sqlite3
import struct

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: Envelope sizes in bytes by the header's envelope indicator (flags bits 1-3).
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_EMPTY_FLAG = 0b0001_0000


def encode(geometry: BaseGeometry | None, srs_id: int = 4326) -> bytes | None:
    """Return the GeoPackage blob of ``geometry`` (little-endian, xy envelope unless a point)."""
    if geometry is None:
        return None
    if geometry.is_empty:
        flags = 0b0000_0001 | _EMPTY_FLAG
        return struct.pack("<2sBBi", b"GP", 0, flags, srs_id) + shapely.to_wkb(
            geometry, byte_order=1, output_dimension=2
        )
    wkb = shapely.to_wkb(geometry, byte_order=1, output_dimension=2)
    if geometry.geom_type == "Point":
        return struct.pack("<2sBBi", b"GP", 0, 0b0000_0001, srs_id) + wkb
    min_x, min_y, max_x, max_y = geometry.bounds
    header = struct.pack("<2sBBi4d", b"GP", 0, 0b0000_0011, srs_id, min_x, max_x, min_y, max_y)
    return header + wkb


def encode_many(geometries: list[BaseGeometry | None], srs_id: int = 4326) -> list[bytes | None]:
    """Return :func:`encode` of each geometry; non-empty points in one vectorised WKB call.

    A point's blob is a fixed 8-byte header and its WKB, so 500,000 imported venues cost one
    ``shapely.to_wkb`` over an array instead of one call (and header) each; anything else
    (empty, polygons, None) goes through :func:`encode`.
    """
    array = np.asarray(geometries, dtype=object) if len(geometries) else np.empty(0, object)
    plain = shapely.get_type_id(array) == 0  # Point (None: -1)
    plain[plain] = ~shapely.is_empty(array[plain])
    header = struct.pack("<2sBBi", b"GP", 0, 0b0000_0001, srs_id)
    blobs: list[bytes | None] = [None] * len(array)
    wkbs = shapely.to_wkb(array[plain], byte_order=1, output_dimension=2)
    for position, wkb in zip(np.flatnonzero(plain).tolist(), wkbs.tolist(), strict=True):
        blobs[position] = header + wkb
    for position in np.flatnonzero(~plain).tolist():
        blobs[position] = encode(array[position], srs_id)
    return blobs


def decode(blob: bytes | None) -> BaseGeometry | None:
    """Return the geometry of a GeoPackage blob (None for NULL)."""
    if blob is None:
        return None
    blob = bytes(blob)
    if blob[:2] != b"GP":
        return shapely.from_wkb(blob)  # a plain WKB written by some other tool
    flags = blob[3]
    offset = 8 + _ENVELOPE_BYTES.get((flags >> 1) & 0b111, 0)
    return shapely.from_wkb(blob[offset:])


def decode_many(blobs: list[bytes | None]) -> list[BaseGeometry | None]:
    """Return the geometries of many blobs, decoding the WKB in one vectorised call."""
    wkbs: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkbs.append(None)
            continue
        blob = bytes(blob)
        if blob[:2] != b"GP":
            wkbs.append(blob)
            continue
        wkbs.append(blob[8 + _ENVELOPE_BYTES.get((blob[3] >> 1) & 0b111, 0):])
    return list(shapely.from_wkb(wkbs)) if wkbs else []


#: A 2-D point blob as :func:`encode` writes it: header without envelope, little-endian WKB.
_POINT_HEADER = struct.Struct("<2sBBiBI")
_XY = struct.Struct("<2d")


def _point_xy(blob: bytes) -> tuple[float, float] | None:
    """Return (x, y) of a plain non-empty 2-D point blob read in place; None for anything else.

    GDAL's R-tree triggers call the bounds functions once per written row: parsing a point's
    16 bytes directly spares building a geometry for each of 500,000 imported venues.
    """
    if len(blob) != 29 or blob[:2] != b"GP":
        return None
    _, _, flags, _, order, kind = _POINT_HEADER.unpack_from(blob)
    if flags & (_EMPTY_FLAG | 0b1110) or order != 1 or kind != 1:
        return None
    x, y = _XY.unpack_from(blob, 13)
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def _bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    if blob is not None and (xy := _point_xy(bytes(blob))) is not None:
        return xy[0], xy[1], xy[0], xy[1]
    geometry = decode(blob)
    if geometry is None or geometry.is_empty:
        return None
    return geometry.bounds


def _is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    if _point_xy(bytes(blob)) is not None:
        return 0
    geometry = decode(blob)
    return int(geometry.is_empty or any(math.isnan(v) for v in geometry.bounds))


def register_functions(conn: sqlite3.Connection) -> None:
    """Register ``ST_IsEmpty``, ``ST_MinX``, ``ST_MaxX``, ``ST_MinY``, ``ST_MaxY`` on ``conn``.

    GDAL's R-tree triggers call them on every insert and update of a spatial table.
    """
    conn.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    for name, index in (("ST_MinX", 0), ("ST_MinY", 1), ("ST_MaxX", 2), ("ST_MaxY", 3)):
        conn.create_function(
            name,
            1,
            lambda blob, index=index: (b := _bounds(blob)) and b[index],
            deterministic=True,
        )
