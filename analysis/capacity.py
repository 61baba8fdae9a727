"""Venue capacity: how many people a venue can serve, from the register or a documented default.

A venue's capacity is, in order of preference:

1. its ``capacity`` column (people served; the CLI's ``--capacity-field`` names another column),
   labelled ``capacity_source = "register"``;
2. else its ``floor_area_m2``, converted with the national community-service planning norm of
   at least 30 m² of service space per 100 households (`AREA_M2_PER_100_HOUSEHOLDS`) and
   `PEOPLE_PER_HOUSEHOLD` people per household: ``floor_area_m2 / 30 * 100 * 3``, labelled
   ``"floor_area"``;
3. else the default of its kind (`DEFAULT_CAPACITY_BY_KIND`), labelled ``"default"``.

The defaults are planning assumptions, not measurements: each kind as if built to the norm
with a typical floor area (village station 100 m² -> 1,000 people, about one of Huangnan's
farming and herding villages; community station 200 m²; township centre 500 m²; county centre
1,500 m²; prefecture centre 3,000 m²). Any figure resting on them is labelled so.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import AnalysisError

#: Default people served per venue kind, used where a venue has neither capacity nor floor area.
DEFAULT_CAPACITY_BY_KIND: dict[str, float] = {
    "prefecture_centre": 30_000.0,
    "county_centre": 15_000.0,
    "township_centre": 5_000.0,
    "village_station": 1_000.0,
    "community_station": 2_000.0,
    "enterprise_home": 300.0,
    "other": 500.0,
}
#: Kind default for a kind missing from `DEFAULT_CAPACITY_BY_KIND` (and venues without kind).
FALLBACK_CAPACITY = 500.0
#: National norm: at least 30 m² of community service space per 100 households.
AREA_M2_PER_100_HOUSEHOLDS = 30.0
#: People per household used to turn households into people (Qinghai rural average, rounded).
PEOPLE_PER_HOUSEHOLD = 3.0
SOURCES = ("register", "floor_area", "default")


def venue_capacity(
    venues: gpd.GeoDataFrame | pd.DataFrame,
    capacity_field: str = "capacity",
    *,
    defaults: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Return each venue's capacity (people) and where it comes from.

    Parameters
    ----------
    venues
        Venue rows; ``capacity_field``, ``floor_area_m2`` and ``kind`` are used when present.
    capacity_field
        Column holding people served (default ``"capacity"``).
    defaults
        People per kind; `DEFAULT_CAPACITY_BY_KIND` when None.

    Returns
    -------
    pandas.DataFrame
        Columns ``capacity`` (float, people) and ``capacity_source`` (one of `SOURCES`), on
        ``venues``'s index.

    Raises
    ------
    AnalysisError
        If a capacity or floor area is negative or not a number, or a non-default
        ``capacity_field`` is missing.
    """
    defaults = DEFAULT_CAPACITY_BY_KIND if defaults is None else defaults
    if capacity_field != "capacity" and capacity_field not in venues.columns:
        present = ", ".join(str(c) for c in venues.columns if c != "geometry")
        raise AnalysisError(
            f"venues have no capacity column {capacity_field!r} (--capacity-field); columns "
            f"present: {present}. Name one of them, or omit it to use 'capacity'."
        )
    given = _amount(venues, capacity_field)
    area = _amount(venues, "floor_area_m2")
    from_area = area / AREA_M2_PER_100_HOUSEHOLDS * 100.0 * PEOPLE_PER_HOUSEHOLD
    kind = venues["kind"] if "kind" in venues.columns else pd.Series(None, index=venues.index)
    by_kind = kind.map(defaults).astype(float).fillna(FALLBACK_CAPACITY).to_numpy()
    capacity = np.where(np.isfinite(given), given, np.where(np.isfinite(area), from_area, by_kind))
    source = np.where(
        np.isfinite(given), "register", np.where(np.isfinite(area), "floor_area", "default")
    )
    return pd.DataFrame({"capacity": capacity, "capacity_source": source}, index=venues.index)


def _amount(venues: pd.DataFrame, column: str) -> np.ndarray:
    """Return a non-negative numeric column as floats, NaN where blank (all NaN if absent)."""
    if column not in venues.columns:
        return np.full(len(venues), np.nan)
    raw = venues[column]
    values = pd.to_numeric(raw, errors="coerce")
    blank = raw.isna() | raw.astype(str).str.strip().isin(["", "nan", "None", "<NA>"])
    bad = (values.isna() & ~blank) | (values < 0) | np.isinf(values.fillna(0))
    if bad.any():
        first = list(venues.index[bad.to_numpy()][:5])
        raise AnalysisError(
            f"venue column {column!r} should hold non-negative numbers (people or m²); "
            f"{int(bad.sum())} row(s) do not (first index: {first}). Correct them or leave "
            "them empty to use the default of the kind."
        )
    return values.to_numpy(dtype=float)
