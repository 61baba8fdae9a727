"""A compact folium element for many small polygons that share a few styles (venue cells).

:class:`~geo.layers._element.StyledGeoJson` writes each feature as a GeoJSON object with its
own tooltip text: about 320 bytes per hexagon, 1.3 MB for the 4,000 cells of a 100,000-venue
register. Here each polygon travels as one list of integers (its first vertex in 1e-5 degree,
then the steps to the next vertices) and its tooltip as a short row of numbers; the browser
rebuilds the polygons and writes each tooltip from label templates sent once (about 90 bytes
per hexagon). The coordinates are the same 5-decimal roundings ``StyledGeoJson`` sends.

Once the polygons have been added and two animation frames painted, the script sets
``data-vm-cells`` (the number of polygons) on the map's container, so a test or benchmark can
tell when they are on screen even when they are drawn on a canvas (no element per polygon).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from jinja2 import Template

from geo.layers._element import DISPLAY_DECIMALS, VerbatimMacroElement, js_json

#: Integer units per degree of the encoded coordinates.
SCALE = 10**DISPLAY_DECIMALS
#: Attribute set on the map container once the polygons are painted.
DRAWN_ATTRIBUTE = "data-vm-cells"


def encode_rings(geometries: Sequence[object] | np.ndarray) -> list[list[int]]:
    """Return the exterior ring of each polygon as ``[x0, y0, dx1, dy1, ...]`` in 1e-5 degree.

    The closing vertex is left out (the browser closes the ring); holes and all but the
    first part of a MultiPolygon are dropped, which H3 cells never have.
    """
    geoms = np.asarray(geometries, dtype=object)
    if len(geoms) == 0:
        return []
    parts = shapely.get_geometry(geoms, 0)  # a Polygon is its own first part
    xy, which = shapely.get_coordinates(shapely.get_exterior_ring(parts), return_index=True)
    units = np.round(xy * SCALE).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
    ends = np.r_[starts[1:], len(which)]
    steps = np.diff(units, axis=0, prepend=units[:1])
    steps[starts] = units[starts]  # each ring starts absolute
    return [steps[a : b - 1].ravel().tolist() for a, b in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class CellSet:
    """Polygons shown over one zoom range, each with a row of integers.

    Attributes
    ----------
    cells
        Polygons (EPSG:4326 or the basemap's display coordinates).
    rows
        One row per polygon: ``[style index, total, level 1, level 2, level 3, level 4,
        illustrative]``.
    zooms
        First and last zoom (inclusive) at which the set is shown.
    """

    cells: np.ndarray
    rows: list[list[int]]
    zooms: tuple[int, int]


class CellGrid(VerbatimMacroElement):
    """Polygons with a style index and a row of counts each; tooltips written in the browser.

    Parameters
    ----------
    sets
        The polygons, one :class:`CellSet` per zoom range (the browser swaps them on zoom).
    styles
        Leaflet path options, indexed by the first number of each row.
    text
        Escaped tooltip pieces: ``count`` and ``illustrative`` (templates with ``{n}``) and
        ``levels`` (four level names).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = {{ this.data_js }};
            var styles = {{ this.styles_js }};
            var text = {{ this.text_js }};
            var group = {{ this._parent.get_name() }};
            function fmt(n) { return String(n).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ","); }
            function tip(k) {
                var parts = [text.count.replace("{n}", fmt(k[1]))];
                for (var lv = 1; lv <= 4; lv++) {
                    if (k[lv + 1]) { parts.push(text.levels[lv - 1] + " " + fmt(k[lv + 1])); }
                }
                if (k[6]) { parts.push(text.illustrative.replace("{n}", fmt(k[6]))); }
                return parts.join(" · ");
            }
            var sets = data.map(function (set) {
                var layer = L.layerGroup();
                for (var i = 0; i < set.v.length; i++) {
                    var v = set.v[i], x = 0, y = 0, ring = [];
                    for (var j = 0; j < v.length; j += 2) {
                        x += v[j]; y += v[j + 1];
                        ring.push([y / {{ this.scale }}, x / {{ this.scale }}]);
                    }
                    L.polygon(ring, styles[set.k[i][0]])
                        .bindTooltip(tip.bind(null, set.k[i]), {sticky: true}).addTo(layer);
                }
                return {layer: layer, zooms: set.z, count: set.v.length};
            });
            function show() {  // the set of the map's zoom, in place of the others
                var zoom = group._map.getZoom(), drawn = 0;
                sets.forEach(function (set) {
                    var on = zoom >= set.zooms[0] && zoom <= set.zooms[1];
                    if (on !== group.hasLayer(set.layer)) {
                        group[on ? "addLayer" : "removeLayer"](set.layer);
                    }
                    if (on) { drawn += set.count; }
                });
                return drawn;
            }
            function painted(drawn) {
                var map = group._map;
                requestAnimationFrame(function () { requestAnimationFrame(function () {
                    map.getContainer().setAttribute("{{ this.drawn_attribute }}", drawn);
                }); });
            }
            function added() {  // folium adds the group to the map after its content
                group._map.on("zoomend", show);
                painted(show());
            }
            group.on("add", added);
            group.on("remove", function () { group._map.off("zoomend", show); });
            if (group._map) { added(); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, sets: Sequence[CellSet], styles: Sequence[dict], text: dict):
        super().__init__()
        self._name = "CellGrid"
        self.data = [{"v": encode_rings(s.cells), "k": s.rows, "z": list(s.zooms)} for s in sets]
        self.styles = list(styles)
        self.text = text
        self.scale = SCALE
        self.drawn_attribute = DRAWN_ATTRIBUTE

    @property
    def data_js(self) -> str:
        """The encoded rings, count rows and zoom ranges as a JavaScript literal."""
        return js_json(self.data)

    @property
    def styles_js(self) -> str:
        """The style table as a JavaScript literal."""
        return js_json(self.styles)

    @property
    def text_js(self) -> str:
        """The tooltip pieces as a JavaScript literal."""
        return js_json(self.text)
