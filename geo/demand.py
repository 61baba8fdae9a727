"""Stand-in demand points for a region without village points, labelled as such.

Coverage needs people at places. Where a region pack has no villages and the user has not
imported theirs (``venuemap import --layer villages``), the app falls back to, in order:

1. **township seats** (when the pack has them): each county's 2020 census population is split
   equally among its seats;
2. **an H3 grid**: the hexagonal cells whose centre lies in a county, at the coarsest H3
   resolution giving at least :data:`MIN_CELLS` cells in the region (at most resolution 8), and
   each county's census population spread **uniformly by area**: every cell of a county gets an
   equal share, rounded by largest remainder so county sums stay exact. Without a census figure
   a cell's population is left empty.

Every stand-in row carries ``position = population_source = "illustrative"`` (so the app's
illustrative badges and labels show) and ``demand_basis`` (``"township_seats"`` or
``"h3_grid"``) saying which rule made it.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

#: The coarsest resolution is raised until the region has this many cells (≈ one per village
#: of a small prefecture).
MIN_CELLS = 400
MAX_RESOLUTION = 8
DEMAND_BASIS = ("villages", "township_seats", "h3_grid")
VILLAGE_COLUMNS = (
    "village_code", "name", "kind", "township_code", "township_name", "county_code",
    "population", "population_source", "position", "demand_basis",
)  # fmt: skip


def split_equally(total: float | None, parts: int) -> list[int | None]:
    """Return ``total`` split into ``parts`` integers by largest remainder (None when unknown)."""
    if total is None or pd.isna(total) or parts == 0:
        return [None] * parts
    share = np.full(parts, float(total) / parts)
    base = np.floor(share).astype(int)
    extra = int(round(float(total))) - int(base.sum())
    base[:extra] += 1
    return base.tolist()


def seat_demand(seats: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one demand point per township seat with its county's population split equally."""
    population = dict(zip(counties["county_code"], counties["population_2020"], strict=True))
    rows = []
    for county, group in seats.sort_values("township_code").groupby("county_code", sort=True):
        shares = split_equally(population.get(county), len(group))
        for seat, share in zip(group.itertuples(), shares, strict=True):
            rows.append(
                (seat.township_code + "000", seat.name, "township_seat", seat.township_code,
                 seat.name, county, share, seat.geometry)
            )  # fmt: skip
    return _frame(rows, "township_seats")


def h3_resolution(counties: gpd.GeoDataFrame) -> int:
    """Return the coarsest H3 resolution giving at least :data:`MIN_CELLS` cells."""
    area_km2 = float(counties.to_crs("+proj=cea +units=m").area.sum()) / 1e6
    for resolution in range(4, MAX_RESOLUTION + 1):
        if area_km2 / h3.average_hexagon_area(resolution, unit="km^2") >= MIN_CELLS:
            return resolution
    return MAX_RESOLUTION


def grid_demand(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return H3 cell centres per county with the county population spread uniformly by area."""
    resolution = h3_resolution(counties)
    rows = []
    for county in counties.sort_values("county_code").itertuples():
        cells = sorted(_cells_in(county.geometry, resolution))
        shares = split_equally(getattr(county, "population_2020", None), len(cells))
        for cell, share in zip(cells, shares, strict=True):
            lat, lon = h3.cell_to_latlng(cell)
            rows.append(
                (cell, f"{county.name} 网格 {cell.rstrip('f')[-6:]}", "h3_cell", None, None,
                 county.county_code, share, shapely.Point(lon, lat))
            )  # fmt: skip
    return _frame(rows, "h3_grid")


def _cells_in(geometry: shapely.Geometry, resolution: int) -> set[str]:
    """Return the cells whose centre lies in ``geometry`` (at least the cell of its centroid)."""
    cells: set[str] = set()
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon":
            cells |= set(h3.geo_to_cells(part.__geo_interface__, resolution))
    if not cells:
        point = geometry.representative_point()
        cells.add(h3.latlng_to_cell(point.y, point.x, resolution))
    return cells


def _frame(rows: list[tuple], basis: str) -> gpd.GeoDataFrame:
    columns = ["village_code", "name", "kind", "township_code", "township_name", "county_code"]
    frame = pd.DataFrame([r[:6] for r in rows], columns=columns)
    frame["population"] = pd.array([r[6] for r in rows], dtype="Int64")
    frame["population_source"] = "illustrative"
    frame["position"] = "illustrative"
    frame["demand_basis"] = basis
    return gpd.GeoDataFrame(frame, geometry=[r[7] for r in rows], crs="EPSG:4326")


def fallback_demand(
    counties: gpd.GeoDataFrame, seats: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Return the stand-in demand for a region without villages: seats if any, else a grid."""
    if seats is not None and len(seats):
        return seat_demand(seats, counties)
    return grid_demand(counties)
