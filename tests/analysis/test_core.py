import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis
from analysis import core
from analysis.coverage import assess_coverage
from geo.errors import AnalysisError


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(1.0, 5000.0))
def test_hint_never_changes_the_nearest_site(seed, hint):
    rng = np.random.default_rng(seed)
    sites, queries = rng.uniform(0, 10_000, (20, 2)), rng.uniform(0, 10_000, (60, 2))
    tree = core.build_tree(sites)
    plain = core.nearest(tree, queries)
    hinted = core.nearest(tree, queries, hint)
    np.testing.assert_allclose(plain[0], hinted[0])
    brute = np.linalg.norm(queries[:, None] - sites[None], axis=2)
    np.testing.assert_allclose(plain[0], brute.min(axis=1))


def test_locality_sorted_large_query_matches_unsorted():
    rng = np.random.default_rng(1)
    sites, queries = rng.uniform(0, 1e6, (500, 3)), rng.uniform(0, 1e6, (60_000, 3))
    tree = core.build_tree(sites)
    dist, idx = core.nearest(tree, queries)  # >= 50,000 points: sorted internally
    ref_dist, ref_idx = tree.query(queries)
    np.testing.assert_allclose(dist, ref_dist)
    assert (idx == ref_idx).all()


def test_pairs_within_is_sparse_and_exact():
    demand = np.array([[0.0, 0.0], [10.0, 0.0], [100.0, 0.0]])
    sites = np.array([[0.0, 0.0], [12.0, 0.0]])
    pairs = core.pairs_within(demand, sites, 10.0)
    assert pairs.shape == (3, 2) and pairs.nnz == 3
    assert pairs[0, 0] > 0  # coincident points are kept (tiny positive distance)
    assert pairs[1, 0] == pytest.approx(10.0) and pairs[1, 1] == pytest.approx(2.0)
    strict = core.pairs_within(demand, sites, np.array([10.0, 10.0, 10.0]), strict=True)
    assert strict.nnz == 2


def test_missing_geometry_refused(demand, venues):
    demand.loc[1, "geometry"] = None
    with pytest.raises(AnalysisError, match="1 row\\(s\\) have no geometry"):
        assess_coverage(demand, venues)


def test_package_exports_load_lazily():
    assert analysis.assess_coverage is assess_coverage
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        analysis.nope  # noqa: B018
