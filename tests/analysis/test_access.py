"""Access measures: hand-computed tiny cases and agreement with PySAL ``access`` (1e-6)."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist

from analysis.access import Catchment, assess_access, decay_weights
from analysis.capacity import DEFAULT_CAPACITY_BY_KIND, venue_capacity
from analysis.standards import default_standards
from geo.errors import AnalysisError

# PySAL access 1.1 calls pandas with inplace=True, deprecated in pandas 3.1: not our code.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")

CRS = "EPSG:4543"  # CGCS2000 Gauss-Krüger CM 102°E: plane metres over Huangnan
X0, Y0 = 500_000.0, 3_930_000.0


def _layer(xy: np.ndarray, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)


def _instance(seed: int, n: int = 40, m: int = 9):
    rng = np.random.default_rng(seed)
    dxy = np.column_stack([X0, Y0]) + rng.uniform(0, 20_000, (n, 2))
    vxy = np.column_stack([X0, Y0]) + rng.uniform(0, 20_000, (m, 2))
    demand = _layer(dxy, id=[f"d{i}" for i in range(n)], population=rng.integers(50, 3000, n))
    venues = _layer(vxy, id=[f"v{j}" for j in range(m)], kind="other",
                    capacity=rng.integers(100, 5000, m).astype(float))  # fmt: skip
    return demand, venues, dxy, vxy


def _pysal(demand, venues, dxy, vxy, detour, call):
    from access import Access

    logging.getLogger("access").setLevel(logging.WARNING)
    cost = cdist(dxy, vxy) * detour
    rows, cols = np.meshgrid(np.arange(len(dxy)), np.arange(len(vxy)), indexing="ij")
    cost_df = pd.DataFrame({"origin": demand["id"].to_numpy()[rows.ravel()],
                            "dest": venues["id"].to_numpy()[cols.ravel()],
                            "cost": cost.ravel()})  # fmt: skip
    model = Access(
        demand_df=pd.DataFrame({"geoid": demand["id"], "pop": demand["population"]}),
        demand_index="geoid", demand_value="pop",
        supply_df=pd.DataFrame({"geoid": venues["id"], "cap": venues["capacity"]}),
        supply_index="geoid", supply_value="cap",
        cost_df=cost_df, cost_origin="origin", cost_dest="dest", cost_name="cost",
    )  # fmt: skip
    raw = call(model, False).iloc[:, 0].reindex(demand["id"]).fillna(0.0).to_numpy()
    norm = call(model, True).iloc[:, 0].reindex(demand["id"]).fillna(0.0).to_numpy()
    return raw, norm


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("detour", [1.0, 1.4])
def test_2sfca_agrees_with_pysal(seed: int, detour: float) -> None:
    from access import weights  # noqa: F401 - the import is the dependency check

    demand, venues, dxy, vxy = _instance(seed)
    radius_m = 6_000.0
    ours = assess_access(demand, venues, method="2sfca", catchment=Catchment(radius_m=radius_m),
                         detour=detour)  # fmt: skip
    raw, norm = _pysal(demand, venues, dxy, vxy, detour, lambda a, normalize: a.two_stage_fca(
        name="t", max_cost=radius_m, normalize=normalize))  # fmt: skip
    assert (raw > 0).any() and (raw == 0).any()  # the instance exercises both cases
    np.testing.assert_allclose(ours.demand["access"], raw, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.demand["access_index"], norm, rtol=0, atol=1e-6)


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("decay", ["gaussian", "exponential", "power"])
def test_e2sfca_agrees_with_pysal(seed: int, decay: str) -> None:
    from access import weights

    demand, venues, dxy, vxy = _instance(seed)
    radius_m, scale = 8_000.0, 4_000.0
    fn = {
        "gaussian": weights.gaussian(scale),
        "exponential": lambda c: np.exp(-c / scale),
        "power": weights.gravity(scale, -2.0, min_dist=scale),
    }[decay]
    ours = assess_access(demand, venues, method="e2sfca", decay=decay,
                         catchment=Catchment(radius_m=radius_m), detour=1.2)  # fmt: skip
    raw, norm = _pysal(demand, venues, dxy, vxy, 1.2, lambda a, normalize: (
        a.enhanced_two_stage_fca(name="e", max_cost=radius_m, weight_fn=fn,
                                 normalize=normalize)))  # fmt: skip
    np.testing.assert_allclose(ours.demand["access"], raw, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.demand["access_index"], norm, rtol=0, atol=1e-6)


@pytest.mark.parametrize("seed", [6, 7])
def test_gravity_agrees_with_pysal_two_stage_without_limit(seed: int) -> None:
    from access import weights

    demand, venues, dxy, vxy = _instance(seed)
    ours = assess_access(demand, venues, method="gravity", decay_scale=1_500.0, detour=1.0)
    fn = weights.gravity(1_500.0, -2.0, min_dist=1_500.0)
    raw, _ = _pysal(demand, venues, dxy, vxy, 1.0, lambda a, normalize: a.two_stage_fca(
        name="g", weight_fn=fn, normalize=normalize))  # fmt: skip
    assert (ours.demand["venues_in_reach"] == len(venues)).all()
    np.testing.assert_allclose(ours.demand["access"], raw, rtol=0, atol=1e-6)


def test_2sfca_by_hand() -> None:
    # venue A (cap 300) reaches d0 (100 people) and d1 (200); venue B (cap 50) reaches d1 only.
    demand = _layer(np.array([[X0, Y0], [X0 + 1_500, Y0], [X0 + 9_000, Y0]]),
                    id=["d0", "d1", "d2"], population=[100, 200, 400])  # fmt: skip
    venues = _layer(np.array([[X0 + 500, Y0], [X0 + 2_500, Y0]]), id=["A", "B"], kind="other",
                    capacity=[300.0, 50.0])  # fmt: skip
    result = assess_access(demand, venues, catchment=Catchment(radius_m=1_600.0), detour=1.0)
    # R_A = 300/300 = 1; R_B = 50/200 = 0.25; A_d0 = 1, A_d1 = 1.25, A_d2 = 0
    np.testing.assert_allclose(result.venues["supply_ratio"], [1.0, 0.25])
    np.testing.assert_allclose(result.demand["access"], [1.0, 1.25, 0.0])
    mean = (100 * 1.0 + 200 * 1.25) / 700
    np.testing.assert_allclose(result.demand["access_index"], np.array([1.0, 1.25, 0]) / mean)
    assert list(result.demand["venues_in_reach"]) == [1, 2, 0]


def test_minutes_catchment_uses_speed() -> None:
    demand = _layer(np.array([[X0, Y0], [X0 + 3_000, Y0]]), id=["a", "b"], population=[10, 10])
    venues = _layer(np.array([[X0, Y0]]), id=["v"], kind="other", capacity=[20.0])
    # 30 km/h = 500 m/min: 5 minutes reach 2,500 m effective, so only "a" (b is 3,000 m away)
    result = assess_access(demand, venues, detour=1.0,
                           catchment=Catchment(minutes=5, speed_kmh=30))  # fmt: skip
    np.testing.assert_allclose(result.demand["access"], [2.0, 0.0])
    assert result.unit == "min"
    wider = assess_access(demand, venues, detour=1.0,
                          catchment=Catchment(minutes=7, speed_kmh=30))  # fmt: skip
    np.testing.assert_allclose(wider.demand["access"], [1.0, 1.0])


def test_default_catchment_is_each_kinds_standard_and_own_village() -> None:
    # a village station 3 km from its own village still serves it; another village 3 km away
    # lies beyond its 2 km standard.
    demand = _layer(np.array([[X0, Y0], [X0 + 6_000, Y0]]), id=["v1", "v2"],
                    village_code=["632321100201", "632321100202"], population=[100, 100])
    venues = _layer(np.array([[X0 + 3_000, Y0]]), id=["s"], kind="village_station",
                    village_code=["632321100201"], capacity=[50.0])  # fmt: skip
    result = assess_access(demand, venues, detour=1.0)
    np.testing.assert_allclose(result.demand["access"], [0.5, 0.0])


def test_capacity_defaults_are_labelled() -> None:
    venues = pd.DataFrame({"kind": ["village_station", "township_centre", "other"],
                           "capacity": [120.0, None, None],
                           "floor_area_m2": [None, None, 60.0]})  # fmt: skip
    out = venue_capacity(venues)
    assert list(out["capacity_source"]) == ["register", "default", "floor_area"]
    # 60 m² / 30 m² per 100 households x 3 people per household = 600 people
    np.testing.assert_allclose(out["capacity"],
                               [120.0, DEFAULT_CAPACITY_BY_KIND["township_centre"], 600.0])
    other = venue_capacity(venues.rename(columns={"capacity": "seats"}), "seats")
    assert list(other["capacity_source"]) == ["register", "default", "floor_area"]


def test_bad_capacity_is_one_clear_error() -> None:
    venues = pd.DataFrame({"kind": ["other"], "capacity": ["-5"]})
    with pytest.raises(AnalysisError, match="'capacity' should hold non-negative numbers"):
        venue_capacity(venues)


@pytest.mark.parametrize(("method", "decay", "match"), [
    ("3sfca", None, "method should be one of"),
    ("e2sfca", "linear", "decay should be one of"),
    ("2sfca", "gaussian", "takes no decay"),
])  # fmt: skip
def test_bad_method_or_decay(method: str, decay: str | None, match: str) -> None:
    demand, venues, _, _ = _instance(0, 3, 2)
    with pytest.raises(AnalysisError, match=match):
        assess_access(demand, venues, method=method, decay=decay)


def test_decay_weights_values() -> None:
    cost = np.array([0.0, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(decay_weights(cost, "gaussian", 2.0), np.exp(-cost**2 / 8))
    np.testing.assert_allclose(decay_weights(cost, "exponential", 2.0), np.exp(-cost / 2))
    np.testing.assert_allclose(decay_weights(cost, "power", 2.0), [1, 1, 1, 0.25])
    np.testing.assert_allclose(decay_weights(cost, "gaussian", np.inf), 1.0)
    assert default_standards().get("village_station").radius_m == 2_000.0
