"""analysis.vitality on three venues and five activities whose answer is countable by hand."""

import datetime as dt

import pandas as pd
import pytest

from analysis.vitality import (
    activity_by_organization,
    monthly_activity,
    vitality,
    window_start,
)

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def venues():
    return pd.DataFrame({"id": ["A", "B", "C"], "name": ["甲", "乙", "丙"],
                         "county_code": ["632301", "632301", "632322"]})  # fmt: skip


@pytest.fixture
def activities():
    return pd.DataFrame({
        "venue_id": ["A", "A", "B", "B", "C"],
        # A: two inside; B: one inside (the last day), one 1 day too old; C: none inside
        "date": ["2025-03-08", "2025-05-04", "2025-06-30", "2024-12-30", "2024-07-01"],
        "organizations": ["women", "union;youth_league", ["science"], "women", "union"],
        "participants": [40, 25, None, 100, 9],
    })  # fmt: skip


def test_window_counts_by_hand(venues, activities):
    table = vitality(venues, activities, as_of=AS_OF, months=6).set_index("id")
    assert table.loc["A", "activities"] == 2 and table.loc["A", "participants"] == 65
    assert table.loc["A", "last_activity"] == "2025-05-04"
    assert table.loc["A", "organizations"] == ["union", "women", "youth_league"]
    assert table.loc["B", "activities"] == 1 and table.loc["B", "participants"] == 0
    assert table.loc["B", "organizations"] == ["science"]
    assert table.loc["C", "activities"] == 0 and table.loc["C", "last_activity"] is None
    assert list(table["hollow"]) == [False, False, True]


def test_window_edges(venues, activities):
    # 2024-12-30 lies just outside six months before 2025-06-30; a 7-month window takes it
    assert window_start(AS_OF, 6) == dt.date(2024, 12, 30)
    table = vitality(venues, activities, as_of=AS_OF, months=7).set_index("id")
    assert table.loc["B", "activities"] == 2 and table.loc["B", "participants"] == 100
    # as of the day before, the window (2024-12-29, 2025-06-29] holds B's older one only
    table = vitality(venues, activities, as_of=dt.date(2025, 6, 29), months=6).set_index("id")
    assert table.loc["B", "activities"] == 1 and table.loc["B", "last_activity"] == "2024-12-30"
    # and a window ending before 2024-12-30 leaves B hollow
    table = vitality(venues, activities, as_of=dt.date(2024, 12, 29), months=1).set_index("id")
    assert table["hollow"].all()
    # a 12-month window reaches C's activity of 2024-07-01
    table = vitality(venues, activities, as_of=AS_OF, months=12).set_index("id")
    assert not table["hollow"].any()


def test_no_activities_means_every_venue_hollow(venues):
    empty = pd.DataFrame(columns=["venue_id", "date", "organizations", "participants"])
    table = vitality(venues, empty, as_of=AS_OF)
    assert table["hollow"].all() and (table["activities"] == 0).all()


def test_months_must_be_positive():
    with pytest.raises(ValueError, match="months must be a whole number >= 1, got 0"):
        window_start(AS_OF, 0)


def test_monthly_activity_per_county_and_organization(activities):
    county = activities["venue_id"].map({"A": "632301", "B": "632301", "C": "632322"})
    per_county = monthly_activity(activities, county)
    counts = {(m, g): n for m, g, n in per_county.itertuples(index=False)}
    assert counts == {("2024-07-01", "632322"): 1, ("2024-12-01", "632301"): 1,
                      ("2025-03-01", "632301"): 1, ("2025-05-01", "632301"): 1,
                      ("2025-06-01", "632301"): 1}  # fmt: skip
    per_org = activity_by_organization(activities)
    # the activity of 2025-05-04 counts once for each of its two organizations
    may = per_org[per_org["month"] == "2025-05-01"]
    assert dict(zip(may["group"], may["activities"], strict=True)) == {
        "union": 1, "youth_league": 1}
    assert per_org["activities"].sum() == 6
