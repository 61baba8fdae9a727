import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point

from analysis.coverage import assess_coverage, coverage_totals, summarise_coverage
from geo.errors import AnalysisError, CRSError
from tests.analysis.conftest import points


def test_hand_computed_levels(demand, venues):
    r = assess_coverage(demand, venues, detour=1.2)
    np.testing.assert_allclose(
        r["level3_distance_m"], [0, 3600, 12_000, np.hypot(10_000, 10_000) * 1.2]
    )
    assert list(r["level3_covered"]) == [True, True, True, False]  # 15 km township standard
    assert list(r["level4_venue_id"]) == ["s1"] * 4
    # station: C within 2 km (1.2 km effective); D is its own village although 9 km away
    assert list(r["level4_covered"]) == [False, False, True, True]
    assert list(r["covered"]) == [True, True, True, True]
    assert r["level2_distance_m"].isin([np.inf]).all() and not r["level2_covered"].any()
    assert r.index.equals(demand.index) and r.crs == demand.crs


def test_straight_line_when_detour_is_one(demand, venues):
    r = assess_coverage(demand, venues, detour=1)
    assert r["level3_covered"].all()  # D at 14.14 km


def test_default_detour_is_mountain_value(demand, venues):
    r = assess_coverage(demand, venues)
    assert r.loc[1, "level3_distance_m"] == pytest.approx(3000 * 1.4)


def test_planned_and_enterprise_venues_left_out_unless_asked(demand, venues):
    extra = points([(10_000, 10_000), (10_000, 10_000)], id=["c1", "e1"],
                   kind=["county_centre", "enterprise_home"], status=["planned", "in_service"])
    both = pd.concat([venues, extra], ignore_index=True)
    r = assess_coverage(demand, both, detour=1.2)
    assert not r["level2_covered"].any()
    assert list(r["level4_venue_id"]) == ["s1"] * 4  # enterprise home is not geographic
    r = assess_coverage(demand, both, detour=1.2, statuses=("in_service", "planned"))
    assert list(r["level2_covered"]) == [True, True, True, True]  # 40 km county standard


def test_prefecture_centre_covers_its_prefecture_only(demand, venues):
    pref = points([(50_000, 50_000)], id=["p"], kind=["prefecture_centre"], county_code=["632301"])
    r = assess_coverage(demand, pd.concat([venues, pref], ignore_index=True))
    assert r["level1_covered"].all()
    pref["county_code"] = ["632201"]  # another prefecture (Haibei)
    r = assess_coverage(demand, pd.concat([venues, pref], ignore_index=True))
    assert not r["level1_covered"].any()


def test_summary_by_county_with_totals(demand, venues):
    r = assess_coverage(demand, venues, detour=1.2, kinds=["village_station"])
    table = summarise_coverage(r, "county_code").set_index("county_code")
    assert table.loc["632301", ["demand", "covered", "population", "population_covered"]
                     ].tolist() == [3, 1, 600, 300]
    assert table.loc["632301", "population_share_covered"] == pytest.approx(0.5)
    assert table.loc["all", ["demand", "covered", "population_covered"]].tolist() == [4, 2, 700]
    assert coverage_totals(r) == {"demand": 4, "covered": 2, "population": 1000.0,
                                  "population_covered": 700.0}


def test_summary_by_township(demand, venues):
    r = assess_coverage(demand, venues, detour=1.2)
    table = summarise_coverage(r, "township_code", totals=False)
    assert list(table["township_code"]) == ["T1", "T2"]


def test_national_data_measured_on_the_sphere_matches_geodesic():
    demand = gpd.GeoDataFrame({"population": [1, 1]},
                              geometry=[Point(116.4, 39.9), Point(87.6, 43.8)], crs="EPSG:4326")
    venues = gpd.GeoDataFrame({"id": ["lz"], "kind": ["county_centre"]},
                              geometry=[Point(103.8, 36.06)], crs="EPSG:4326")
    r = assess_coverage(demand, venues, detour=1)
    geodesic = Geod(ellps="GRS80").inv([116.4, 87.6], [39.9, 43.8], [103.8] * 2, [36.06] * 2)[2]
    np.testing.assert_allclose(r["level2_distance_m"], geodesic, rtol=0.005)


def test_empty_demand_refused(demand, venues):
    with pytest.raises(AnalysisError, match="'demand' is empty \\(0 rows\\)"):
        assess_coverage(demand.iloc[:0], venues)


def test_missing_population_column_refused(demand, venues):
    with pytest.raises(AnalysisError, match="demand has no population column 'population'"):
        assess_coverage(demand.drop(columns="population"), venues)


def test_negative_population_refused(demand, venues):
    demand.loc[2, "population"] = -5
    with pytest.raises(AnalysisError, match="non-negative numbers; 1 row"):
        assess_coverage(demand, venues)


def test_crs_mismatch_refused(demand, venues):
    with pytest.raises(CRSError, match="CRS mismatch"):
        assess_coverage(demand, venues.to_crs("EPSG:4326"))


def test_detour_below_one_refused(demand, venues):
    with pytest.raises(AnalysisError, match="detour should be >= 1"):
        assess_coverage(demand, venues, detour=0.8)


def test_no_venues_means_nothing_covered(demand, venues):
    r = assess_coverage(demand, venues.iloc[:0])
    assert not r["covered"].any()
