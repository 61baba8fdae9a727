"""Map layers: one module per kind of layer, each building a folium FeatureGroup.

``build_map`` composes them into the dashboard map; ``ui.assets.offline`` then points the map's
scripts and stylesheets at the app's own server.
"""

from geo.layers.basemaps import BASEMAP_CODES, DEFAULT_BASEMAP, add_basemap, to_display
from geo.layers.boundaries import county_layer, simplify_for_display, township_layer
from geo.layers.coverage import coverage_areas, coverage_layer, uncovered_layer
from geo.layers.gaps import gap_hexes, gap_layer, proposed_layer
from geo.layers.legend import Legend, LegendEntry
from geo.layers.map import LAYER_CODES, MapData, MapOptions, build_map
from geo.layers.venues import VenueStyle, venue_layer

__all__ = [
    "BASEMAP_CODES",
    "DEFAULT_BASEMAP",
    "LAYER_CODES",
    "Legend",
    "LegendEntry",
    "MapData",
    "MapOptions",
    "VenueStyle",
    "add_basemap",
    "build_map",
    "county_layer",
    "coverage_areas",
    "coverage_layer",
    "gap_hexes",
    "gap_layer",
    "proposed_layer",
    "simplify_for_display",
    "to_display",
    "township_layer",
    "uncovered_layer",
    "venue_layer",
]
