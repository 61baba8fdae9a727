"""Coverage and gaps: who is served and who is not, under one service standard.

Every figure of the CLI (``coverage``, ``gaps``, ``export --layer coverage|gaps``) and of the
dashboard (Overview, Gaps, Map, Data downloads) comes from these functions, so the same
standard gives the same number everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from analysis.coverage import assess_coverage, summarise_coverage
from analysis.coverage import coverage_totals as _totals
from analysis.gaps import redundant_venues, service_deserts, uncovered_demand
from analysis.network import check_network
from analysis.standards import Standards
from venuemap.usecases.inputs import Inputs
from venuemap.usecases.labels import AsOf, as_of, illustrative

#: H3 resolution of the gap hexagons on the map (6: about 36 km² each, 3.2 km edge).
MAP_GAP_RESOLUTION = 6


@dataclass(frozen=True)
class CoverageResult:
    """Coverage of the demand under one standard.

    Attributes
    ----------
    table
        Every demand point with its nearest venue per level and ``covered`` flags.
    totals
        Headline figures: demand, covered, population, population_covered.
    by_county
        The totals per county (empty when the demand has no ``county_code``).
    network
        The four-level check counts (empty when the demand has no village/township codes).
    illustrative
        What the figures rest on that is illustrative (labels.ILLUSTRATIVE_CODES); [] if none.
    as_of
        The dates the venues describe.
    """

    table: gpd.GeoDataFrame
    totals: dict
    by_county: pd.DataFrame
    network: dict = field(default_factory=dict)
    illustrative: list[str] = field(default_factory=list)
    as_of: AsOf = AsOf(None, None)


def coverage_table(
    inputs: Inputs, standard: Standards, *, kinds: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """Return every demand point with its nearest venue per level and the covered flags."""
    return assess_coverage(
        inputs.demand, inputs.venues, standard, detour=standard.detour, roads=inputs.roads,
        kinds=None if kinds is None else list(kinds), snap_m=inputs.snap_m,
    )  # fmt: skip


def coverage_totals(table: gpd.GeoDataFrame) -> dict:
    """Return the headline figures of a coverage table (the one baseline of every screen)."""
    return _totals(table)


def summarise(table: gpd.GeoDataFrame, by: str) -> pd.DataFrame:
    """Return a coverage table rolled up per ``by`` (county or township code), with totals."""
    return summarise_coverage(table, by=by)


def service_areas(venues: gpd.GeoDataFrame, standard: Standards) -> gpd.GeoDataFrame:
    """Return the areas ``venues`` serve under ``standard`` (polygons, for the map)."""
    from analysis.areas import service_areas as areas

    return areas(venues, standard, detour=standard.detour)


def service_area_cells(venues: gpd.GeoDataFrame, standard: Standards) -> gpd.GeoDataFrame:
    """Return the areas ``venues`` serve, one H3-cell cover per level (large registers)."""
    from analysis.areas import service_area_cells as cells

    return cells(venues, standard, detour=standard.detour)


def network_counts(inputs: Inputs, standard: Standards) -> dict[str, int]:
    """Return the four-level check counts; {} when the demand has no village/township codes."""
    demand, venues = inputs.demand, inputs.venues
    if not {"village_code", "township_code"} <= set(demand.columns) or (
            "kind" not in venues and len(venues)):  # fmt: skip
        return {}
    report = check_network(
        venues, demand, townships=inputs.townships, counties=inputs.counties,
        standards=standard, detour=standard.detour, roads=inputs.roads, snap_m=inputs.snap_m,
    )  # fmt: skip
    return dict(report.counts)


def coverage(
    inputs: Inputs, standard: Standards, *, kinds: Iterable[str] | None = None
) -> CoverageResult:
    """Return coverage per demand point, in total, per county, the checks and the labels."""
    table = coverage_table(inputs, standard, kinds=kinds)
    by_county = (
        summarise_coverage(table, "county_code", totals=False)
        if "county_code" in table.columns
        else pd.DataFrame()
    )
    return CoverageResult(
        table=table,
        totals=coverage_totals(table),
        by_county=by_county,
        network=network_counts(inputs, standard),
        illustrative=illustrative(inputs.venues, inputs.demand),
        as_of=as_of(inputs.venues),
    )


@dataclass(frozen=True)
class GapsResult:
    """Who is not served, under one standard.

    Attributes
    ----------
    uncovered
        Uncovered demand points, most people first (``rank``).
    deserts
        H3 cells of uncovered demand with their population.
    townships_without_centre
        Townships without a township centre.
    redundant
        Venues whose demand every other venue also covers.
    illustrative
        As in `CoverageResult`.
    """

    uncovered: gpd.GeoDataFrame
    deserts: gpd.GeoDataFrame
    townships_without_centre: pd.DataFrame
    redundant: gpd.GeoDataFrame
    illustrative: list[str] = field(default_factory=list)


def uncovered(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the uncovered demand of a coverage table, most people first, then farthest."""
    return uncovered_demand(table)


def gap_cells(
    table: gpd.GeoDataFrame, *, resolution: int = MAP_GAP_RESOLUTION
) -> gpd.GeoDataFrame:
    """Return the H3 cells of uncovered demand in the map layer's shape.

    The cells are `analysis.gaps.service_deserts`; columns renamed for ``geo.layers.gaps``:
    ``h3``, ``uncovered_population``, ``village_count``, ``rank`` (1 = most people), geometry.
    """
    cells = service_deserts(table, resolution=resolution)
    out = cells.rename(columns={"h3_cell": "h3", "uncovered_points": "village_count"})
    out["rank"] = range(1, len(out) + 1)
    columns = ["h3", "uncovered_population", "village_count", "rank", "geometry"]
    return gpd.GeoDataFrame(out[columns], geometry="geometry", crs="EPSG:4326")


def gaps(
    inputs: Inputs, standard: Standards, *, kinds: Iterable[str] | None = None
) -> GapsResult:
    """Return uncovered demand, service deserts, townships without centre, redundant venues."""
    kinds = None if kinds is None else list(kinds)
    table = coverage_table(inputs, standard, kinds=kinds)
    venues = inputs.venues
    chosen = venues if kinds is None else venues.loc[venues["kind"].isin(kinds)]
    return GapsResult(
        uncovered=uncovered(table),
        deserts=service_deserts(table),
        townships_without_centre=_townships_without_centre(inputs, standard),
        redundant=redundant_venues(inputs.demand, chosen, standard, detour=standard.detour),
        illustrative=illustrative(inputs.venues, inputs.demand),
    )


def _townships_without_centre(inputs: Inputs, standard: Standards) -> pd.DataFrame:
    if "township_code" not in inputs.demand.columns or "kind" not in inputs.venues.columns:
        return pd.DataFrame(columns=["township_code"])
    report = check_network(
        inputs.venues, inputs.demand, townships=inputs.townships, standards=standard,
        detour=standard.detour,
    )  # fmt: skip
    return report.townships_without_centre
