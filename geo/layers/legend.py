"""The map legend: a Leaflet control holding escaped, bilingual HTML (no colormap scripts).

branca colormaps would make the map fetch d3 from a CDN, so the legend is plain HTML built
here from (label, colour, symbol) entries; every label is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Template

from geo.layers._element import VerbatimMacroElement, js_json
from geo.layers._html import esc

#: Symbols a legend entry can show.
SYMBOLS = ("dot", "hollow", "ring", "planned", "line", "dashed", "fill")


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: a symbol drawn in ``color`` and its (unescaped) label."""

    label: str
    color: str
    symbol: str = "dot"


def _swatch(entry: LegendEntry) -> str:
    color = esc(entry.color)
    if entry.symbol == "dot":
        css = f"border-radius:50%;background:{color};border:1px solid {color}"
    elif entry.symbol in ("hollow", "ring"):
        css = f"border-radius:50%;background:#fff;border:2px solid {color}"
    elif entry.symbol == "planned":
        css = f"border-radius:50%;background:#fff;border:2px dashed {color}"
    elif entry.symbol == "line":
        css = f"height:0;border-top:2px solid {color};margin-top:6px"
    elif entry.symbol == "dashed":
        css = f"height:0;border-top:2px dashed {color};margin-top:6px"
    else:
        css = f"background:{color};opacity:0.75;border:1px solid {color}"
    return f'<span class="vm-swatch" style="{css}"></span>'


def legend_html(entries: list[LegendEntry], title: str) -> str:
    """Return the legend's HTML: a title that folds it away and one row per entry, escaped.

    The legend starts folded; :class:`Legend` opens it in the browser when the map is large.
    """
    rows = "".join(
        f'<div class="vm-legend-row">{_swatch(e)}<span>{esc(e.label)}</span></div>' for e in entries
    )
    return f'<details><summary class="vm-legend-title">{esc(title)}</summary>{rows}</details>'


#: A map smaller than this (px, width x height) shows its legend folded (a phone, a small box).
OPEN_MIN_SIZE_PX = (700, 420)
#: Largest share of the map's width and height the legend may take (it scrolls beyond): at
#: most 45 % x 38 %, i.e. under a fifth of the map's area, even when unfolded.
MAX_SHARE = (0.45, 0.38)


class Legend(VerbatimMacroElement):
    """A Leaflet control (bottom right by default) showing :func:`legend_html`.

    Folded by default on small maps (phones), open on large ones; never larger than
    :data:`MAX_SHARE` of the map (it scrolls), re-measured when the map is resized.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", "vm-legend leaflet-bar");
            div.innerHTML = {{ this.html_js }};
            function fit() {
                var size = map.getSize();
                div.style.maxWidth = Math.floor(size.x * {{ this.max_share[0] }}) + "px";
                div.style.maxHeight = Math.floor(size.y * {{ this.max_share[1] }}) + "px";
            }
            var size = map.getSize();
            if (size.x >= {{ this.open_min[0] }} && size.y >= {{ this.open_min[1] }}) {
                div.querySelector("details").open = true;
            }
            fit();
            map.on("resize", fit);
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, entries: list[LegendEntry], title: str, position: str = "bottomright"):
        super().__init__()
        self._name = "Legend"
        self.html = legend_html(entries, title)
        self.position = position
        self.open_min = OPEN_MIN_SIZE_PX
        self.max_share = MAX_SHARE

    @property
    def html_js(self) -> str:
        """The legend HTML as a JavaScript string literal safe inside ``<script>``."""
        return js_json(self.html)
