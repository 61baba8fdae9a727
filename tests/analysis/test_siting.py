import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import distance_matrix
from spopt.locate import LSCP, MCLP, PMedian

from analysis.siting import (
    compare_scenarios,
    default_candidates,
    proposal_venues,
    site,
)
from analysis.solvers import merge_identical_rows
from geo.errors import AnalysisError, InfeasibleError
from geo.schema import VENUE_COLUMNS
from tests.analysis.conftest import points

R = 2500.0
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulp")


def instance(seed, n=25, m=7, n_existing=1):
    rng = np.random.default_rng(seed)
    demand = points([tuple(p) for p in rng.uniform(0, 10_000, (n, 2))],
                    population=rng.integers(1, 100, n))
    cands = points([tuple(p) for p in rng.uniform(0, 10_000, (m, 2))],
                   id=[f"c{j}" for j in range(m)])
    venues = points([tuple(p) for p in rng.uniform(0, 10_000, (n_existing, 2))],
                    id=[f"e{j}" for j in range(n_existing)], kind=["township_centre"] * n_existing)
    return demand, venues, cands


def arrays(demand, venues, cands):
    d = np.column_stack([demand.geometry.x, demand.geometry.y])
    c = np.column_stack([cands.geometry.x, cands.geometry.y])
    e = np.column_stack([venues.geometry.x, venues.geometry.y])
    dist = distance_matrix(d, c)
    existing = distance_matrix(d, e).min(axis=1) if len(e) else np.full(len(d), np.inf)
    return dist, existing, demand["population"].to_numpy(float)


def run(demand, venues, cands, model, n_new=None, **kw):
    return site(demand, venues, cands, model=model, n_new=n_new, radius_m=R, detour=1, **kw)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_mclp_equals_brute_force(seed, p):
    demand, venues, cands = instance(seed)
    dist, existing, w = arrays(demand, venues, cands)
    old = existing <= R
    best = max(w[((dist[:, list(s)] <= R).any(axis=1)) | old].sum()
               for s in itertools.combinations(range(len(cands)), p))
    result = run(demand, venues, cands, "mclp", p)
    assert result.optimal
    assert result.covered_population == pytest.approx(best)
    assert result.objective == pytest.approx(best - w[old].sum())
    assert len(result.selected) <= p


