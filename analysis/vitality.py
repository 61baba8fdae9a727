"""Venue vitality (有阵地无活动): which venues held activities in a recent window.

A venue that holds no activity serves nobody, whatever its radius. :func:`vitality` counts,
per venue, the activities dated inside the window ``(as_of - months, as_of]``, their
participants, the last activity date and the organizations that took part; a venue with no
activity in the window is ``hollow``. Pure computation: frames in, a frame out.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

#: Columns of the activities register (the store's ``activities`` table).
ACTIVITY_COLUMNS = ("venue_id", "date", "title", "organizations", "participants", "source")
#: Columns :func:`vitality` returns, one row per venue.
VITALITY_COLUMNS = ("id", "name", "county_code", "activities", "participants",
                    "last_activity", "organizations", "hollow")  # fmt: skip


def window_start(as_of: dt.date, months: int) -> dt.date:
    """Return the first excluded day of the window: ``as_of`` minus ``months`` calendar months.

    The window is ``(start, as_of]``; a day missing in the target month (31 March minus one
    month) falls back to that month's last day.
    """
    if months < 1:
        raise ValueError(f"months must be a whole number >= 1, got {months}")
    return (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()


def split_organizations(value: object) -> list[str]:
    """Return the organizations of one activity cell (a list, or ``;``-separated text)."""
    if isinstance(value, list | tuple):
        items = value
    elif value is None or (isinstance(value, float) and value != value):
        items = []
    else:
        items = str(value).replace("；", ";").replace("、", ";").split(";")
    return [str(item).strip() for item in items if str(item).strip()]


def in_window(activities: pd.DataFrame, as_of: dt.date, months: int) -> pd.DataFrame:
    """Return the activities dated inside ``(as_of - months, as_of]``."""
    dates = pd.to_datetime(activities["date"], errors="coerce").dt.date
    start = window_start(as_of, months)
    return activities[(dates > start) & (dates <= as_of)].assign(date=dates)


def vitality(
    venues: pd.DataFrame, activities: pd.DataFrame, *, as_of: dt.date, months: int = 6
) -> pd.DataFrame:
    """Return one row per venue with its activity in the window and whether it is hollow.

    Parameters
    ----------
    venues
        The register: ``id`` and optionally ``name`` and ``county_code``.
    activities
        Rows with ``venue_id``, ``date`` (ISO text or date), ``organizations`` (list or
        ``;`` text) and ``participants`` (number or empty).
    as_of
        The last day of the window (included).
    months
        Window length in calendar months.

    Returns
    -------
    pandas.DataFrame
        :data:`VITALITY_COLUMNS`, in the venues' order: ``activities`` (count),
        ``participants`` (sum), ``last_activity`` (ISO date or None), ``organizations``
        (sorted list) and ``hollow`` (True when the venue held nothing in the window).
    """
    recent = in_window(activities, as_of, months) if len(activities) else activities
    groups = {venue: rows for venue, rows in recent.groupby("venue_id")} if len(recent) else {}
    out = []
    for _, venue in venues.iterrows():
        rows = groups.get(venue["id"])
        count = 0 if rows is None else len(rows)
        people = (
            0
            if rows is None
            else int(pd.to_numeric(rows["participants"], errors="coerce").fillna(0).sum())
        )
        orgs = set() if rows is None else {o for v in rows["organizations"]
                                           for o in split_organizations(v)}  # fmt: skip
        out.append({
            "id": venue["id"], "name": venue.get("name"), "county_code": venue.get("county_code"),
            "activities": count, "participants": people,
            "last_activity": None if rows is None else max(rows["date"]).isoformat(),
            "organizations": sorted(orgs), "hollow": count == 0,
        })  # fmt: skip
    frame = pd.DataFrame(out, columns=list(VITALITY_COLUMNS))
    last = [v if isinstance(v, str) else None for v in frame["last_activity"]]
    frame["last_activity"] = pd.Series(last, index=frame.index, dtype=object)
    return frame


def monthly_activity(activities: pd.DataFrame, by: pd.Series) -> pd.DataFrame:
    """Return activity counts per month and group (``by`` aligned on ``activities``).

    Returns columns ``month`` (first day, ISO text), ``group`` and ``activities``.
    """
    dates = pd.to_datetime(activities["date"], errors="coerce")
    frame = pd.DataFrame({"month": dates.dt.to_period("M").dt.start_time.dt.date.astype(str),
                          "group": by.values}).dropna()  # fmt: skip
    counts = frame.groupby(["month", "group"]).size().reset_index(name="activities")
    return counts.sort_values(["month", "group"], ignore_index=True)


def activity_by_organization(activities: pd.DataFrame) -> pd.DataFrame:
    """Return monthly activity counts per organization (an activity counts for each of its)."""
    exploded = activities.assign(
        organization=activities["organizations"].map(split_organizations)
    ).explode("organization")
    exploded = exploded[exploded["organization"].notna()]
    return monthly_activity(exploded, exploded["organization"])
