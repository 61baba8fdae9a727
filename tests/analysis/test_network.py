import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.network import check_network, find_orphans
from tests.analysis.conftest import GK, X0, Y0, points


@pytest.fixture
def townships():
    return pd.DataFrame({"township_code": ["T1", "T2", "T3"], "name": ["一", "二", "三"]})


def test_hand_counts(demand, venues, townships):
    report = check_network(venues, demand, townships=townships, detour=1.4)
    c = report.counts
    assert (c["townships"], c["townships_with_centre"]) == (3, 1)
    assert (c["villages"], c["villages_with_station"]) == (4, 1)
    assert c["stations_beyond_township_standard"] == 0  # 10.05 km x 1.4 = 14.07 km <= 15 km
    assert c["stations_nearest_centre_in_other_township"] == 1  # s1 in T2, t1 in T1
    assert c["centres_beyond_county_standard"] == 1  # no county venue at all
    assert list(report.townships_without_centre["township_code"]) == ["T2", "T3"]
    assert list(report.villages_without_station["village_code"]) == ["V-A", "V-B", "V-C"]


def test_standards_decide_who_is_beyond(demand, venues, townships):
    county = points([(0, 30_000)], id=["c"], kind=["county_centre"], county_code=["632301"])
    all_venues = pd.concat([venues, county], ignore_index=True)
    far = check_network(all_venues, demand, townships=townships, detour=1.6)
    assert far.counts["stations_beyond_township_standard"] == 1  # 16.08 km
    assert far.counts["centres_beyond_county_standard"] == 1  # 42 km
    near = check_network(all_venues, demand, townships=townships, detour=1.2)
    assert near.counts["stations_beyond_township_standard"] == 0
    assert near.counts["centres_beyond_county_standard"] == 0  # 36 km
    assert near.stations_nearest_centre_in_other_township["nearest_centre_id"].tolist() == ["t1"]


def test_orphans(venues, townships):
    counties = gpd.GeoDataFrame(
        {"county_code": ["632301"]},
        geometry=[box(X0 - 1000, Y0 - 1000, X0 + 20_000, Y0 + 5000)],
        crs=GK,
    )
    extra = points(
        [(50_000, 50_000), (0, 0), (0, 0)],
        id=["far", "nocode", "badcounty"],
        kind=["village_station"] * 3,
        township_code=["T1", "T9", "T1"],
        county_code=["632301", "632301", "999999"],
    )
    orphans = find_orphans(pd.concat([venues, extra], ignore_index=True), townships, counties)
    reasons = dict(zip(orphans["id"], orphans["reason"], strict=True))
    assert reasons == {
        "far": "outside its stated county",
        "nocode": "unknown township_code",
        "badcounty": "unknown county_code",
    }


def test_demo_network_26_of_33_and_178_of_299():
    from geo.boundaries import load_layer

    report = check_network(
        load_layer("venues_demo"),
        load_layer("villages"),
        townships=load_layer("townships"),
        counties=load_layer("counties"),
    )
    assert (report.counts["townships_with_centre"], report.counts["townships"]) == (26, 33)
    assert (report.counts["villages_with_station"], report.counts["villages"]) == (178, 299)
    assert report.counts["enterprise_homes"] == 20
