"""The vectorised county checks of `find_orphans` equal the per-venue logic they replaced."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from analysis._validate import codes
from analysis.network import find_orphans
from tests.analysis.conftest import GK, X0, Y0


def reference_county_reasons(
    venues: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, level: pd.Series
) -> pd.Series:
    """The former per-venue implementation: a buffered copy of the county polygon per venue."""
    reasons = pd.Series("", index=venues.index, dtype=object)
    known = set(codes(counties, "county_code"))
    county = pd.Series(codes(venues, "county_code"), index=venues.index)
    unknown = (level >= 2) & ~county.isin(known)
    reasons[unknown] += "unknown county_code; "
    shapes = dict(zip(codes(counties, "county_code"), counties.geometry, strict=True))
    claimed = gpd.GeoSeries([shapes.get(c) for c in county], index=venues.index, crs=venues.crs)
    checkable = (level >= 2) & ~unknown & claimed.notna()
    if checkable.any():
        inside = venues.geometry[checkable].intersects(claimed[checkable].buffer(0))
        reasons[inside.index[~inside.to_numpy()]] += "outside its stated county; "
    return reasons


def reference_orphans(venues: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.Series:
    """Reasons of the orphans as the former `find_orphans` gave them (no township table)."""
    level = venues["kind"].map({"prefecture_centre": 1, "county_centre": 2}).fillna(3)
    reasons = reference_county_reasons(venues, counties, level)
    return reasons[reasons != ""].str.rstrip("; ")


def random_instance(seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Counties: a 3 x 2 grid of 10 km squares, one a self-touching bow-tie (needs buffer(0)),
    one listed twice, one without a polygon; venues anywhere, some codes unknown or missing."""
    rng = np.random.default_rng(seed)
    cells = [box(X0 + i * 10_000, Y0 + j * 10_000, X0 + (i + 1) * 10_000, Y0 + (j + 1) * 10_000)
             for j in range(2) for i in range(3)]  # fmt: skip
    bowtie = Polygon([(X0, Y0), (X0 + 10_000, Y0 + 10_000), (X0 + 10_000, Y0), (X0, Y0 + 10_000)])
    geoms = [bowtie, *cells[1:], cells[2].buffer(-2000), None]
    county_codes = ["632301", "632322", "632323", "632324", "632325", "632326", "632323", "632327"]
    counties = gpd.GeoDataFrame({"county_code": county_codes}, geometry=geoms, crs=GK)
    n = 400
    x = X0 + rng.uniform(-5000, 35_000, n)
    y = Y0 + rng.uniform(-5000, 25_000, n)
    pool = np.array([*sorted(set(county_codes)), "999999", None], dtype=object)
    venues = gpd.GeoDataFrame(
        {
            "id": [f"v{i}" for i in range(n)],
            "kind": rng.choice(["prefecture_centre", "county_centre", "township_centre",
                                "village_station"], n),  # fmt: skip
            "county_code": rng.choice(pool, n),
        },
        geometry=gpd.points_from_xy(x, y),
        crs=GK,
    )
    venues.loc[venues.index[:3], "geometry"] = None
    return venues, counties


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_county_checks_equal_per_venue_logic(seed):
    venues, counties = random_instance(seed)
    expected = reference_orphans(venues, counties)
    got = find_orphans(venues, None, counties)
    assert len(expected) > 50  # the instance really exercises both reasons
    assert set(expected.str.contains("outside")) == {True, False}
    pd.testing.assert_series_equal(got["reason"], expected, check_names=False)
    assert list(got["id"]) == list(venues.loc[expected.index, "id"])