def coverable_only(demand, venues, cands):
    dist, existing, _ = arrays(demand, venues, cands)
    keep = (existing <= R) | (dist <= R).any(axis=1)
    return demand.loc[keep].reset_index(drop=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lscp_equals_brute_force(seed):
    demand, venues, cands = instance(seed)
    demand = coverable_only(demand, venues, cands)
    dist, existing, w = arrays(demand, venues, cands)
    need = existing > R
    k = next(k for k in range(len(cands) + 1) for s in itertools.combinations(range(len(cands)), k)
             if (dist[need][:, list(s)] <= R).any(axis=1).all() or not need.any())
    result = run(demand, venues, cands, "lscp")
    assert result.optimal and result.objective == k and len(result.selected) == k
    assert result.uncoverable_population == 0
    assert result.covered_population == pytest.approx(w.sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lscp_with_unreachable_demand_is_infeasible(seed):
    demand, venues, cands = instance(seed)
    dist, existing, w = arrays(demand, venues, cands)
    lost = (existing > R) & ~(dist <= R).any(axis=1)
    assert lost.any()  # the instances do have demand out of every site's reach
    message = (rf"lscp is infeasible: {int(lost.sum())} demand point\(s\) with "
               rf"{w[lost].sum():,.0f} people .* use --model mclp")
    with pytest.raises(InfeasibleError, match=message):
        run(demand, venues, cands, "lscp")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("p", [1, 2])
def test_pmedian_equals_brute_force_with_existing_fallback(seed, p):
    demand, venues, cands = instance(seed)
    dist, existing, w = arrays(demand, venues, cands)
    best = min((w * np.minimum(existing, dist[:, list(s)].min(axis=1))).sum()
               for s in itertools.combinations(range(len(cands)), p))
    result = run(demand, venues, cands, "pmedian", p)
    assert result.optimal
    assert result.objective == pytest.approx(best / w.sum())


def no_venues():
    return points([], id=[], kind=[])


@pytest.mark.parametrize("seed", [3, 4])
def test_mclp_matches_spopt(seed):
    demand, _, cands = instance(seed, n=40, m=10)
    dist, _, w = arrays(demand, no_venues(), cands)
    model = MCLP.from_cost_matrix(dist, w, R, 3).solve(pulp.HiGHS(msg=False))
    open_ = [j for j in range(len(cands)) if model.fac_vars[j].value() > 0.5]
    spopt_covered = w[(dist[:, open_] <= R).any(axis=1)].sum()
    assert run(demand, no_venues(), cands, "mclp", 3).covered_population == spopt_covered


@pytest.mark.parametrize("seed", [3, 4])
def test_lscp_matches_spopt(seed):
    demand, _, cands = instance(seed, n=40, m=10)
    dist, _, _ = arrays(demand, no_venues(), cands)
    coverable = (dist <= R).any(axis=1)
    demand, dist = demand.loc[coverable].reset_index(drop=True), dist[coverable]
    model = LSCP.from_cost_matrix(dist, R).solve(pulp.HiGHS(msg=False))
    n_open = sum(model.fac_vars[j].value() > 0.5 for j in range(len(cands)))
    assert run(demand, no_venues(), cands, "lscp").objective == n_open


@pytest.mark.parametrize("seed", [3, 4])
def test_pmedian_matches_spopt(seed):
    demand, _, cands = instance(seed, n=30, m=8)
    dist, _, w = arrays(demand, no_venues(), cands)
    model = PMedian.from_cost_matrix(dist, w, 3).solve(pulp.HiGHS(msg=False))
    open_ = [j for j in range(len(cands)) if model.fac_vars[j].value() > 0.5]
    spopt_total = (w * dist[:, open_].min(axis=1)).sum()
    ours = run(demand, no_venues(), cands, "pmedian", 3)
    assert ours.objective * w.sum() == pytest.approx(spopt_total)


def test_candidate_station_serves_its_own_village(demand):
    far_station = points([(30_000, 30_000)], id=["cand-v-D"], kind=["village_station"],
                         village_code=["V-D"])
    result = run(demand, no_venues(), far_station, "mclp", 1)
    assert result.selected == ["cand-v-D"] and result.covered_population == 400
    assert result.newly_covered == [3]


def test_merge_identical_rows_sums_weights():
    from scipy import sparse

    cover = sparse.csr_matrix(np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1], [0, 0, 1]]))
    merged, w = merge_identical_rows(cover, np.array([1.0, 2.0, 3.0, 4.0]))
    assert merged.toarray().tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
    assert w.tolist() == [4.0, 2.0, 4.0]


