"""Equity of coverage and access across villages: Gini, Palma ratio, concentration index.

Each village counts with its population, so the figures describe people, not points. For a
value ``x`` per village (covered 0/1, or an access score) and population ``w``:

* **Lorenz curve**: villages sorted by ``x``; cumulative population share ``p`` against the
  cumulative share ``L`` of the total ``Σ w x``.
* **Gini** ``= 1 - Σ_k (p_k - p_{k-1}) (L_k + L_{k-1})``: 0 when everyone has the same value,
  towards 1 when a few hold it all. For 0/1 coverage it equals the uncovered share.
* **Palma ratio** ``= (1 - L(0.9)) / L(0.4)``: what the best-served 10 % of people hold over
  what the worst-served 40 % hold, reading ``L`` linearly between villages; None (JSON null)
  when the bottom 40 % hold nothing.
* **Concentration index** ``= 2 Σ w (x - μ)(r - ½) / (W μ)`` with ``r`` the population-weighted
  fractional rank by a living-standard variable (O'Donnell et al. 2008, as in the R package
  ``accessibility``): > 0 when the value concentrates among the better-off. The demand's
  ``income`` column ranks villages when present; otherwise villages are ranked by population,
  smallest first, so > 0 means access concentrates in the larger villages.

Undefined figures (no people, or a mean of 0) are None.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Column that ranks villages by living standard for the concentration index, when present.
INCOME_COLUMN = "income"


def lorenz(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the Lorenz curve (cumulative population share, cumulative value share), from 0."""
    x, w = _clean(values, weights)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    total_w, total = w.sum(), (w * x).sum()
    p = np.concatenate([[0.0], np.cumsum(w) / total_w]) if total_w > 0 else np.array([0.0])
    share = np.cumsum(w * x) / total if total > 0 else np.zeros(len(x))
    return p, np.concatenate([[0.0], share])


def gini(values: np.ndarray, weights: np.ndarray) -> float | None:
    """Return the population-weighted Gini coefficient of ``values`` (None if undefined)."""
    x, w = _clean(values, weights)
    if w.sum() <= 0 or (w * x).sum() <= 0:
        return None
    p, share = lorenz(x, w)
    return float(1.0 - (np.diff(p) * (share[1:] + share[:-1])).sum())


def palma(values: np.ndarray, weights: np.ndarray) -> float | None:
    """Return the Palma ratio: top 10 % of people's share over the bottom 40 %'s (or None)."""
    x, w = _clean(values, weights)
    if w.sum() <= 0 or (w * x).sum() <= 0:
        return None
    p, share = lorenz(x, w)
    bottom = float(np.interp(0.4, p, share))
    top = 1.0 - float(np.interp(0.9, p, share))
    return top / bottom if bottom > 1e-12 else None


def concentration_index(
    values: np.ndarray, weights: np.ndarray, rank_by: np.ndarray
) -> float | None:
    """Return the concentration index of ``values`` ranked by ``rank_by`` (ties share a rank)."""
    x, w = _clean(values, weights)
    rank_by = np.asarray(rank_by, dtype=float)
    rank_by = np.where(np.isnan(rank_by), np.nanmin(rank_by) if (~np.isnan(rank_by)).any() else 0,
                       rank_by)  # unknown living standard ranks lowest  # fmt: skip
    total_w = w.sum()
    mean = (w * x).sum() / total_w if total_w > 0 else 0.0
    if total_w <= 0 or mean <= 0:
        return None
    frame = pd.DataFrame({"key": rank_by, "w": w})
    by_key = frame.groupby("key", sort=True)["w"].sum()
    below = by_key.cumsum() - by_key
    fractional = (below + by_key / 2.0) / total_w
    r = fractional.reindex(rank_by).to_numpy()
    return float(2.0 * (w * (x - mean) * (r - 0.5)).sum() / (total_w * mean))


def equity_summary(
    values: np.ndarray,
    weights: np.ndarray,
    *,
    rank_by: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> dict:
    """Return ``{"gini", "palma", "concentration_index", "ranked_by", "by_county"}``.

    Parameters
    ----------
    values, weights
        One value and one population per village.
    rank_by
        Living-standard variable for the concentration index; population when None.
    groups
        County code per village; ``by_county`` then holds the same three figures per county.
    """
    x, w = _clean(values, weights)
    rank = w if rank_by is None else np.asarray(rank_by, dtype=float)
    out = _figures(x, w, rank)
    out["ranked_by"] = "population" if rank_by is None else INCOME_COLUMN
    out["by_county"] = {}
    if groups is not None:
        keys = pd.Series(groups, dtype=object).fillna("unknown").astype(str).to_numpy()
        for key in sorted(set(keys)):
            member = keys == key
            out["by_county"][key] = _figures(x[member], w[member], rank[member])
    return out


def demand_equity(demand: pd.DataFrame, value_column: str, population_col: str = "population"
                  ) -> dict:  # fmt: skip
    """Return `equity_summary` of one column of a demand table, by ``county_code`` if present.

    The ``income`` column ranks the concentration index when present (see module docstring).
    """
    rank = demand[INCOME_COLUMN] if INCOME_COLUMN in demand.columns else None
    groups = demand["county_code"].to_numpy() if "county_code" in demand.columns else None
    return equity_summary(
        demand[value_column].astype(float).to_numpy(),
        pd.to_numeric(demand[population_col], errors="coerce").fillna(0).to_numpy(),
        rank_by=None if rank is None else pd.to_numeric(rank, errors="coerce").to_numpy(),
        groups=groups,
    )


def _figures(x: np.ndarray, w: np.ndarray, rank: np.ndarray) -> dict:
    return {
        "gini": gini(x, w),
        "palma": palma(x, w),
        "concentration_index": concentration_index(x, w, rank),
    }


def _clean(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    w = np.clip(np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0), 0.0, None)
    return x, w
