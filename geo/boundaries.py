"""The bundled reference data, reached by name through one registry.

Every file under ``data/`` is listed here with what it holds; asking for a name that is not
listed raises an error naming the valid ones (the habit of momepy's ``datasets.get_path``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: name -> (path relative to data/, one-line description).
LAYERS: dict[str, tuple[str, str]] = {
    "prefecture": ("boundaries/prefecture.geojson", "Huangnan prefecture outline (real)"),
    "counties": ("boundaries/counties.geojson", "4 county polygons with 2020 census population"),
    "townships": (
        "boundaries/townships.geojson",
        "33 township areas: APPROXIMATE (seat-point Voronoi cells clipped to counties)",
    ),
    "township_seats": ("boundaries/township_seats.geojson", "33 township seat points"),
    "villages": (
        "boundaries/villages.geojson",
        "299 villages/communities: real names and codes, ILLUSTRATIVE points and population",
    ),
    "venues_demo": ("demo/venues.geojson", "the demo venue register (ILLUSTRATIVE positions)"),
}

LAYER_NAMES: tuple[str, ...] = tuple(LAYERS)

#: Columns that hold administrative codes: always read as text so leading digits survive.
CODE_COLUMNS = ("county_code", "township_code", "township_code12", "village_code", "adcode", "id")


def get_path(name: str) -> Path:
    """Return the path of the bundled layer ``name``.

    Raises
    ------
    InputError
        If ``name`` is not a bundled layer; the message lists the valid names.
    """
    if name not in LAYERS:
        valid = ", ".join(LAYER_NAMES)
        raise InputError(f"unknown reference layer {name!r}; valid names are: {valid}")
    return DATA_DIR / LAYERS[name][0]


def load_layer(name: str) -> gpd.GeoDataFrame:
    """Return a fresh copy of the bundled layer ``name`` in EPSG:4326.

    The file is read once per process; callers get a copy they may change freely.
    """
    return _read_cached(name).copy()


@lru_cache(maxsize=len(LAYERS))
def _read_cached(name: str) -> gpd.GeoDataFrame:
    path = get_path(name)
    if not path.exists():
        raise InputError(
            f"reference file {path} is missing; rebuild it with `python -m geo.reference_build`"
        )
    gdf = gpd.read_file(path)
    return normalise_codes(gdf)


def normalise_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """Make every code column text (``'632301'``), with missing codes missing (None/NaN).

    Each distinct value is converted once (codes repeat: 500,000 venues name a few hundred
    townships), then spread back by position.
    """
    for column in CODE_COLUMNS:
        if column in frame.columns:
            positions, distinct = pd.factorize(frame[column], use_na_sentinel=True)
            texts = np.append(_codes_text(pd.Index(distinct)), None)
            used, inverse = np.unique(positions, return_inverse=True)
            values = _objects_of_distinct(texts[used])
            frame[column] = pd.Series(values[inverse], index=frame.index, dtype=object)
    return frame


def as_objects(values: list[Any]) -> np.ndarray:
    """Return ``pd.Series(values).astype(object)`` as an array; texts converted once each.

    pandas 3 reads a list of texts as its arrow-backed ``str`` dtype (missing cells NaN);
    turning that back into objects makes one new ``str`` per cell. For a column of texts
    (and None) the same values are made from its distinct values only and spread back, so
    a word repeated over 500,000 venues is one object, not 500,000.
    """
    if not values or not set(map(type, values)) <= {str, type(None)}:
        return pd.Series(values).astype(object).to_numpy()
    where = {value: i for i, value in enumerate(dict.fromkeys(values))}
    positions = np.fromiter(map(where.__getitem__, values), dtype=np.intp, count=len(values))
    return _objects_of_distinct(np.array(list(where), dtype=object))[positions]


def _objects_of_distinct(distinct: np.ndarray) -> np.ndarray:
    """Convert distinct values as a whole column of them would be: the same types, same dtype."""
    return pd.Series(distinct).astype(object).to_numpy()


def _codes_text(distinct: pd.Index) -> np.ndarray:
    """Return :func:`_code_text` of each distinct value; column-wise when all are text."""
    if len(distinct) and pd.api.types.infer_dtype(distinct, skipna=False) == "string":
        text = pd.Series(distinct).str.strip()  # text dtype: vectorised string kernels
        body = text.str[:-2]
        kept = text.where(~(text.str.endswith(".0") & body.str.isdigit()), body)
        out = np.array(kept.tolist(), dtype=object)  # a writable copy
        out[out == ""] = None
        return out
    return np.array([_code_text(value) for value in distinct], dtype=object)


def _code_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None