def test_json_shape():
    demand, venues, cands = instance(0)
    result = run(demand, venues, cands, "mclp", 2)
    payload = result.to_json()
    assert list(payload) == ["model", "selected", "covered_population", "objective", "optimal",
                             "sites", "note"]
    assert payload["model"] == "mclp" and payload["optimal"] is True
    assert [site["id"] for site in payload["sites"]] == payload["selected"]
    assert [site["added_population"] for site in payload["sites"]] == [
        result.added_population[i] for i in result.selected]
    assert payload["note"] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "kmeans", "n_new": 1}, "model should be one of mclp, lscp, pmedian"),
        ({"model": "mclp"}, r"mclp needs the number of new sites \(n_new / --add N >= 0\)"),
        ({"model": "mclp", "n_new": 1, "radius_m": -1}, "radius_m should be > 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    demand, venues, cands = instance(0)
    kwargs = {"radius_m": R, **kwargs}
    with pytest.raises(AnalysisError, match=message):
        site(demand, venues, cands, **kwargs)


@pytest.mark.parametrize(("model", "n_new"), [("mclp", 2), ("lscp", None), ("pmedian", 2)])
def test_no_candidates_is_nothing_to_site(model, n_new):
    demand, venues, cands = instance(0)
    result = run(demand, venues, cands.iloc[:0], model, n_new)
    dist, existing, w = arrays(demand, venues, cands)
    assert result.selected == [] and result.added_population == {}
    assert result.note.startswith("nothing to site") and result.to_json()["note"] == result.note
    assert result.covered_population == pytest.approx(w[existing <= R].sum())
    if model == "pmedian":
        assert result.objective == pytest.approx((w * existing).sum() / w.sum())


def test_pmedian_without_any_option_is_infeasible():
    demand, _, cands = instance(0)
    with pytest.raises(InfeasibleError, match="no existing venue and no candidate in reach"):
        site(demand, no_venues(), cands, model="pmedian", n_new=1, radius_m=R, reach_m=10)


@pytest.mark.parametrize("n_new", [0, 1])
def test_pmedian_needing_more_sites_than_allowed_is_infeasible(n_new):
    demand = points([(0, 0), (20_000, 0)], population=[5, 7])
    cands = points([(0, 0), (20_000, 0)], id=["w", "e"])
    with pytest.raises(InfeasibleError, match=rf"at most {n_new} new site\(s\) cannot reach"):
        site(demand, no_venues(), cands, model="pmedian", n_new=n_new, radius_m=R, detour=1,
             reach_m=R)
    assert sorted(run(demand, no_venues(), cands, "pmedian", 2, reach_m=R).selected) == ["e", "w"]


def test_default_candidates_and_planned_rows(demand, venues):
    seats = points([(0, 0), (10_000, 0)], township_code=["T1", "T2"], name=["一镇", "二乡"])
    cands = default_candidates(demand, seats, venues)
    assert list(cands["id"]) == ["cand-v-V-A", "cand-v-V-B", "cand-v-V-C", "cand-t-T2"]
    assert list(cands["kind"]) == ["village_station"] * 3 + ["township_centre"]
    result = run(demand, venues, cands, "mclp", 1)
    planned = proposal_venues(result, cands)
    assert list(planned.columns) == [*VENUE_COLUMNS, "geometry"]
    assert (planned["status"] == "planned").all() and planned.crs == "EPSG:4326"
    assert list(planned["id"]) == ["planned-" + i for i in result.selected]
    assert (planned["position"] == "illustrative").all()


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("加吾村民委员会", "village_station", "规划村群团服务站（加吾村）"),
        ("隆务街社区居民委员会", "community_station", "规划社区群团服务站（隆务街社区）"),
        ("秀恰村村民委员会", "village_station", "规划村群团服务站（秀恰村）"),
        ("城南社区", "community_station", "规划社区群团服务站（城南社区）"),
        ("隆务镇", "township_centre", "规划乡镇群团服务中心（隆务镇）"),
    ],
)
def test_planned_venues_are_named_after_what_they_are_and_where(name, kind, expected):
    cands = points([(0, 0), (5000, 0)], id=["x", "other"], name=[name, "别处"], kind=[kind] * 2,
                   position=["surveyed", "illustrative"])
    demand = points([(0, 0)], population=[10])
    planned = proposal_venues(run(demand, no_venues(), cands, "mclp", 2), cands)
    assert list(planned["name"]) == [expected]
    english = planned["name_en"].iloc[0]
    assert english.startswith("Planned ") and english.endswith(f"({expected.split('（')[1][:-1]})")
    assert list(planned["status"]) == ["planned"] and list(planned["position"]) == ["surveyed"]


