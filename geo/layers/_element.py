"""One compact folium element for every layer: GeoJSON with per-feature style, tooltip and popup.

folium's ``Marker``/``Popup`` write one JavaScript block per feature and build popups with
jQuery (``$(`...`)``); 229 venues that way cost ~1 MB and a CDN script. Here a layer is one
GeoJSON FeatureCollection plus a short table of styles; each feature carries the index of its
style and its pre-escaped tooltip and popup HTML, which Leaflet binds with plain DOM calls.
Coordinates are rounded to 5 decimals (about 1 m), which is plenty for display.

A popup that is a table of (label, value) rows travels as its escaped values only; the labels,
escaped once, sit in the layer's ``popup_labels`` and the browser builds the table as it binds
the popup. That keeps repeated table markup and field names out of the payload.

branca wraps each element's rendered script in a new Jinja template, which would evaluate any
``{{ ... }}`` in a venue name on the server and re-lex hundreds of kilobytes of data on every
run; our elements therefore hand their script to the figure verbatim (:class:`VerbatimScript`),
and :func:`js_json` never writes a Jinja delimiter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

#: Decimal places kept in displayed coordinates (1e-5 degree is about 1 m).
DISPLAY_DECIMALS = 5
#: ``{`` opening a Jinja delimiter (``{{``, ``{%``, ``{#``); JSON's own braces never do.
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


class VerbatimScript(Element):
    """A piece of the figure's script that is emitted as is, never parsed as a template."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "VerbatimScript"
        self.text = text

    def render(self, **kwargs: object) -> str:
        """Return the text unchanged."""
        del kwargs
        return self.text


class VerbatimMacroElement(MacroElement):
    """A MacroElement whose ``script`` macro output goes into the figure verbatim.

    branca's ``MacroElement.render`` wraps the output in ``Element(output)``, i.e. compiles the
    already-rendered JavaScript as a new Jinja template. Subclasses must define only a
    ``script`` macro (no ``header``/``html``) and have no children.
    """

    def render(self, **kwargs: object) -> None:
        """Add the rendered ``script`` macro to the figure's script, unparsed."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} can only be rendered inside a Figure")
        script = self._template.module.__dict__["script"]
        figure.script.add_child(VerbatimScript(script(self, kwargs)), name=self.get_name())


class StyledGeoJson(VerbatimMacroElement):
    """A GeoJSON layer whose features pick a style from a shared table.

    Parameters
    ----------
    features
        GeoJSON Feature dicts whose ``properties`` hold ``s`` (index into ``styles``) and
        optionally ``t`` (tooltip HTML) and ``p`` (popup: HTML, or with ``popup_labels`` a list
        ``[title, value, ...]``), all already escaped.
    styles
        Leaflet path options (``color``, ``weight``, ``fillColor``, ``radius``, ``dashArray``,
        ``className``...). Points are drawn as ``L.circleMarker`` with these options.
    popup_labels
        Escaped row labels of table popups (see ``geo.layers._html.popup_values``); None when
        ``p`` is HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_styles = {{ this.styles_js }};
        var {{ this.get_name() }}_labels = {{ this.labels_js }};
        function {{ this.get_name() }}_popup(p) {
            var labels = {{ this.get_name() }}_labels;
            if (!labels) { return p; }
            var rows = "";
            for (var i = 0; i < labels.length; i++) {
                rows += "<tr><th>" + labels[i] + "</th><td>" + p[i + 1] + "</td></tr>";
            }
            return '<div class="vm-popup-title">' + p[0] + '</div>'
                + '<table class="vm-popup">' + rows + '</table>';
        }
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
                if (p.p) { layer.bindPopup({{ this.get_name() }}_popup(p.p), {maxWidth: 380}); }
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        features: list[dict],
        styles: Sequence[dict],
        popup_labels: Sequence[str] | None = None,
    ):
        super().__init__()
        self._name = "StyledGeoJson"
        self.data = {"type": "FeatureCollection", "features": features}
        self.styles = list(styles)
        self.popup_labels = None if popup_labels is None else list(popup_labels)

    @property
    def data_js(self) -> str:
        """The FeatureCollection as a JavaScript literal safe inside ``<script>``."""
        return js_json(self.data)

    @property
    def styles_js(self) -> str:
        """The style table as a JavaScript literal."""
        return js_json(self.styles)

    @property
    def labels_js(self) -> str:
        """The popup row labels as a JavaScript literal (``null`` for HTML popups)."""
        return js_json(self.popup_labels)


def js_json(value: object) -> str:
    """Return ``value`` as compact JSON that is safe to place inside an HTML ``<script>``.

    Unlike Jinja's ``tojson`` it keeps Chinese characters as UTF-8 (half the bytes of a
    unicode escape); ``<``, ``>`` and ``&`` are still written as unicode escapes, so no text can
    close the script element or open a comment, and a ``{`` that would open a Jinja delimiter
    is escaped too, so no text is ever evaluated as a template. (NaN is written as ``NaN``.)
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _JINJA_OPEN.sub(r"\\u007b", text)


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
