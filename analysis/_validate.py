"""Input checks shared by the analyses: collect every problem, then raise once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import AnalysisError
from geo.schema import LEVEL_OF_KIND, VENUE_COLUMNS

#: Statuses that count as existing venues unless the caller asks otherwise.
DEFAULT_STATUSES = ("in_service",)


def check_layer(
    gdf: object, name: str, *, required: Sequence[str] = (), allow_empty: bool = False
) -> None:
    """Raise AnalysisError if ``gdf`` is not a usable GeoDataFrame with ``required`` columns.

    An empty layer allowed by ``allow_empty`` may lack columns (a zero-feature GeoJSON has
    none): there is no row to read them from; see `with_columns`.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise AnalysisError(f"'{name}' should be a GeoDataFrame, got {type(gdf).__name__}.")
    problems = []
    if len(gdf) == 0 and not allow_empty:
        problems.append(f"'{name}' is empty (0 rows); give at least one point")
    empty_ok = allow_empty and len(gdf) == 0
    missing = [column for column in required if column not in gdf.columns and not empty_ok]
    if missing:
        problems.append(
            f"'{name}' has no column {', '.join(repr(c) for c in missing)} "
            f"(columns present: {', '.join(map(str, gdf.columns[:12]))})"
        )
    if problems:
        raise AnalysisError("; ".join(problems) + ".")


def with_columns(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Return ``gdf`` with the missing ``columns`` added (all None) when it has no rows.

    Lets every analysis take an empty or header-only layer (no venues yet) without a special
    case; a layer with rows is returned unchanged, its missing columns are its own problem.
    """
    missing = [column for column in columns if column not in gdf.columns]
    if len(gdf) or not missing:
        return gdf
    out = gdf.copy()
    for column in missing:
        out[column] = pd.Series(dtype=object)
    return out


def population(demand: gpd.GeoDataFrame, column: str = "population") -> np.ndarray:
    """Return the population of each demand point as floats, checking the column once.

    Raises
    ------
    AnalysisError
        If the column is missing, not numeric, negative, or has gaps.
    """
    if column not in demand.columns:
        raise AnalysisError(
            f"demand has no population column {column!r}; add one (people per point) or name "
            f"the column to use (population_col=...). Columns present: "
            f"{', '.join(map(str, demand.columns[:12]))}."
        )
    values = pd.to_numeric(demand[column], errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=float)) | (values < 0).to_numpy()
    if bad.any():
        first = list(demand.index[bad][:5])
        shown = [str(v) for v in demand[column][bad][:5]]
        raise AnalysisError(
            f"demand column {column!r} should hold finite non-negative numbers; {int(bad.sum())} "
            f"row(s) do not (first index: {first}, values: {shown}). Fill or drop them."
        )
    return values.to_numpy(dtype=float)


def venue_ids(venues: gpd.GeoDataFrame) -> np.ndarray:
    """Return venue ids as strings (column ``id``, else the index)."""
    ids = venues["id"] if "id" in venues.columns else venues.index.to_series()
    return ids.astype(str).to_numpy()


def venue_levels(venues: gpd.GeoDataFrame) -> np.ndarray:
    """Return each venue's level: column ``level`` where set, else derived from ``kind``."""
    from_kind = venues["kind"].map(LEVEL_OF_KIND) if "kind" in venues.columns else None
    if "level" in venues.columns:
        level = pd.to_numeric(venues["level"], errors="coerce")
        if from_kind is not None:
            level = level.fillna(from_kind)
    elif from_kind is not None:
        level = from_kind
    else:
        raise AnalysisError("venues need a 'kind' or a 'level' column to know their level.")
    if level.isna().any():
        raise AnalysisError(
            f"{int(level.isna().sum())} venue(s) have neither a level nor a known kind; "
            "set 'kind' to a code of geo.schema.KINDS."
        )
    return level.to_numpy(dtype=int)


def select_venues(
    venues: gpd.GeoDataFrame,
    *,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    kinds: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Return the venues with a status in ``statuses`` and a kind in ``kinds`` (None = all).

    An empty register comes back with the register's columns (`with_columns`).
    """
    venues = with_columns(venues, VENUE_COLUMNS)
    keep = np.ones(len(venues), dtype=bool)
    if statuses is not None and "status" in venues.columns:
        keep &= venues["status"].fillna("in_service").isin(list(statuses)).to_numpy()
    if kinds is not None:
        kinds = list(kinds)
        if "kind" not in venues.columns:
            raise AnalysisError("venues have no 'kind' column, so they cannot be filtered by kind.")
        keep &= venues["kind"].isin(kinds).to_numpy()
    return venues.loc[keep]


def take_or_none(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Return ``values[positions]`` as an object array, None where a position is -1."""
    out = np.full(len(positions), None, dtype=object)
    found = positions >= 0
    if found.any():
        out[found] = np.asarray(values, dtype=object)[positions[found]]
    return out


def codes(gdf: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """Return a code column as an object array of str/None (missing column -> all None)."""
    if column not in gdf.columns:
        return np.full(len(gdf), None, dtype=object)
    values = gdf[column]
    text = values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object)
    text[text == ""] = None
    return text
