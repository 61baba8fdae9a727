import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from analysis.coverage import assess_coverage
from analysis.gaps import (
    redundant_venues,
    service_deserts,
    townships_without_centre,
    uncovered_demand,
)
from geo.errors import AnalysisError
from tests.analysis.conftest import points


def test_uncovered_ranked_by_population_then_distance(demand, venues):
    demand["population"] = [200, 200, 300, 400]
    r = assess_coverage(demand, venues, detour=1.2, kinds=["village_station"])
    ranked = uncovered_demand(r)
    assert list(ranked["village_code"]) == ["V-A", "V-B"]  # same population: A is farther
    assert list(ranked["rank"]) == [1, 2]
    assert ranked["nearest_distance_m"].iloc[0] == pytest.approx(np.hypot(10_000, 1000) * 1.2)


def test_deserts_sum_uncovered_population_per_hexagon(demand, venues):
    r = assess_coverage(demand, venues, detour=1.2, kinds=["village_station"])
    coarse = service_deserts(r, resolution=4)  # ~22 km edge: A and B share a cell
    assert coarse["uncovered_population"].tolist() == [300]
    assert coarse["uncovered_points"].tolist() == [2]
    assert coarse.crs == "EPSG:4326"
    lonlat = r.to_crs("EPSG:4326").geometry
    assert coarse.geometry.iloc[0].contains(lonlat.iloc[0])
    fine = service_deserts(r, resolution=9)  # ~0.2 km edge: one cell each
    assert sorted(fine["uncovered_population"]) == [100, 200]


def test_no_gap_no_desert(demand, venues):
    r = assess_coverage(demand, venues, detour=1)
    assert len(service_deserts(r)) == 0 and len(uncovered_demand(r)) == 0


def test_redundant_venues(demand):
    stations = points(
        [(0, 0), (0, 500), (10_000, 0), (30_000, 30_000)],
        id=["s1", "s2", "s3", "s4"], kind=["village_station"] * 4,
    )
    out = redundant_venues(demand, stations, detour=1)
    assert dict(zip(out["id"], out["covers_points"], strict=True)) == {"s1": 1, "s2": 1, "s4": 0}


def test_townships_without_centre(venues):
    townships = pd.DataFrame({"township_code": ["T1", "T2"]})
    assert list(townships_without_centre(townships, venues)["township_code"]) == ["T2"]


def test_gap_functions_need_a_coverage_result(demand):
    with pytest.raises(AnalysisError, match="run assess_coverage first"):
        uncovered_demand(demand)
    with pytest.raises(AnalysisError, match="H3 resolution should be 0-15"):
        service_deserts(demand.assign(covered=False), resolution=16)


def test_polygon_demand_measured_at_a_point(demand, venues):
    areas = demand.copy()
    areas["geometry"] = [Point(p.x, p.y).buffer(100) for p in demand.geometry]
    r = assess_coverage(areas, venues, detour=1.2)
    np.testing.assert_allclose(r["level3_distance_m"].iloc[:3], [0, 3600, 12_000], atol=130)


def _redundant_reference(demand, venues, standards, detour):
    """The pre-blocking logic: one dense cover matrix, a loop per venue (kept as the oracle)."""
    stds = [standards.get(k) for k in venues["kind"]]
    keep = [s.scope == "radius" for s in stds]
    live, stds = venues.loc[keep], [s for s, k in zip(stds, keep, strict=True) if k]
    d = np.column_stack([demand.geometry.x, demand.geometry.y])
    v = np.column_stack([live.geometry.x, live.geometry.y])
    dist = np.hypot(d[:, None, 0] - v[None, :, 0], d[:, None, 1] - v[None, :, 1])
    reach = np.array([s.radius_m for s in stds]) / max(detour, 1.0)
    cover = dist <= reach[None, :]
    for j, s in enumerate(stds):
        if s.own_village and isinstance(live["village_code"].iloc[j], str):
            cover[:, j] |= (demand["village_code"] == live["village_code"].iloc[j]).to_numpy()
    level = np.array([s.level for s in stds])
    result = {}
    for j in range(len(live)):
        same = cover[:, level == level[j]].sum(axis=1)
        rows = np.flatnonzero(cover[:, j])
        if (same[rows] >= 2).all():
            result[live["id"].iloc[j]] = len(rows)
    return result


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_redundant_venues_match_the_reference_on_random_networks(seed):
    from analysis.standards import default_standards

    rng = np.random.default_rng(seed)
    n_demand, n_venues = 60, 40
    village = [f"V{i % 25}" for i in range(n_demand)]
    demand = points(rng.uniform(0, 20_000, (n_demand, 2)), village_code=village)
    kinds = rng.choice(["village_station", "township_centre", "other", "enterprise_home",
                        "county_centre"], n_venues, p=[0.5, 0.2, 0.15, 0.05, 0.1])
    venues = points(
        rng.uniform(0, 20_000, (n_venues, 2)), id=[f"s{j}" for j in range(n_venues)],
        kind=kinds, status=["in_service"] * n_venues,
        village_code=[f"V{c}" if c < 30 else None for c in rng.integers(0, 40, n_venues)],
    )
    standards = default_standards()
    out = redundant_venues(demand, venues, standards, detour=1.3)
    got = dict(zip(out["id"], out["covers_points"], strict=True))
    want = _redundant_reference(demand, venues, standards, 1.3)
    assert got == want
    assert 0 < len(want) < n_venues  # both outcomes occur, so the comparison is not vacuous
