import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from analysis.coverage import assess_coverage
from analysis.metric import MetricFrame
from analysis.roads import RoadNetwork
from geo.errors import AnalysisError
from tests.analysis.conftest import GK, X0, Y0, points

FRAME = MetricFrame("plane", crs=GK)


def lines(coords_list, **columns):
    geoms = [LineString([(X0 + x, Y0 + y) for x, y in coords]) for coords in coords_list]
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=GK)


def xy(pairs):
    return np.array([[X0 + x, Y0 + y] for x, y in pairs], dtype=float)


@pytest.fixture
def tee():
    """A T: (0,0)-(1 km,0)-(2 km,0) and a branch (1 km,0)-(1 km,1 km); 36 km/h = 10 m/s."""
    return lines([[(0, 0), (1000, 0), (2000, 0)], [(1000, 0), (1000, 1000)]], speed_kmh=[36, 36])


def test_network_distance_adds_snap_distances(tee):
    net = RoadNetwork.from_roads(tee, FRAME)
    dist, site, minutes = net.nearest(xy([(0, 10)]), xy([(1000, 1000), (2000, 5)]))
    np.testing.assert_allclose(dist, [10 + 1000 + 1000, 10 + 2000 + 5])
    assert list(site) == [0, 0]
    connector = 5 / 3.6  # m/s
    np.testing.assert_allclose(
        minutes, [(200 + 10 / connector) / 60, (200 + 15 / connector) / 60]
    )


def test_network_changes_which_venue_is_nearest():
    roads = lines([[(0, 0), (1000, 0), (2000, 0)], [(1000, 300), (2000, 300), (2000, 0)]])
    venues = points([(0, 0), (1000, 300)], id=["A", "B"], kind=["township_centre"] * 2)
    demand = points([(1000, 0)], population=[10])
    straight = assess_coverage(demand, venues, detour=1)
    assert straight.loc[0, "level3_venue_id"] == "B"
    assert straight.loc[0, "level3_distance_m"] == pytest.approx(300)
    by_road = assess_coverage(demand, venues, roads=roads)
    assert by_road.loc[0, "level3_venue_id"] == "A"
    assert by_road.loc[0, "level3_distance_m"] == pytest.approx(1000)
    assert "level3_time_min" not in by_road  # no speeds, no times


def test_unreachable_demand_is_uncovered_and_times_reported(tee):
    island = lines([[(5000, 5000), (5100, 5000)]], speed_kmh=[36])
    roads = gpd.GeoDataFrame(
        gpd.pd.concat([tee, island], ignore_index=True), geometry="geometry", crs=GK
    )
    venues = points([(0, 0)], id=["A"], kind=["township_centre"])
    demand = points([(2000, 0), (5100, 5000)], population=[1, 1])
    r = assess_coverage(demand, venues, roads=roads)
    assert r.loc[0, "level3_distance_m"] == pytest.approx(2000)
    assert r.loc[0, "level3_time_min"] == pytest.approx(200 / 60)
    assert np.isinf(r.loc[1, "level3_distance_m"]) and not r.loc[1, "level3_covered"]
    assert gpd.pd.isna(r.loc[1, "level3_venue_id"])


def test_road_class_gives_speeds():
    roads = lines([[(0, 0), (1000, 0)]], highway=["primary"])
    net = RoadNetwork.from_roads(roads, FRAME)
    assert net.has_time
    (u, v, data), = net.graph.edges(data=True)
    assert data["time_s"] == pytest.approx(1000 / (60 / 3.6))


def test_roads_must_be_lines():
    bad = gpd.GeoDataFrame(geometry=[Point(X0, Y0)], crs=GK)
    with pytest.raises(AnalysisError, match=r"roads should be LineStrings, got \['Point'\]"):
        RoadNetwork.from_roads(bad, FRAME)
    with pytest.raises(AnalysisError, match="non-empty GeoDataFrame of LineStrings"):
        RoadNetwork.from_roads(bad.iloc[:0], FRAME)