def test_compare_scenarios(demand, venues):
    baseline = venues.iloc[:1]  # township centre only
    station = points([(10_000, 10_000)], id=["new"], kind=["village_station"],
                     status=["planned"], village_code=["V-D"])
    proposal = pd.concat([baseline, station], ignore_index=True)
    comparison = compare_scenarios(baseline, proposal, demand, detour=1.2)
    assert comparison.delta == {"demand": 0, "covered": 1, "population": 0,
                                "population_covered": 400.0}
    assert list(comparison.newly_covered["village_code"]) == ["V-D"]
    assert len(comparison.no_longer_covered) == 0


coords = st.tuples(st.floats(0, 20_000), st.floats(0, 20_000))
kinds = st.sampled_from(["village_station", "township_centre", "county_centre"])


@settings(max_examples=30, deadline=None)
@given(st.lists(coords, min_size=1, max_size=8), st.lists(st.tuples(coords, kinds), max_size=4),
       st.tuples(coords, kinds))
def test_adding_a_venue_never_lowers_coverage(demand_xy, venue_specs, extra):
    demand = points(demand_xy, population=[10] * len(demand_xy))
    specs = [*venue_specs]
    before = points([s[0] for s in specs], id=[f"v{i}" for i in range(len(specs))],
                    kind=[s[1] for s in specs])
    after = points([s[0] for s in [*specs, extra]], id=[f"v{i}" for i in range(len(specs) + 1)],
                   kind=[s[1] for s in [*specs, extra]])
    from analysis.coverage import assess_coverage

    b, a = assess_coverage(demand, before), assess_coverage(demand, after)
    for column in ["covered", "level2_covered", "level3_covered", "level4_covered"]:
        assert (a[column] >= b[column]).all()
    assert (a["level3_distance_m"] <= b["level3_distance_m"]).all()


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_mclp_covered_population_never_falls_as_n_grows(seed):
    demand, venues, cands = instance(seed, n=20, m=6)
    covered = [run(demand, venues, cands, "mclp", n).covered_population for n in range(5)]
    assert all(b >= a for a, b in itertools.pairwise(covered))


def test_national_candidates_use_the_sphere():
    demand = gpd.GeoDataFrame({"population": [5, 7]},
                              geometry=gpd.points_from_xy([88.0, 126.0], [43.0, 45.0]),
                              crs="EPSG:4326")
    cands = gpd.GeoDataFrame({"id": ["w", "e"]},
                             geometry=gpd.points_from_xy([88.01, 126.0], [43.0, 45.01]),
                             crs="EPSG:4326")
    result = site(demand, no_venues().to_crs("EPSG:4326"), cands, model="lscp",
                  radius_m=2000, detour=1)
    assert sorted(result.selected) == ["e", "w"] and result.covered_population == 12


# --- no surplus sites -------------------------------------------------------------------------


def brute_coverage(dist, existing, w, p):
    """Best covered population with at most p sites, and the fewest sites reaching it."""
    old = existing <= R
    options = [(w[(dist[:, list(s)] <= R).any(axis=1) | old].sum(), len(s))
               for k in range(p + 1) for s in itertools.combinations(range(dist.shape[1]), k)]
    best = max(value for value, _ in options)
    return best, min(k for value, k in options if value == best)


def brute_median(dist, existing, w, p):
    options = [((w * np.minimum(existing, dist[:, list(s)].min(axis=1, initial=np.inf))).sum(),
                len(s))
               for k in range(p + 1) for s in itertools.combinations(range(dist.shape[1]), k)]
    best = min(value for value, _ in options)
    return best, min(k for value, k in options if np.isclose(value, best, rtol=1e-12))


def added_by_hand(dist, existing, w, chosen, model):
    """Population only each chosen column adds, straight from the distance matrix."""
    out = []
    for j in chosen:
        others = [k for k in chosen if k != j]
        if model == "pmedian":
            without = np.minimum(existing, dist[:, others].min(axis=1, initial=np.inf))
            out.append(w[dist[:, j] < without].sum())
        else:
            without = (existing <= R) | (dist[:, others] <= R).any(axis=1)
            out.append(w[(dist[:, j] <= R) & ~without].sum())
    return out


