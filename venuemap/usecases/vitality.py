"""Venue vitality (有阵地无活动): the activities register against the venues, for CLI and pages.

`vitality_table` answers "which venues held activities in the last N months"; `active_inputs`
keeps only the living venues so that ``coverage --active-only`` counts only them. Activities
live in the store's ``activities`` layer (``venuemap import --layer activities FILE``); when the
store has none and the register is the bundled demo, the demo's illustrative activities
(data/demo/activities.csv, ``source = illustrative``) stand in, labelled so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.vitality import (
    ACTIVITY_COLUMNS,
    activity_by_organization,
    monthly_activity,
    vitality,
)
from venuemap.usecases.inputs import Inputs

__all__ = ["ACTIVITIES_LAYER", "DEMO_ACTIVITIES", "VitalityResult", "active_inputs",
           "activity_by_organization", "county_activity", "load_activities",
           "vitality_table"]  # fmt: skip

#: The store's layer holding the activities register.
ACTIVITIES_LAYER = "activities"
#: The demo register's illustrative activities (see geo/demo_activities.py).
DEMO_ACTIVITIES = Path(__file__).resolve().parents[2] / "data" / "demo" / "activities.csv"


@dataclass(frozen=True)
class VitalityResult:
    """Every venue's activity in the window.

    Attributes
    ----------
    table
        One row per venue (``analysis.vitality.VITALITY_COLUMNS``).
    as_of, months
        The window: ``(as_of - months, as_of]``.
    illustrative
        True when the activities are the demo's illustrative ones.
    """

    table: pd.DataFrame
    as_of: dt.date
    months: int
    illustrative: bool

    def to_json_dict(self) -> dict:
        """Return the ``vitality --json`` object."""
        venues = self.table.astype(object).where(self.table.notna(), None)
        return {"as_of": self.as_of.isoformat(), "months": self.months,
                "illustrative": self.illustrative,
                "hollow": int(self.table["hollow"].sum()), "venues_total": len(self.table),
                "venues": venues.to_dict(orient="records")}  # fmt: skip


def load_activities(store_path: str | None, demo: bool) -> tuple[pd.DataFrame, bool]:
    """Return (activities, illustrative): the store's layer, else the demo's when ``demo``."""
    from geo.store import open_store

    stored = open_store(store_path).layer(ACTIVITIES_LAYER)
    if stored is not None and len(stored):
        frame = pd.DataFrame(stored.drop(columns=stored.geometry.name))
        return frame, bool((frame.get("source") == "illustrative").all())
    if demo and DEMO_ACTIVITIES.exists():
        return pd.read_csv(DEMO_ACTIVITIES, dtype=str, keep_default_na=False), True
    return pd.DataFrame(columns=list(ACTIVITY_COLUMNS)), False


def vitality_table(
    inputs: Inputs, *, months: int = 6, as_of: dt.date | None = None
) -> VitalityResult:
    """Return every venue of ``inputs`` with its activity in the last ``months`` months.

    ``as_of`` defaults to today, or for illustrative activities to their last date (the demo
    data end on a fixed day, so its picture does not fade with the calendar).
    """
    activities, illustrative = load_activities(inputs.store_path, inputs.demo_venues)
    day = as_of or dt.date.today()
    if as_of is None and illustrative and len(activities):
        day = dt.date.fromisoformat(str(max(activities["date"]))[:10])
    table = vitality(inputs.venues, activities, as_of=day, months=months)
    return VitalityResult(table, day, months, illustrative)


def active_inputs(inputs: Inputs, result: VitalityResult) -> Inputs:
    """Return ``inputs`` with only the venues that are not hollow in ``result``."""
    living = set(result.table.loc[~result.table["hollow"], "id"])
    venues = inputs.venues[inputs.venues["id"].isin(living)]
    return dataclasses.replace(inputs, venues=gpd.GeoDataFrame(venues, crs=inputs.venues.crs))


def county_activity(venues: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Return monthly activity counts per county (the activity's venue's county code)."""
    county = dict(zip(venues["id"], venues["county_code"], strict=True))
    return monthly_activity(activities, activities["venue_id"].map(county))
