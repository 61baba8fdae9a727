"""Illustrative activities for the demo register (有阵地无活动), by a documented rule.

The seed report says many venues hold few activities but lists none, so every activity here is
ILLUSTRATIVE (``source = illustrative``) and chosen by this deterministic rule, per venue, with a
random generator seeded by the venue id (:func:`geo.build_common.stable_seed`):

* Activities run from January of the later of 2023 and the venue's ``year_opened`` to
  :data:`DEMO_UNTIL`, as a Poisson process of :data:`MONTHLY_RATE` activities a month by level
  (prefecture 4, county 2, township 1, village 0.5); planned venues hold none.
* About :data:`HOLLOW_SHARE` (20 %) of the venues are hollow: their activities stop 7 to 18
  months before :data:`DEMO_UNTIL`, so they held nothing in the last six months.
* Each activity is held by one or two of the venue's organizations, with 10–80 participants
  (times 3 at prefecture and county centres) and a title from :data:`TITLES`.

``python -m geo.demo_activities`` writes ``data/demo/activities.csv`` from
``data/demo/venues.geojson``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.build_common import stable_seed

#: The last day the illustrative activities cover (the default ``--as-of`` on the demo).
DEMO_UNTIL = dt.date(2026, 11, 30)
#: Activities a month per venue level (1 prefecture … 4 village).
MONTHLY_RATE = {1: 4.0, 2: 2.0, 3: 1.0, 4: 0.5}
HOLLOW_SHARE = 0.2
TITLES = {
    "union": "职工技能培训", "youth_league": "青年志愿服务", "women": "妇女儿童关爱活动",
    "science": "科普宣传进村", "literature_art": "文艺演出", "disabled": "助残服务日",
    "red_cross": "应急救护培训", "commerce": "商会助农对接",
}  # fmt: skip
OUT = Path(__file__).resolve().parents[1] / "data" / "demo" / "activities.csv"


def venue_activities(venue: pd.Series) -> list[dict]:
    """Return the illustrative activities of one venue (see the module docstring)."""
    if venue.get("status") == "planned":
        return []
    rng = np.random.default_rng(stable_seed(f"activities:{venue['id']}"))
    hollow = rng.random() < HOLLOW_SHARE
    year = venue.get("year_opened")
    start = dt.date(max(2023, int(year) if pd.notna(year) else 2023), 1, 1)
    end = DEMO_UNTIL - dt.timedelta(days=int(rng.integers(7 * 31, 18 * 31))) if hollow \
        else DEMO_UNTIL  # fmt: skip
    days = (end - start).days
    if days <= 0:
        return []
    level = int(venue.get("level") or 4)
    count = int(rng.poisson(MONTHLY_RATE.get(level, 0.5) * days / 30.4))
    orgs = [o for o in str(venue.get("organizations") or "").split(";") if o] or list(TITLES)
    rows = []
    for offset in sorted(rng.integers(0, days + 1, size=count)):
        held = sorted(set(rng.choice(orgs, size=min(len(orgs), int(rng.integers(1, 3))))))
        rows.append({
            "venue_id": venue["id"], "date": (start + dt.timedelta(days=int(offset))).isoformat(),
            "title": TITLES.get(held[0], "群团活动"), "organizations": ";".join(held),
            "participants": int(rng.integers(10, 81)) * (3 if level <= 2 else 1),
            "source": "illustrative",
        })  # fmt: skip
    return rows


def build_demo_activities(venues: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the illustrative activities of every demo venue, sorted by date and venue."""
    rows = [row for _, venue in venues.iterrows() for row in venue_activities(venue)]
    frame = pd.DataFrame(rows, columns=["venue_id", "date", "title", "organizations",
                                        "participants", "source"])  # fmt: skip
    return frame.sort_values(["date", "venue_id"], ignore_index=True)


if __name__ == "__main__":
    demo = gpd.read_file(OUT.with_name("venues.geojson"))
    build_demo_activities(demo).to_csv(OUT, index=False, encoding="utf-8")
    print(f"{OUT}: written")
