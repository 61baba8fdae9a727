"""Map controls: full screen, distance measuring, the page style, all in the interface language.

The scale bar is Leaflet's own ``L.control.scale``, metric only (folium's ``control_scale``
would add miles as well).
Distance measuring uses Leaflet.PolylineMeasure (npm ``leaflet.polylinemeasure``, no
dependencies, labels configurable so they can be Chinese). Its asset names below are mapped to
``static/vendor`` by ``ui.assets.offline``; the CDN URLs are never loaded.
"""

from __future__ import annotations

import folium
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import Fullscreen
from jinja2 import Template

from geo.layers._html import tr

#: Page style of the map: plain background when there is no basemap, popup tables, legend.
MAP_CSS = """
<style>
.leaflet-container { background: #f4f3ef; font-family: "Noto Sans CJK SC", "Microsoft YaHei",
  "PingFang SC", sans-serif; }
table.vm-popup { border-collapse: collapse; font-size: 12px; }
table.vm-popup th { text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: 500;
  white-space: nowrap; vertical-align: top; }
table.vm-popup td { padding: 1px 0; max-width: 260px; overflow-wrap: anywhere; }
.vm-popup-title { font-weight: 600; font-size: 13px; margin-bottom: 4px; overflow-wrap: anywhere; }
.vm-legend { background: rgba(255,255,255,0.92); padding: 6px 8px; font-size: 12px;
  line-height: 18px; overflow: auto; box-sizing: border-box; }
.vm-legend-title { font-weight: 600; margin-bottom: 2px; cursor: pointer; }
.vm-legend-row { display: flex; align-items: center; gap: 6px; }
.vm-swatch { display: inline-block; width: 12px; height: 12px; flex: none; box-sizing: border-box; }
</style>
"""


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


class DistanceMeasure(JSCSSMixin, MacroElement):
    """Leaflet.PolylineMeasure: click points on the map to measure a path, in metres/km."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.polylineMeasure({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
    # Served by the app (ui.assets copies the npm package); ui.assets.offline maps by name.
    default_js = [
        (
            "polylinemeasure_js",
            "/app/static/vendor/leaflet.polylinemeasure/Leaflet.PolylineMeasure.js",
        )
    ]
    default_css = [
        (
            "polylinemeasure_css",
            "/app/static/vendor/leaflet.polylinemeasure/Leaflet.PolylineMeasure.css",
        )
    ]

    def __init__(self, lang: str = "zh", position: str = "topleft"):
        super().__init__()
        self._name = "DistanceMeasure"
        self.options = {
            "position": position,
            "unit": "metres",
            "showBearings": False,
            "clearMeasurementsOnStop": False,
            "showClearControl": True,
            "showUnitControl": False,
            "measureControlTitleOn": tr("map.control.measure_on", lang),
            "measureControlTitleOff": tr("map.control.measure_off", lang),
            "clearControlTitle": tr("map.control.measure_clear", lang),
            "tooltipTextFinish": tr("map.control.measure_finish", lang),
            "tooltipTextDelete": tr("map.control.measure_delete", lang),
            "tooltipTextMove": tr("map.control.measure_move", lang),
            "tooltipTextResume": tr("map.control.measure_resume", lang),
            "tooltipTextAdd": tr("map.control.measure_add", lang),
        }


def add_controls(m: folium.Map, *, lang: str = "zh") -> None:
    """Add the page style, scale bar, full-screen button, distance measuring, layer switcher."""
    m.get_root().header.add_child(Element(MAP_CSS), name="vm_map_css")
    MetricScale().add_to(m)
    Fullscreen(
        position="topleft",
        title=tr("map.control.fullscreen", lang),
        title_cancel=tr("map.control.exit_fullscreen", lang),
    ).add_to(m)
    DistanceMeasure(lang=lang).add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
