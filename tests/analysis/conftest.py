"""Hand-computable fixtures in a metric box (CGCS2000 GK CM 102°E, EPSG:4543)."""

from __future__ import annotations

import geopandas as gpd
import pytest

GK = "EPSG:4543"
X0, Y0 = 500_000.0, 3_900_000.0  # near 102°E, 35.2°N (Huangnan)


def points(xy, crs=GK, **columns) -> gpd.GeoDataFrame:
    """GeoDataFrame of points given as offsets in metres from (X0, Y0)."""
    xs = [X0 + x for x, _ in xy]
    ys = [Y0 + y for _, y in xy]
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xs, ys), crs=crs)


@pytest.fixture
def demand() -> gpd.GeoDataFrame:
    """A (0,0) 100 · B (3 km, 0) 200 · C (10 km, 0) 300 · D (10 km, 10 km) 400 people."""
    return points(
        [(0, 0), (3000, 0), (10_000, 0), (10_000, 10_000)],
        village_code=["V-A", "V-B", "V-C", "V-D"],
        township_code=["T1", "T1", "T2", "T2"],
        county_code=["632301", "632301", "632301", "632322"],
        population=[100, 200, 300, 400],
    )


@pytest.fixture
def venues() -> gpd.GeoDataFrame:
    """Township centre at A; a station 1 km north of C that belongs to village D."""
    return points(
        [(0, 0), (10_000, 1000)],
        id=["t1", "s1"],
        kind=["township_centre", "village_station"],
        level=[3, 4],
        status=["in_service", "in_service"],
        village_code=[None, "V-D"],
        township_code=["T1", "T2"],
        county_code=["632301", "632301"],
    )
