"""Compose the dashboard map: basemap, boundaries, coverage, gaps, venues, legend and controls.

Every layer is built from data already loaded and computed (``analysis``); this module only
draws. All inputs are WGS84 and are moved into the basemap's coordinates once, here
(``basemaps.to_display``: GCJ-02 for Amap). The returned map still names folium's CDN assets;
``ui.assets.offline`` points them at the app's own server before it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import folium
import geopandas as gpd

from geo.layers import basemaps
from geo.layers._html import fmt_km, tr
from geo.layers.access import access_layer, rings_layer
from geo.layers.aggregate import CellStyle, venue_cell_layer
from geo.layers.boundaries import (
    COUNTY_STYLE,
    TOWNSHIP_STYLE,
    county_layer,
    simplify_for_display,
    township_layer,
)
from geo.layers.controls import add_controls
from geo.layers.coverage import (
    CoverageStyle,
    UncoveredStyle,
    coverage_label,
    coverage_layer,
    uncovered_layer,
)
from geo.layers.gaps import GapStyle, ProposedStyle, gap_layer, proposed_layer
from geo.layers.legend import Legend, LegendEntry
from geo.layers.venues import VenueStyle, venue_layer
from geo.layers.view import FIT_MAX_ZOOM, MapView
from geo.schema import KINDS, LEVELS, label

#: Layer codes the page can switch on and off.
LAYER_CODES: tuple[str, ...] = (
    "counties",
    "townships",
    "coverage",
    "uncovered",
    "gaps",
    "proposed",
    "venues",
    "access",
    "rings",
)
#: Centre of China (lat, lon), used when neither a region centre nor data frame the view.
NATIONAL_CENTRE = (35.0, 105.0)
#: Display simplification of coverage areas, degrees (0.0002° ≈ 20 m: a 1.4 km circle keeps
#: about 19 sides, round at street zoom, and the payload loses half its circle vertices).
COVERAGE_TOLERANCE_DEG = 0.0002


@dataclass(frozen=True)
class MapData:
    """The layers of one map, all GeoDataFrames in EPSG:4326 (None or empty = not drawn).

    Attributes
    ----------
    venues
        Register rows (filtered as on screen).
    counties, townships
        Boundary polygons (townships approximate).
    coverage
        Output of ``geo.layers.coverage.coverage_areas``: level, radius_m, geometry.
    uncovered
        Villages outside every venue's reach.
    gaps
        H3 gap hexagons with an uncovered-population column.
    proposed
        Proposed sites of a siting scenario.
    venue_cells
        Venue counts per hexagon (``analysis.aggregate.venue_cells``), drawn instead of
        ``venues`` for a large register.
    access, rings
        Villages with their access (``venuemap.usecases.access.access_layer``); service rings
        (``analysis.rings.service_rings``).
        Planned sites: the last siting proposal and the register's planned venues. With a
        ``reach_m`` column (straight-line metres of the standard the sites were planned with)
        each is drawn with its own service circle.
    focus
        What the view fits to (the venues a filter or search selected); None fits the
        boundaries.
    """

    venues: gpd.GeoDataFrame | None = None
    counties: gpd.GeoDataFrame | None = None
    townships: gpd.GeoDataFrame | None = None
    coverage: gpd.GeoDataFrame | None = None
    uncovered: gpd.GeoDataFrame | None = None
    gaps: gpd.GeoDataFrame | None = None
    proposed: gpd.GeoDataFrame | None = None
    venue_cells: gpd.GeoDataFrame | None = None
    access: gpd.GeoDataFrame | None = None
    rings: gpd.GeoDataFrame | None = None
    focus: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class MapOptions:
    """How the map is drawn: basemap, visible layers, styles, display simplification, view.

    ``simplify_deg`` applies to boundaries, ``coverage_simplify_deg`` to coverage areas; both
    are display-only tolerances in degrees (0 = draw as given). ``centre`` (lat, lon) is where
    the view starts before it is fitted to the counties (pass the active region's centre).
    are display-only tolerances in degrees (0 = draw as given). ``view_scope`` names the map
    whose view the browser remembers and ``view_key`` the selection it fits (see
    ``geo.layers.view``): the same key keeps the user's view, a new one fits the new focus.
    """

    basemap: str = basemaps.DEFAULT_BASEMAP
    tianditu_token: str | None = None
    show: frozenset[str] = frozenset(LAYER_CODES)
    venue_style: VenueStyle = field(default_factory=VenueStyle)
    coverage_style: CoverageStyle = field(default_factory=CoverageStyle)
    uncovered_style: UncoveredStyle = field(default_factory=UncoveredStyle)
    gap_style: GapStyle = field(default_factory=GapStyle)
    proposed_style: ProposedStyle = field(default_factory=ProposedStyle)
    cell_style: CellStyle = field(default_factory=CellStyle)
    simplify_deg: float = 0.0005
    coverage_simplify_deg: float = COVERAGE_TOLERANCE_DEG
    centre: tuple[float, float] = NATIONAL_CENTRE
    view_scope: str = ""
    view_key: str = ""
    fit_max_zoom: int = FIT_MAX_ZOOM


def _present(gdf: gpd.GeoDataFrame | None) -> bool:
    return gdf is not None and not gdf.empty


def _display(gdf: gpd.GeoDataFrame, options: MapOptions) -> gpd.GeoDataFrame:
    return basemaps.to_display(gdf, options.basemap)


def _fit(m: folium.Map, data: MapData, options: MapOptions) -> None:
    """Fit the focus (else the boundaries, else the venues), or keep the remembered view."""
    for gdf in (data.focus, data.counties, data.townships, data.venues):
        if _present(gdf):
            west, south, east, north = _display(gdf, options).total_bounds
            bounds = [[float(south), float(west)], [float(north), float(east)]]
            MapView(
                bounds,
                scope=options.view_scope,
                key=options.view_key,
                max_zoom=options.fit_max_zoom,
            ).add_to(m)
            return


def _add_layers(m: folium.Map, data: MapData, options: MapOptions, lang: str) -> None:
    shown = options.show
    if _present(data.coverage):
        coverage = simplify_for_display(data.coverage, options.coverage_simplify_deg)
        coverage_layer(
            _display(coverage, options),
            style=options.coverage_style,
            lang=lang,
            show="coverage" in shown,
        ).add_to(m)
    if _present(data.venue_cells):  # below gaps and boundaries, which stay visible
        venue_cell_layer(
            _display(data.venue_cells, options),
            style=options.cell_style,
            lang=lang,
            show="venues" in shown,
        ).add_to(m)
    if _present(data.rings):  # issue 10: 一站多圈
        rings_layer(_display(data.rings, options), lang=lang, show="rings" in shown).add_to(m)
    if _present(data.gaps):
        gap_layer(
            _display(data.gaps, options), style=options.gap_style, lang=lang, show="gaps" in shown
        ).add_to(m)
    if _present(data.townships):
        townships = simplify_for_display(data.townships, options.simplify_deg)
        township_layer(_display(townships, options), lang=lang, show="townships" in shown).add_to(m)
    if _present(data.counties):
        counties = simplify_for_display(data.counties, options.simplify_deg)
        county_layer(_display(counties, options), lang=lang, show="counties" in shown).add_to(m)
    if _present(data.uncovered):
        uncovered_layer(
            _display(data.uncovered, options),
            style=options.uncovered_style,
            lang=lang,
            show="uncovered" in shown,
        ).add_to(m)
    if _present(data.access):  # issue 10
        access_layer(_display(data.access, options), lang=lang, show="access" in shown).add_to(m)
    if _present(data.venues):
        _add_venue_levels(m, _display(data.venues, options), options, lang)
    if _present(data.proposed):
        proposed_layer(
            _display(data.proposed, options),
            style=options.proposed_style,
            lang=lang,
            show="proposed" in shown,
        ).add_to(m)


def _add_venue_levels(
    m: folium.Map, venues: gpd.GeoDataFrame, options: MapOptions, lang: str
) -> None:
    """Add one layer per network level, so each level can be switched in the layer control.

    Clustering, when asked for, applies to the many village-level venues only: the few
    centres above them stay visible on their own.
    """
    for level in sorted(int(v) for v in venues["level"].dropna().unique()):
        rows = venues[venues["level"] == level]
        name = tr("map.layer.level", lang, level=label(LEVELS, str(level), lang))
        style = replace(options.venue_style, cluster=options.venue_style.cluster and level == 4)
        venue_layer(rows, style=style, lang=lang, name=name, show="venues" in options.show).add_to(
            m
        )


def legend_entries(data: MapData, options: MapOptions, lang: str) -> list[LegendEntry]:
    """Return the legend rows of the layers present and switched on."""
    shown, entries = options.show, []
    if _present(data.venues) and "venues" in shown:
        kinds = [k for k in KINDS if k.code in set(data.venues["kind"].astype(str))]
        entries += [
            LegendEntry(label(KINDS, k.code, lang), options.venue_style.color(k.code))
            for k in kinds
        ]
        if (data.venues.get("position") == "illustrative").any():
            entries.append(LegendEntry(tr("map.legend.illustrative", lang), "#555555", "hollow"))
    if _present(data.venue_cells) and "venues" in shown:
        entries += _cell_entries(data.venue_cells, options.cell_style, lang)
    if _present(data.counties) and "counties" in shown:
        entries.append(LegendEntry(tr("map.legend.county", lang), COUNTY_STYLE.color, "line"))
    if _present(data.townships) and "townships" in shown:
        entries.append(LegendEntry(tr("map.legend.township", lang), TOWNSHIP_STYLE.color, "dashed"))
    if _present(data.coverage) and "coverage" in shown:
        for row in data.coverage.itertuples(index=False):
            text = coverage_label(row, lang)
            entries.append(LegendEntry(text, options.coverage_style.color(row.level), "fill"))
    if _present(data.uncovered) and "uncovered" in shown:
        entries.append(
            LegendEntry(tr("map.legend.uncovered", lang), options.uncovered_style.color, "ring")
        )
    if _present(data.gaps) and "gaps" in shown:
        style = options.gap_style
        entries += [
            LegendEntry(f"{tr('map.layer.gaps', lang)} {text}", color, "fill")
            for text, color in zip(style.class_labels(lang), style.colors, strict=True)
        ]
    if _present(data.proposed) and "proposed" in shown:
        entries += _planned_entries(data.proposed, options, lang)
    return entries


def _planned_entries(sites: gpd.GeoDataFrame, options: MapOptions, lang: str) -> list[LegendEntry]:
    """Legend rows of planned sites: the dashed ring, then one row per service radius drawn."""
    color = options.proposed_style.color
    entries = [LegendEntry(tr("map.legend.proposed", lang), color, "planned")]
    if "reach_m" in sites.columns:
        radii = sorted({float(r) for r in sites["reach_m"].dropna() if float(r) > 0})
        entries += [
            LegendEntry(tr("map.legend.planned_area", lang, radius=fmt_km(r, lang)), color, "fill")
            for r in radii
        ]
    return entries


def _cell_entries(cells: gpd.GeoDataFrame, style: CellStyle, lang: str) -> list[LegendEntry]:
    """Legend rows of the venue cells: one per count class, and the dashed illustrative mark."""
    title = tr("map.layer.venue_cells", lang)
    labels = style.class_labels(lang)
    entries = [
        LegendEntry(f"{title} {text}", color, "fill")
        for text, color in zip(labels, style.colors, strict=True)
    ]
    if (cells["illustrative"] > 0).any():
        entries.append(LegendEntry(tr("map.legend.cells_illustrative", lang), "#333333", "dashed"))
    return entries


def build_map(
    data: MapData,
    *,
    options: MapOptions = MapOptions(),  # noqa: B008 - frozen
    lang: str = "zh",
) -> folium.Map:
    """Return the dashboard map with every layer of ``data`` and the controls.

    Parameters
    ----------
    data
        The layers, in EPSG:4326.
    options
        Basemap, visible layers, styles.
    lang
        'zh' or 'en': every label, tooltip, popup and control title.

    Returns
    -------
    folium.Map
        Pass it through ``ui.assets.offline`` before showing it.
    """
    # maxZoom must be set even without tiles: marker clustering refuses a map without one.
    # A large register (venue cells) draws every vector layer on one canvas, in the same
    # order: thousands of SVG paths made each zoom step cost ~0.3 s.
    m = folium.Map(
        location=options.centre,
        zoom_start=8,
        tiles=None,
        prefer_canvas=_present(data.venue_cells),
        control_scale=False,  # geo.layers.controls adds a metric-only scale bar
        minZoom=4,  # Map options (folium's min_zoom/max_zoom only reach a tile layer)
        maxZoom=18,
    )
    # The view first: layers added before a fit would be drawn at the start view, then
    # projected and drawn again at the fitted one (a third of the demo map's script time).
    _fit(m, data, options)
    basemaps.add_basemap(m, options.basemap, lang=lang, token=options.tianditu_token)
    _add_layers(m, data, options, lang)
    entries = legend_entries(data, options, lang)
    if entries:
        Legend(entries, tr("map.legend.title", lang)).add_to(m)
    add_controls(m, lang=lang)
    return m
