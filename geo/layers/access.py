"""Access per village (2SFCA and kin) as coloured points, and "一站多圈" service rings.

Both layers draw results computed elsewhere (``venuemap.usecases.access``): the access layer
colours each village by its ``access_index`` class (1 = prefecture average), the rings layer
draws each venue's nested rings (e.g. 5/10/15 minutes or 1/2/5 km), outermost underneath.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np

from geo.layers._element import StyledGeoJson, make_features
from geo.layers._html import detail_table, fmt_people, is_missing, tip, tr

#: Popup strings of these two layers, Chinese and English (layer names: geo.layers.labels).
STRINGS = {
    "index": ("可达性指数（1 = 全州平均）", "Access index (1 = prefecture average)"),
    "score": ("人均可用容量", "Capacity per resident"),
    "population": ("人口", "Population"),
    "code": ("编码", "Code"),
    "venues": ("可达阵地数", "Venues in reach"),
    "illustrative": ("示意人口", "illustrative population"),
}


def _s(key: str, lang: str) -> str:
    zh, en = STRINGS[key]
    return zh if lang == "zh" else en


@dataclass(frozen=True)
class AccessStyle:
    """Colour classes of ``access_index``: upper bounds and colours, worst first."""

    bounds: tuple[float, ...] = (0.0, 0.5, 0.9, 1.1, 2.0, np.inf)
    colors: tuple[str, ...] = ("#67001f", "#d6604d", "#f4a582", "#f7f7f7", "#92c5de", "#2166ac")
    radius_px: float = 5.0

    def classes(self, index: np.ndarray) -> np.ndarray:
        """Return the class (0 = no access at all) of each access index."""
        return np.searchsorted(np.asarray(self.bounds), np.asarray(index, float), side="left")


@dataclass(frozen=True)
class RingStyle:
    """Colours of the rings, innermost first; opacity of their fill."""

    colors: tuple[str, ...] = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b")
    fill_opacity: float = 0.18


def access_layer(
    points: gpd.GeoDataFrame,
    *,
    style: AccessStyle = AccessStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return villages coloured by access class, with access and population in the popup.

    ``points`` is `venuemap.usecases.access.access_layer`'s output (EPSG:4326).
    """
    group = folium.FeatureGroup(name=tr("map.layer.access", lang), show=show)
    if points.empty:
        return group
    classes = style.classes(points["access_index"].to_numpy())
    styles = [
        {"radius": style.radius_px, "color": "#333333", "weight": 1, "fillColor": color,
         "fillOpacity": 0.9, "className": f"vm-access-{k}"}
        for k, color in enumerate(style.colors)
    ]  # fmt: skip
    tips, pops = [], []
    for _, row in points.iterrows():
        people = fmt_people(row.get("population"), lang)
        if row.get("population_source") == "illustrative" and not is_missing(row.get("population")):
            people += f" ({_s('illustrative', lang)})"
        tips.append(tip(row.get("name"), f"{float(row['access_index']):.2f}"))
        pops.append(detail_table([
            (_s("code", lang), row.get("village_code", row.get("id"))),
            (_s("score", lang), f"{float(row['access']):.3g}"),
            (_s("index", lang), f"{float(row['access_index']):.2f}"),
            (_s("venues", lang), row.get("venues_in_reach")),
            (_s("population", lang), people),
        ], title=row.get("name")))  # fmt: skip
    features = make_features(points, classes.tolist(), tooltips=tips, popups=pops)
    StyledGeoJson(features, styles).add_to(group)
    return group


def rings_layer(
    rings: gpd.GeoDataFrame,
    *,
    style: RingStyle = RingStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return the service rings (``analysis.rings.service_rings`` output), outermost first.

    ``rings`` has ``venue_id``, ``ring`` (0 = innermost), ``label`` (e.g. "15 min") and
    polygon geometries in EPSG:4326.
    """
    group = folium.FeatureGroup(name=tr("map.layer.rings", lang), show=show)
    if rings.empty:
        return group
    ordered = rings.sort_values("ring", ascending=False)
    styles = [
        {"color": color, "weight": 1, "fillColor": color, "fillOpacity": style.fill_opacity,
         "className": f"vm-ring-{k}"}
        for k, color in enumerate(style.colors)
    ]  # fmt: skip
    index = np.minimum(ordered["ring"].to_numpy(int), len(style.colors) - 1)
    tips = [tip(name, text) for name, text in zip(
        ordered.get("venue_name", ordered["venue_id"]), ordered["label"], strict=True)]  # fmt: skip
    features = make_features(ordered, index.tolist(), tooltips=tips)
    StyledGeoJson(features, styles).add_to(group)
    return group
