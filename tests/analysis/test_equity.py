"""Equity figures against values worked out by hand on tiny inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.equity import (
    concentration_index,
    demand_equity,
    equity_summary,
    gini,
    lorenz,
    palma,
)


def test_gini_of_1_2_3_4_is_a_quarter() -> None:
    # Σ|xi - xj| over ordered pairs = 20; 20 / (2 n² μ) = 20 / (2·16·2.5) = 0.25
    assert gini(np.array([1, 2, 3, 4]), np.ones(4)) == pytest.approx(0.25)


def test_gini_weights_equal_repeated_villages() -> None:
    weighted = gini(np.array([1.0, 3.0]), np.array([3.0, 1.0]))
    repeated = gini(np.array([1.0, 1.0, 1.0, 3.0]), np.ones(4))
    assert weighted == pytest.approx(0.25) and repeated == pytest.approx(0.25)


def test_gini_matches_pairwise_definition_on_random_data() -> None:
    rng = np.random.default_rng(3)
    x, w = rng.uniform(0, 5, 12), rng.integers(1, 50, 12).astype(float)
    pairwise = sum(w[i] * w[j] * abs(x[i] - x[j]) for i, j in itertools.product(range(12),
                   repeat=2)) / (2 * w.sum() ** 2 * (w * x).sum() / w.sum())  # fmt: skip
    assert gini(x, w) == pytest.approx(pairwise)


def test_gini_of_coverage_is_the_uncovered_share() -> None:
    covered, pop = np.array([1, 0, 1, 0]), np.array([100, 300, 500, 100])
    assert gini(covered, pop) == pytest.approx(0.4)  # 400 of 1,000 people uncovered


def test_palma_by_hand() -> None:
    # Lorenz of 1,2,3,4: L(0.4) = 0.1 + 0.6·0.2 = 0.22; L(0.9) = 0.6 + 0.6·0.4 = 0.84
    assert palma(np.array([4, 3, 2, 1]), np.ones(4)) == pytest.approx(0.16 / 0.22)
    assert palma(np.array([5, 5]), np.ones(2)) == pytest.approx(0.1 / 0.4)
    assert palma(np.array([0, 1]), np.ones(2)) is None  # the bottom 40 % hold nothing


def test_concentration_index_by_hand() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    # ranked by itself it equals the Gini; ranked the other way round, minus the Gini
    assert concentration_index(x, np.ones(4), x) == pytest.approx(0.25)
    assert concentration_index(x, np.ones(4), -x) == pytest.approx(-0.25)
    # ties share a rank: two equal ranks -> no concentration
    assert concentration_index(x, np.ones(4), np.zeros(4)) == pytest.approx(0.0)


def test_lorenz_curve_points() -> None:
    p, share = lorenz(np.array([3.0, 1.0]), np.array([1.0, 3.0]))
    np.testing.assert_allclose(p, [0, 0.75, 1])
    np.testing.assert_allclose(share, [0, 0.5, 1])


def test_summary_by_county_and_undefined_values() -> None:
    out = equity_summary(np.array([1.0, 0.0, 2.0, 2.0]), np.array([1, 1, 1, 1]),
                         groups=np.array(["A", "A", "B", "B"]))  # fmt: skip
    assert out["gini"] == pytest.approx(gini(np.array([1, 0, 2, 2]), np.ones(4)))
    assert out["by_county"]["A"]["gini"] == pytest.approx(0.5)
    assert out["by_county"]["B"]["gini"] == pytest.approx(0.0)
    assert out["by_county"]["B"]["palma"] == pytest.approx(0.25)
    assert out["ranked_by"] == "population"
    assert equity_summary(np.zeros(3), np.ones(3))["gini"] is None


def test_demand_equity_uses_income_when_present() -> None:
    frame = pd.DataFrame({"population": [1, 1, 1, 1], "access": [1.0, 2.0, 3.0, 4.0],
                          "income": [40, 30, 20, 10], "county_code": ["A"] * 4})  # fmt: skip
    out = demand_equity(frame, "access")
    assert out["ranked_by"] == "income"
    assert out["concentration_index"] == pytest.approx(-0.25)  # access held by the poorer