def components(net):
    import networkx as nx

    return nx.number_connected_components(net.graph)


@pytest.mark.parametrize("seed", range(20))
def test_ends_millimetres_apart_join_anywhere(seed):
    """Rounding lon/lat to 7 decimals joined such ends only sometimes (164 of 400 trials)."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-50_000, 50_000, 2)
    angle = rng.uniform(0, 2 * np.pi)
    gap = 0.0045 * np.array([np.cos(angle), np.sin(angle)])
    roads = lines([[(x - 1000, y), (x, y)], [(x + gap[0], y + gap[1]), (x, y + 1000)]])
    net = RoadNetwork.from_roads(roads.to_crs("EPSG:4326"), FRAME)
    assert components(net) == 1 and len(net.node_xy) == 3
    dist, _, _ = net.nearest(xy([(x - 1000, y)]), xy([(x, y + 1000)]))
    assert dist[0] == pytest.approx(2000, abs=0.01)


@pytest.mark.parametrize(("snap_m", "joined"), [(1.0, False), (0.0, False), (3.0, True)])
def test_ends_two_metres_apart_join_only_within_snap(snap_m, joined):
    roads = lines([[(0, 0), (1000, 0)], [(1002, 0), (1002, 1000)]])
    net = RoadNetwork.from_roads(roads, FRAME, snap_m=snap_m)
    assert components(net) == (1 if joined else 2)


def test_snap_distance_must_be_non_negative():
    with pytest.raises(AnalysisError, match="snap_m and connect_m should be >= 0 metres"):
        RoadNetwork.from_roads(lines([[(0, 0), (1000, 0)]]), FRAME, snap_m=-1)


def test_point_beside_an_isolated_fragment_uses_the_main_network():
    """The issue's case: the nearest road is a 50 m fragment; a connected road is 100 m away."""
    main = [[(0, 0), (1000, 0), (2000, 0)]]
    fragment = [[(1950, 110), (2000, 110)]]
    roads = lines(main + fragment)
    venues = points([(0, 0)], id=["A"], kind=["township_centre"])
    demand = points([(2000, 100)], population=[50])
    r = assess_coverage(demand, venues, roads=roads)
    assert r.loc[0, "level3_distance_m"] == pytest.approx(2000 + 100)
    assert r.loc[0, "level3_venue_id"] == "A"
    assert r.loc[0, "road_access_m"] == pytest.approx(100) and r.loc[0, "road_reachable"]


def test_points_beyond_connect_m_are_unreachable_and_reported():
    roads = lines([[(0, 0), (1000, 0), (2000, 0)]])
    venues = points([(0, 0), (2000, 7000)], id=["A", "far"], kind=["township_centre"] * 2)
    demand = points([(2000, 10), (2000, 6000)], population=[1, 2])
    r = assess_coverage(demand, venues, roads=roads)
    assert r.loc[0, "level3_venue_id"] == "A"  # the far venue (7 km off the road) serves no one
    assert r.loc[0, "level3_distance_m"] == pytest.approx(2010)
    assert np.isinf(r.loc[1, "level3_distance_m"]) and not r.loc[1, "level3_covered"]
    assert r.loc[1, "road_access_m"] == pytest.approx(6000) and not r.loc[1, "road_reachable"]
    net = RoadNetwork.from_roads(roads, FRAME)
    far = net.unreachable(points([(0, 100), (2000, 6000), (0, -5001)], id=["a", "b", "c"]))
    assert list(far["id"]) == ["b", "c"]
    np.testing.assert_allclose(far["road_access_m"], [6000, 5001])
    wide = assess_coverage(demand, venues, roads=roads, connect_m=8000)
    assert wide.loc[1, "level3_distance_m"] == pytest.approx(6000 + 2000)
    assert wide.loc[1, "road_reachable"]
