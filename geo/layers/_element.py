"""One compact folium element for every layer: GeoJSON with per-feature style, tooltip and popup.

folium's ``Marker``/``Popup`` write one JavaScript block per feature and build popups with
jQuery (``$(`...`)``); 229 venues that way cost ~1 MB and a CDN script. Here a layer is one
GeoJSON FeatureCollection plus a short table of styles; each feature carries the index of its
style and its pre-escaped tooltip and popup HTML, which Leaflet binds with plain DOM calls.
Coordinates are rounded to 5 decimals (about 1 m), which is plenty for display.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

#: Decimal places kept in displayed coordinates (1e-5 degree is about 1 m).
DISPLAY_DECIMALS = 5


class StyledGeoJson(MacroElement):
    """A GeoJSON layer whose features pick a style from a shared table.

    Parameters
    ----------
    features
        GeoJSON Feature dicts whose ``properties`` hold ``s`` (index into ``styles``) and
        optionally ``t`` (tooltip HTML) and ``p`` (popup HTML), both already escaped.
    styles
        Leaflet path options (``color``, ``weight``, ``fillColor``, ``radius``, ``dashArray``,
        ``className``...). Points are drawn as ``L.circleMarker`` with these options.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_styles = {{ this.styles_js }};
        var {{ this.get_name() }} = L.geoJson({{ this.data_js }}, {
            pointToLayer: function (feature, latlng) {
                return L.circleMarker(latlng, {{ this.get_name() }}_styles[feature.properties.s]);
            },
            style: function (feature) {
                return {{ this.get_name() }}_styles[feature.properties.s];
            },
            onEachFeature: function (feature, layer) {
                var p = feature.properties;
                if (p.t) { layer.bindTooltip(p.t, {sticky: true}); }
                if (p.p) { layer.bindPopup(p.p, {maxWidth: 380}); }
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, features: list[dict], styles: Sequence[dict]):
        super().__init__()
        self._name = "StyledGeoJson"
        self.data = {"type": "FeatureCollection", "features": features}
        self.styles = list(styles)

    @property
    def data_js(self) -> str:
        """The FeatureCollection as a JavaScript literal safe inside ``<script>``."""
        return js_json(self.data)

    @property
    def styles_js(self) -> str:
        """The style table as a JavaScript literal."""
        return js_json(self.styles)


def js_json(value: object) -> str:
    """Return ``value`` as compact JSON that is safe to place inside an HTML ``<script>``.

    Unlike Jinja's ``tojson`` it keeps Chinese characters as UTF-8 (half the bytes of a
    unicode escape); ``<``, ``>`` and ``&`` are still written as unicode escapes, so no text can
    close the script element or open a comment. (NaN is written as ``NaN``, valid JavaScript.)
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def geometries_json(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> list[dict]:
    """Return the GeoJSON geometry dicts of ``gdf``, coordinates rounded for display."""
    geoms = np.asarray(gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf)
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, DISPLAY_DECIMALS))
    return [json.loads(text) if text else None for text in shapely.to_geojson(rounded)]


def make_features(
    gdf: gpd.GeoDataFrame,
    style_index: Sequence[int],
    tooltips: Sequence[str] | None = None,
    popups: Sequence[str] | None = None,
) -> list[dict]:
    """Return GeoJSON Features for the rows of ``gdf`` with style index, tooltip and popup.

    Rows with an empty or missing geometry are skipped (Leaflet cannot draw them).
    """
    features = []
    for i, geometry in enumerate(geometries_json(gdf)):
        if geometry is None or not geometry.get("coordinates"):
            continue
        props: dict[str, object] = {"s": int(style_index[i])}
        if tooltips is not None:
            props["t"] = tooltips[i]
        if popups is not None:
            props["p"] = popups[i]
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return features
