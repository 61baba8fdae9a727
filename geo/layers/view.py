"""The map's view: fit to what a filter selects, keep the user's view when only the drawing changes.

The page sends a new map document whenever the map changes, so a new coverage radius used to
throw the planner back to the whole prefecture. :class:`MapView` replaces folium's
``fit_bounds``: the page gives it the bounds of what is selected and a *selection key* (the
filters, not the radius or the layers). The browser keeps the last view per map scope in
``sessionStorage`` (per tab, same origin as the map's frame, nothing leaves the machine):

- same key as the stored view -> the stored centre and zoom come back (radius, basemap, layer
  or language changes keep the view);
- a new key (another county, township, search) -> the map fits the new bounds, zooming no
  closer than ``max_zoom`` (a single found venue is a point).
"""

from __future__ import annotations

from jinja2 import Template

from geo.layers._element import VerbatimMacroElement, js_json

#: Closest zoom a fit may reach (a single venue would otherwise zoom to the street).
FIT_MAX_ZOOM = 14


class MapView(VerbatimMacroElement):
    """Fit ``bounds`` once per ``key``; otherwise restore the view last left under ``scope``.

    Parameters
    ----------
    bounds
        ``[[south, west], [north, east]]`` in the map's display coordinates.
    scope
        Storage name of this map (one per page map); empty = always fit, remember nothing.
    key
        Identity of the selection the bounds belong to.
    max_zoom
        Closest zoom of a fit.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var scope = {{ this.scope_js }}, key = {{ this.key_js }};
            var bounds = {{ this.bounds_js }}, store = null, saved = null;
            try { store = window.sessionStorage; } catch (e) { store = null; }
            if (store && scope) {
                try { saved = JSON.parse(store.getItem("venuemap.view." + scope)); }
                catch (e) { saved = null; }
            }
            if (saved && saved.key === key && isFinite(saved.zoom)) {
                map.setView([saved.lat, saved.lng], saved.zoom, {animate: false});
            } else {
                map.fitBounds(bounds, {maxZoom: {{ this.max_zoom }}, animate: false});
            }
            if (!store || !scope) { return; }
            function remember() {
                var c = map.getCenter();
                var view = {key: key, lat: c.lat, lng: c.lng, zoom: map.getZoom()};
                try { store.setItem("venuemap.view." + scope, JSON.stringify(view)); }
                catch (e) { return; }
            }
            map.on("moveend", remember);
            remember();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        bounds: list[list[float]],
        *,
        scope: str = "",
        key: str = "",
        max_zoom: int = FIT_MAX_ZOOM,
    ):
        super().__init__()
        self._name = "MapView"
        self.bounds = bounds
        self.scope = scope
        self.key = key
        self.max_zoom = int(max_zoom)

    @property
    def bounds_js(self) -> str:
        """The bounds as a JavaScript literal."""
        return js_json(self.bounds)

    @property
    def scope_js(self) -> str:
        """The storage scope as a JavaScript string literal."""
        return js_json(self.scope)

    @property
    def key_js(self) -> str:
        """The selection key as a JavaScript string literal."""
        return js_json(self.key)
