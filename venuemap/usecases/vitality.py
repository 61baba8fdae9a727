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

from analysis.standards import Standards
from analysis.vitality import (
    ACTIVITY_COLUMNS,
    activity_by_organization,
    monthly_activity,
    vitality,
)
from venuemap.usecases.inputs import Inputs

__all__ = ["ACTIVITIES_LAYER", "DEMO_ACTIVITIES", "VitalityResult", "active_inputs",
           "activity_by_organization", "county_activity", "load_activities",
           "organization_coverage",
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


def load_activities(
    store_path: str | None, demo: bool, venue_ids: pd.Series | None = None
) -> tuple[pd.DataFrame, bool]:
    """Return (activities, illustrative): the store's layer, else the demo's when ``demo``.

    The demo's activities are kept only for the venues of ``venue_ids`` (another region's
    demo register shares none of them).
    """
    from geo.store import open_store

    stored = open_store(store_path).layer(ACTIVITIES_LAYER)
    if stored is not None and len(stored):
        frame = pd.DataFrame(stored.drop(columns=stored.geometry.name))
        return frame, bool((frame.get("source") == "illustrative").all())
    if demo and DEMO_ACTIVITIES.exists():
        frame = pd.read_csv(DEMO_ACTIVITIES, dtype=str, keep_default_na=False)
        if venue_ids is not None:
            frame = frame[frame["venue_id"].isin(set(venue_ids))].reset_index(drop=True)
        return frame, len(frame) > 0
    return pd.DataFrame(columns=list(ACTIVITY_COLUMNS)), False


def vitality_table(
    inputs: Inputs, *, months: int = 6, as_of: dt.date | None = None
) -> VitalityResult:
    """Return every venue of ``inputs`` with its activity in the last ``months`` months.

    ``as_of`` defaults to today, or for illustrative activities to their last date (the demo
    data end on a fixed day, so its picture does not fade with the calendar).
    """
    activities, illustrative = load_activities(
        inputs.store_path, inputs.demo_venues, inputs.venues["id"]
    )
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


def organization_coverage(inputs: Inputs, standard: Standards) -> pd.DataFrame:
    """Return each of the eight organizations' reach: coverage by the venues that host it.

    A venue hosts an organization when its ``organizations`` include it (阵地共用). Returns
    ``organization`` (code), ``venues``, ``population_covered`` and ``share`` (of the
    population), computed by the one coverage use case on the filtered venues.
    """
    from geo.schema import ORGANIZATIONS
    from venuemap.usecases.analysis import coverage_table, coverage_totals

    hosted = inputs.venues.get("organizations", pd.Series("", index=inputs.venues.index))
    codes = hosted.fillna("").astype(str).str.split(";")
    rows = []
    for term in ORGANIZATIONS:
        mask = codes.map(lambda held, code=term.code: code in held).astype(bool)
        subset = dataclasses.replace(inputs, venues=inputs.venues[mask])
        totals = coverage_totals(coverage_table(subset, standard))
        people, covered = totals["population"], totals["population_covered"]
        rows.append({
            "organization": term.code, "venues": int(mask.sum()),
            "population_covered": covered, "share": covered / people if people else 0.0,
        })  # fmt: skip
    return pd.DataFrame(rows)
