"""Map layers: one module per kind of layer, each building a folium FeatureGroup.

``build_map`` composes them into the dashboard map; ``ui.assets.offline`` then points the map's
scripts and stylesheets at the app's own server.

The names below are loaded on first use (PEP 562), so importing a light submodule such as
``geo.layers.labels`` (the map strings, merged into ``ui.i18n`` on every page) or
``geo.layers.shapes`` does not import folium and every layer module with it.
"""

from __future__ import annotations

import importlib

#: Public name -> the submodule that defines it.
_EXPORTS: dict[str, str] = {
    "BASEMAP_CODES": "basemaps",
    "DEFAULT_BASEMAP": "basemaps",
    "add_basemap": "basemaps",
    "to_display": "basemaps",
    "county_layer": "boundaries",
    "township_layer": "boundaries",
    "simplify_for_display": "shapes",
    "coverage_areas": "coverage",
    "coverage_layer": "coverage",
    "uncovered_layer": "coverage",
    "gap_layer": "gaps",
    "proposed_layer": "gaps",
    "Legend": "legend",
    "LegendEntry": "legend",
    "LAYER_CODES": "map",
    "MapData": "map",
    "MapOptions": "map",
    "build_map": "map",
    "VenueStyle": "venues",
    "venue_layer": "venues",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    """Return public name ``name`` from its submodule, importing it on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geo.layers' has no attribute {name!r}")
    return getattr(importlib.import_module(f"geo.layers.{module}"), name)


def __dir__() -> list[str]:
    """List the public names (for completion and ``from geo.layers import *``)."""
    return __all__
