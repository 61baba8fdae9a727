"""Standards in minutes: documented speed x detour without roads, road speeds with them."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from analysis.coverage import assess_coverage
from analysis.standards import standards_from_mapping, uniform_minutes_standards
from geo.errors import AnalysisError
from tests.analysis.conftest import GK, X0, Y0, points


def _case():
    demand = points([(0, 0), (1_000, 0)], village_code=["A", "B"], population=[10, 20])
    venues = points([(3_000, 0)], id=["v"], kind=["other"], status=["in_service"])
    return demand, venues


def _roads(speed_kmh: float) -> gpd.GeoDataFrame:
    line = LineString([(X0 + x, Y0) for x in range(0, 3_001, 500)])  # nodes at A, B and v
    return gpd.GeoDataFrame({"speed_kmh": [speed_kmh]}, geometry=[line], crs=GK)


def test_minutes_without_roads_use_speed_times_detour() -> None:
    demand, venues = _case()
    # 5 min driving at 30 km/h = 2,500 m of road; detour 1: B (2 km) in, A (3 km) out
    standard = standards_from_mapping({"kinds": {"other": {"minutes": 5}}})
    assert standard.get("other").radius_m == pytest.approx(2_500.0)
    out = assess_coverage(demand, venues, standard, detour=1.0)
    assert list(out["level4_covered"]) == [False, True]
    # with detour 1.25 the same 2,500 m of road reach only 2,000 m straight: B just in
    assert list(assess_coverage(demand, venues, standard, detour=1.26)["level4_covered"]) == [
        False, False]  # fmt: skip


@pytest.mark.parametrize(("speed_kmh", "expected"), [(60.0, [True, True]), (30.0, [False, True])])
def test_minutes_with_roads_use_road_speeds(speed_kmh: float, expected: list[bool]) -> None:
    demand, venues = _case()
    # 3 km of road at 60 km/h = 3 min <= 5 (A covered though 3 km > 2,500 m);
    # at 30 km/h A needs 6 min, B 4
    standard = uniform_minutes_standards(5, "drive")
    out = assess_coverage(demand, venues, standard, roads=_roads(speed_kmh))
    assert list(out["level4_covered"]) == expected
    assert out["level4_time_min"].iloc[0] == pytest.approx(3_000 / (speed_kmh / 0.06), rel=1e-6)


def test_walking_standard_and_bad_minutes() -> None:
    standard = standards_from_mapping({"kinds": {"other": {"minutes": 15, "mode": "walk"}}})
    assert standard.get("other").radius_m == pytest.approx(1_125.0)
    with pytest.raises(AnalysisError, match=r"\[kinds.other\] minutes should be a positive"):
        standards_from_mapping({"kinds": {"other": {"minutes": -1}}})
    with pytest.raises(AnalysisError, match=r"\[kinds.other\] mode should be one of"):
        standards_from_mapping({"kinds": {"other": {"minutes": 5, "mode": "horse"}}})
