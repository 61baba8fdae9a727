"""The map legend: a Leaflet control holding escaped, bilingual HTML (no colormap scripts).

branca colormaps would make ``st_folium`` fetch d3 from a CDN, so the legend is plain HTML built
here from (label, colour, symbol) entries; every label is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Template

from geo.layers._element import VerbatimMacroElement, js_json
from geo.layers._html import esc

#: Symbols a legend entry can show.
SYMBOLS = ("dot", "hollow", "ring", "line", "dashed", "fill")


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
    elif entry.symbol == "line":
        css = f"height:0;border-top:2px solid {color};margin-top:6px"
    elif entry.symbol == "dashed":
        css = f"height:0;border-top:2px dashed {color};margin-top:6px"
    else:
        css = f"background:{color};opacity:0.75;border:1px solid {color}"
    return f'<span class="vm-swatch" style="{css}"></span>'


def legend_html(entries: list[LegendEntry], title: str) -> str:
    """Return the legend's HTML: a title that folds it away and one row per entry, escaped."""
    rows = "".join(
        f'<div class="vm-legend-row">{_swatch(e)}<span>{esc(e.label)}</span></div>' for e in entries
    )
    return f'<details open><summary class="vm-legend-title">{esc(title)}</summary>{rows}</details>'


class Legend(VerbatimMacroElement):
    """A Leaflet control (bottom right by default) showing :func:`legend_html`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "vm-legend leaflet-bar");
            div.innerHTML = {{ this.html_js }};
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

    @property
    def html_js(self) -> str:
        """The legend HTML as a JavaScript string literal safe inside ``<script>``."""
        return js_json(self.html)
