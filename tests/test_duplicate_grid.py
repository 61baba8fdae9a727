"""The gridded same-name look-up finds what a scan of every same-name point found."""

from __future__ import annotations

import numpy as np
import pytest

from geo.importer.duplicates import DUPLICATE_RADIUS_M, GEOD, NamedPoints


def scan_first_within(points, key, lon, lat, radius_m):
    """The former look-up: scan the same-name points in order, stop at the first near one."""
    for name, x, y, label in points:
        if name != key:
            continue
        distance_m = float(GEOD.inv(x, y, lon, lat)[2])
        if distance_m <= radius_m:
            return distance_m, label
    return None


@pytest.mark.parametrize(("lat0", "seed"), [(35.5, 1), (-33.9, 2), (0.0002, 3), (69.7, 4)])
def test_grid_equals_scan(lat0, seed):
    """Clustered points (many within 50 m, across cell edges) around several latitudes."""
    rng = np.random.default_rng(seed)
    grid, points, hits = NamedPoints(), [], 0
    for i in range(700):
        key = f"站{rng.integers(0, 4)}"
        lon = 101.5 + rng.normal(0, 0.002)
        lat = lat0 + rng.normal(0, 0.0015)
        expected = scan_first_within(points, key, lon, lat, DUPLICATE_RADIUS_M)
        assert grid.first_within(key, lon, lat, DUPLICATE_RADIUS_M) == expected
        hits += expected is not None
        label = (f"第 {i} 行", f"row {i}")
        grid.add(key, lon, lat, label)
        points.append((key, lon, lat, label))
    assert 50 < hits < 650  # both outcomes exercised
