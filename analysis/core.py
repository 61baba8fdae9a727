"""Numeric core: nearest sites and sparse site-demand pairs on coordinate arrays.

Everything here works on ``(n, 2)`` or ``(n, 3)`` float arrays in a metric frame (see
`analysis.metric`) and never builds an n x m dense matrix: nearest queries use a KD-tree and
pairs within reach come back as a scipy.sparse CSR matrix (rows = demand, columns = sites).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

#: Grid of the locality sort applied before large queries (bins per axis, <= 256).
_SORT_BINS = 256
#: Below this many query points the locality sort is not worth its cost.
_SORT_MIN_POINTS = 50_000


def build_tree(points: np.ndarray) -> cKDTree:
    """Return a KD-tree over ``points`` (n x d); balanced, as it is queried many times."""
    return cKDTree(np.asarray(points, dtype=float))


def locality_order(points: np.ndarray, bins: int = _SORT_BINS) -> np.ndarray:
    """Return an ordering that groups nearby points together.

    Points are binned on a ``bins`` x ``bins`` grid over their two widest coordinates, rows
    walked alternately left-right and right-left, and sorted by cell with a 16-bit radix sort.
    Querying a KD-tree with points in this order keeps the tree in cache, which makes queries
    of hundreds of thousands of scattered points several times faster. The order never
    changes any result.
    """
    extent = points.max(axis=0) - points.min(axis=0)
    dims = np.argsort(extent)[::-1][:2]
    low = points[:, dims].min(axis=0)
    scale = (bins - 1e-6) / np.maximum(extent[dims], 1e-9)
    cells = ((points[:, dims] - low) * scale).astype(np.uint16)
    row = cells[:, 0]
    col = cells[:, 1] if cells.shape[1] > 1 else np.zeros_like(row)
    col = np.where(row & 1, bins - 1 - col, col).astype(np.uint16)  # serpentine rows
    key = (row << np.uint16(8)) | col
    return np.argsort(key, kind="stable")


def nearest(
    tree: cKDTree, queries: np.ndarray, hint: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return straight-line distance and index of the nearest tree point for every query.

    Parameters
    ----------
    tree
        KD-tree over the sites (`build_tree`).
    queries
        Query points (n x d), same frame as the tree.
    hint
        A straight distance within which most queries are expected to find their site (e.g.
        the service radius). The tree is searched within it first, which prunes most of the
        work, and then without limit for the queries that found nothing: the result is the
        same exact nearest site, only faster when most points are served.

    Returns
    -------
    distance, index
        Arrays of length n (``inf`` and -1 when the tree is empty).
    """
    queries = np.asarray(queries, dtype=float)
    n = len(queries)
    if tree.n == 0 or n == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    order = locality_order(queries) if n >= _SORT_MIN_POINTS else None
    sorted_q = queries[order] if order is not None else queries
    if hint is not None and np.isfinite(hint) and hint > 0:
        dist, idx = tree.query(sorted_q, k=1, workers=-1, distance_upper_bound=float(hint))
        miss = np.isinf(dist)
        if miss.any():
            dist[miss], idx[miss] = tree.query(sorted_q[miss], k=1, workers=-1)
    else:
        dist, idx = tree.query(sorted_q, k=1, workers=-1)
    idx = np.asarray(idx, dtype=np.int64)
    if order is None:
        return dist, idx
    out_d, out_i = np.empty_like(dist), np.empty_like(idx)
    out_d[order], out_i[order] = dist, idx
    return out_d, out_i


def pairs_within(
    demand: np.ndarray, sites: np.ndarray, reach: float | np.ndarray, *, strict: bool = False
) -> sparse.csr_matrix:
    """Return the sparse matrix of straight distances of all site-demand pairs within reach.

    Parameters
    ----------
    demand, sites
        Point arrays (n x d, m x d) in one frame.
    reach
        Straight-line reach, a scalar or one value per demand point (``inf`` = every site).
    strict
        If True keep only pairs strictly closer than ``reach``.

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape (n, m); entry (i, j) holds the distance (a tiny positive floor for coincident
        points, so that stored entries are never dropped as zeros).
    """
    demand = np.asarray(demand, dtype=float)
    sites = np.asarray(sites, dtype=float)
    n, m = len(demand), len(sites)
    if n == 0 or m == 0:
        return sparse.csr_matrix((n, m))
    reach_arr = np.broadcast_to(np.asarray(reach, dtype=float), (n,))
    finite_reach = np.where(np.isinf(reach_arr), _diameter(demand, sites), reach_arr)
    lists = build_tree(sites).query_ball_point(
        demand, finite_reach, workers=-1, return_sorted=False
    )
    counts = np.fromiter((len(x) for x in lists), dtype=np.int64, count=n)
    cols = np.fromiter((j for x in lists for j in x), dtype=np.int64, count=int(counts.sum()))
    rows = np.repeat(np.arange(n), counts)
    dist = np.sqrt(((demand[rows] - sites[cols]) ** 2).sum(axis=1))
    keep = dist < reach_arr[rows] if strict else dist <= finite_reach[rows]
    rows, cols, dist = rows[keep], cols[keep], np.maximum(dist[keep], 1e-9)
    return sparse.csr_matrix((dist, (rows, cols)), shape=(n, m))


def same_code_pairs(demand_codes: np.ndarray, site_codes: np.ndarray) -> sparse.csr_matrix:
    """Return a 0/1 CSR matrix marking site-demand pairs that share a non-empty code.

    Used for the own-village rule: a station serves its own village at any distance.
    """
    n, m = len(demand_codes), len(site_codes)
    site_by_code: dict[str, list[int]] = {}
    for j, code in enumerate(site_codes):
        if isinstance(code, str) and code:
            site_by_code.setdefault(code, []).append(j)
    rows, cols = [], []
    for i, code in enumerate(demand_codes):
        for j in site_by_code.get(code, ()) if isinstance(code, str) else ():
            rows.append(i)
            cols.append(j)
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, m))


def _diameter(a: np.ndarray, b: np.ndarray) -> float:
    both = np.vstack([a, b])
    return float(np.sqrt(((both.max(axis=0) - both.min(axis=0)) ** 2).sum())) * 1.001 + 1.0