def check_no_surplus(result, cands, dist, existing, w):
    position = {ident: j for j, ident in enumerate(cands["id"])}
    chosen = [position[i] for i in result.selected]
    expected = added_by_hand(dist, existing, w, chosen, result.model)
    assert [result.added_population[i] for i in result.selected] == pytest.approx(expected)
    assert all(value > 0 for value in expected)


small = st.lists(coords, min_size=1, max_size=7)


@settings(max_examples=40, deadline=None)
@given(small, small, st.lists(coords, max_size=2), st.integers(0, 4),
       st.lists(st.integers(0, 30), min_size=7, max_size=7))
def test_mclp_fewest_sites_equals_brute_force(demand_xy, cand_xy, venue_xy, p, pops):
    # clustered points on a coarse grid make ties (alternative optima) frequent
    demand = points([(round(x, -3), round(y, -3)) for x, y in demand_xy],
                    population=pops[: len(demand_xy)])
    cands = points([(round(x, -3), round(y, -3)) for x, y in cand_xy],
                   id=[f"c{j}" for j in range(len(cand_xy))])
    venues = points(venue_xy, id=[f"e{j}" for j in range(len(venue_xy))],
                    kind=["township_centre"] * len(venue_xy))
    dist, existing, w = arrays(demand, venues, cands)
    best, fewest = brute_coverage(dist, existing, w, p)
    result = run(demand, venues, cands, "mclp", p)
    assert result.optimal and result.covered_population == pytest.approx(best)
    assert len(result.selected) == fewest
    check_no_surplus(result, cands, dist, existing, w)


@settings(max_examples=30, deadline=None)
@given(small, small, st.lists(coords, min_size=1, max_size=2), st.integers(0, 3),
       st.lists(st.integers(0, 30), min_size=7, max_size=7))
def test_pmedian_fewest_sites_equals_brute_force(demand_xy, cand_xy, venue_xy, p, pops):
    demand = points([(round(x, -3), round(y, -3)) for x, y in demand_xy],
                    population=pops[: len(demand_xy)])
    cands = points([(round(x, -3), round(y, -3)) for x, y in cand_xy],
                   id=[f"c{j}" for j in range(len(cand_xy))])
    venues = points(venue_xy, id=[f"e{j}" for j in range(len(venue_xy))],
                    kind=["township_centre"] * len(venue_xy))
    dist, existing, w = arrays(demand, venues, cands)
    best, fewest = brute_median(dist, existing, w, p)
    result = run(demand, venues, cands, "pmedian", p)
    assert result.optimal
    assert result.objective * max(w.sum(), 1e-12) == pytest.approx(best, abs=1e-6)
    assert len(result.selected) == fewest
    check_no_surplus(result, cands, dist, existing, w)


@settings(max_examples=30, deadline=None)
@given(small, small, st.lists(st.integers(0, 30), min_size=7, max_size=7))
def test_lscp_sites_each_add_people(demand_xy, cand_xy, pops):
    demand = points([(round(x, -3), round(y, -3)) for x, y in demand_xy],
                    population=pops[: len(demand_xy)])
    cands = points([(round(x, -3), round(y, -3)) for x, y in cand_xy],
                   id=[f"c{j}" for j in range(len(cand_xy))])
    demand = coverable_only(demand, no_venues(), cands)
    if len(demand) == 0:
        return
    dist, existing, w = arrays(demand, no_venues(), cands)
    need = w > 0
    fewest = next(k for k in range(len(cands) + 1)
                  for s in itertools.combinations(range(len(cands)), k)
                  if (dist[need][:, list(s)] <= R).any(axis=1).all())
    result = run(demand, no_venues(), cands, "lscp")
    assert len(result.selected) == fewest == result.objective
    check_no_surplus(result, cands, dist, existing, w)


