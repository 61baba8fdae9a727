"""Venue counts per H3 hexagon: what a map shows instead of markers for a large register.

From a few thousand venues, one marker per venue turns the prefecture into a solid mat that
hides boundaries and gaps, and costs tens of megabytes in the browser. :func:`venue_cells`
counts the venues per H3 cell instead, at the finest resolution that keeps the number of
cells under ``max_cells``; each cell keeps its counts per network level and how many of its
venues have an illustrative position, so that label is never lost.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from analysis._validate import check_layer

#: Registers with more venues than this are drawn as cells, not markers.
MARKER_LIMIT = 3000
#: Cells a map may receive (a hexagon costs ~250 bytes of payload).
MAX_CELLS = 4500
#: Resolutions tried, finest first (H3 res 8 ≈ 0.7 km², res 5 ≈ 250 km²).
RESOLUTIONS = (8, 7, 6, 5, 4)
CELL_COLUMNS = ["h3_cell", "resolution", "venues", "level1", "level2", "level3", "level4",
                "illustrative", "geometry"]  # fmt: skip


def use_cells(n_venues: int, limit: int = MARKER_LIMIT) -> bool:
    """Return True when ``n_venues`` are too many to draw one marker each."""
    return n_venues > limit


def venue_cells(
    venues: gpd.GeoDataFrame, *, max_cells: int = MAX_CELLS, resolutions=RESOLUTIONS
) -> gpd.GeoDataFrame:
    """Count venues per H3 cell at the finest of ``resolutions`` giving <= ``max_cells`` cells.

    Parameters
    ----------
    venues
        Register rows in EPSG:4326 (columns ``level``, optional ``position``).
    max_cells
        Largest number of cells to return (the coarsest resolution is used if none fits).
    resolutions
        H3 resolutions, finest first.

    Returns
    -------
    geopandas.GeoDataFrame
        ``CELL_COLUMNS``: cell id, resolution, venue count, counts per level 1-4, count with
        an illustrative position, hexagon (EPSG:4326); most venues first.
    """
    check_layer(venues, "venues", required=("level",), allow_empty=True)
    if venues.crs is not None and not venues.crs.equals("EPSG:4326"):
        venues = venues.to_crs("EPSG:4326")
    points = venues[venues.geometry.notna() & ~venues.geometry.is_empty]
    if points.empty:
        return gpd.GeoDataFrame(columns=CELL_COLUMNS, geometry="geometry", crs="EPSG:4326")
    finest = [h3.latlng_to_cell(y, x, resolutions[0])
              for x, y in zip(points.geometry.x, points.geometry.y, strict=True)]  # fmt: skip
    cell_codes, distinct = pd.factorize(pd.Series(finest))
    level = pd.to_numeric(points["level"], errors="coerce").fillna(4).clip(1, 4).to_numpy(int)
    position = points["position"] if "position" in points else pd.Series("", index=points.index)
    illustrative = (position.astype(object) == "illustrative").to_numpy()
    resolution, parents = _resolution(list(distinct), resolutions, max_cells)
    frame = pd.DataFrame({"h3_cell": np.asarray(parents, dtype=object)[cell_codes],
                          "illustrative": illustrative.astype(int)})  # fmt: skip
    for lv in (1, 2, 3, 4):
        frame[f"level{lv}"] = (level == lv).astype(int)
    table = frame.groupby("h3_cell", sort=True).sum().reset_index()
    table["venues"] = table[[f"level{lv}" for lv in (1, 2, 3, 4)]].sum(axis=1)
    table["resolution"] = resolution
    return _finish(table)


def coarser_cells(cells: gpd.GeoDataFrame, steps: int = 1) -> gpd.GeoDataFrame:
    """Return the counts of ``cells`` summed into their H3 parents ``steps`` resolutions up.

    Parameters
    ----------
    cells
        Output of :func:`venue_cells` (one resolution).
    steps
        How many resolutions coarser (each step: 7 times the area, 2.6 times the edge).

    Returns
    -------
    geopandas.GeoDataFrame
        ``CELL_COLUMNS`` at the coarser resolution, most venues first; every count is the sum
        of its children's, so no venue and no illustrative label is lost.
    """
    if cells.empty:
        return cells.copy()
    resolution = int(cells["resolution"].iloc[0]) - steps
    if resolution < 0:
        raise ValueError(f"cells of resolution {resolution + steps} have no parent {steps} up")
    counts = ["venues", "level1", "level2", "level3", "level4", "illustrative"]
    parents = [h3.cell_to_parent(c, resolution) for c in cells["h3_cell"]]
    table = pd.DataFrame(cells[counts]).groupby(np.asarray(parents, dtype=object)).sum()
    table = table.rename_axis("h3_cell").reset_index().assign(resolution=resolution)
    return _finish(table)


def venue_cell_levels(
    venues: gpd.GeoDataFrame, *, max_cells: int = MAX_CELLS, resolutions=RESOLUTIONS
) -> gpd.GeoDataFrame:
    """Return the cells of :func:`venue_cells` and, below them, the same counts one level up.

    A map shows the coarser cells when zoomed out (the finer ones would be a few pixels each
    and hide the boundaries under their outlines) and the finer ones from the zoom where they
    are large enough; both come in one table, told apart by ``resolution``.
    """
    fine = venue_cells(venues, max_cells=max_cells, resolutions=resolutions)
    if fine.empty or int(fine["resolution"].iloc[0]) == 0:
        return fine
    return pd.concat([fine, coarser_cells(fine)], ignore_index=True)


def _finish(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Sort ``table`` (cell counts) by venues, add the hexagons, return ``CELL_COLUMNS``."""
    table = table.sort_values(["venues", "h3_cell"], ascending=[False, True], kind="stable")
    # one polygon at a time: a cell crossing an icosahedron edge has 7 or more vertices
    geometry = [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)])
                for c in table["h3_cell"]]  # fmt: skip
    return gpd.GeoDataFrame(table.assign(geometry=geometry)[CELL_COLUMNS].reset_index(drop=True),
                            geometry="geometry", crs="EPSG:4326")  # fmt: skip


def _resolution(cells: list[str], resolutions, max_cells: int) -> tuple[int, list[str]]:
    """Return the finest resolution with <= ``max_cells`` parents, and each cell's parent."""
    parents = cells
    for resolution in resolutions:
        parents = [h3.cell_to_parent(c, resolution) for c in cells]
        if len(set(parents)) <= max_cells:
            return resolution, parents
    return resolutions[-1], parents