@pytest.mark.parametrize("seed", [0, 5, 9])
def test_mclp_with_more_sites_than_needed_opens_only_the_lscp_count(seed):
    """The issue's case: `--add 100` opened 95 sites where 90 already reached everyone."""
    demand, venues, cands = instance(seed, n=30, m=12)
    demand = coverable_only(demand, venues, cands)
    lscp = run(demand, venues, cands, "lscp")
    mclp = run(demand, venues, cands, "mclp", len(cands))
    assert mclp.covered_population == lscp.covered_population
    assert len(mclp.selected) == lscp.objective < len(cands)


def test_duplicate_candidates_open_once():
    demand = points([(0, 0), (100, 0)], population=[5, 0])
    cands = points([(0, 0), (0, 0), (100, 0)], id=["a", "b", "empty"])
    for model in ("mclp", "pmedian"):
        result = run(demand, no_venues(), cands, model, 3)
        assert result.selected in (["a"], ["b"]), model
        assert list(result.added_population.values()) == [5.0]


def test_zero_feature_venues_work_like_no_venues(demand):
    _, _, cands = instance(2)
    bare = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=cands.crs))  # no column at all
    for model, n_new in (("mclp", 2), ("pmedian", 3)):
        a, b = run(demand, bare, cands, model, n_new), run(demand, no_venues(), cands, model, n_new)
        assert (a.selected, a.covered_population, a.objective, a.added_population) == (
            b.selected, b.covered_population, b.objective, b.added_population)
    # every village is a candidate when there is no venue at all
    assert list(default_candidates(demand, None, bare)["village_code"]) == list(
        demand["village_code"])


def test_store_with_a_station_everywhere_has_nothing_to_site(demand):
    seats = points([(0, 0)], township_code=["T1"], name=["一镇"])
    full = points([(0, 0)] * 5, id=list("abcde"),
                  kind=["village_station"] * 4 + ["township_centre"],
                  village_code=[*demand["village_code"], None], township_code=["T1"] * 5)
    cands = default_candidates(demand, seats, full)
    assert len(cands) == 0
    result = run(demand, full, cands, "mclp", 5)
    assert result.selected == [] and result.note.startswith("nothing to site")
    assert result.covered_population == 1000 and result.n_candidates == 0


def _full_cover(arrays, reach, existing):
    """The cover matrix of every demand row (the form before issue 9's bound)."""
    from analysis import core

    within = core.pairs_within(arrays.demand_xy, arrays.candidate_xy, reach)
    own = core.same_code_pairs(arrays.demand_village, arrays.candidate_village)
    cover = (within + own).tocsr()
    cover.data[:] = 1.0
    return cover


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("model", ["mclp", "lscp", "pmedian"])
def test_cover_of_open_demand_only_sites_as_the_full_cover(seed, model, monkeypatch):
    import analysis.siting as siting

    demand, venues, cands = instance(seed, n=60, m=15, n_existing=4)
    covered = np.random.default_rng(seed).random(len(demand)) < 0.4
    kwargs = {"n_new": 3} if model != "lscp" else {}
    try:
        bounded = run(demand, venues, cands, model, existing_covered=covered, **kwargs)
    except InfeasibleError as error:
        monkeypatch.setattr(siting, "_cover", _full_cover)
        with pytest.raises(InfeasibleError, match=str(error).split("(")[0]):
            run(demand, venues, cands, model, existing_covered=covered, **kwargs)
        return
    monkeypatch.setattr(siting, "_cover", _full_cover)
    full = run(demand, venues, cands, model, existing_covered=covered, **kwargs)
    for field in ("selected", "covered_population", "objective", "existing_population",
                  "uncoverable_population", "newly_covered", "added_population"):
        assert getattr(bounded, field) == getattr(full, field), field
