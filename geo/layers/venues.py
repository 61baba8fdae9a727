"""The venue layer: one circle marker per venue, coloured by kind and sized by level.

Tooltips and popups show the register's fields in the interface language; every value from the
register (names, addresses, services...) is escaped, so a name such as
``<img src=x onerror=alert(1)>`` appears as text. Venues whose position is illustrative are
drawn hollow and say so in their popup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import MarkerCluster

from geo.layers._element import StyledGeoJson, make_features
from geo.layers._html import detail_table, esc, is_missing, popup_values, tip, tr
from geo.schema import KINDS, LEVELS, LIST_SEPARATOR, ORGANIZATIONS, STATUSES, label

#: CSS class on every venue marker (browser tests count ``path.vm-venue``).
VENUE_CLASS = "vm-venue"
#: One register row: a pandas Series or a plain dict of its columns.
Row = pd.Series | Mapping[str, object]


@dataclass(frozen=True)
class VenueStyle:
    """How venues are drawn.

    Attributes
    ----------
    kind_colors
        (kind code, CSS colour) pairs; kinds not listed use ``other_color``.
    level_radius_px
        (level, marker radius in screen pixels) pairs, level 1 (prefecture) to 4 (village).
    closed_opacity
        Fill opacity of closed venues (faded); planned venues get a dashed outline.
    cluster
        Group nearby markers into clusters (useful with a few thousand venues).
    """

    kind_colors: tuple[tuple[str, str], ...] = (
        ("prefecture_centre", "#b2182b"),
        ("county_centre", "#d6604d"),
        ("township_centre", "#2166ac"),
        ("village_station", "#1b9e77"),
        ("community_station", "#7570b3"),
        ("enterprise_home", "#e6ab02"),
    )
    other_color: str = "#666666"
    level_radius_px: tuple[tuple[int, float], ...] = ((1, 11.0), (2, 9.0), (3, 7.0), (4, 4.5))
    closed_opacity: float = 0.25
    cluster: bool = False

    def color(self, kind: str) -> str:
        """Return the colour of venue kind ``kind``."""
        return dict(self.kind_colors).get(kind, self.other_color)

    def radius(self, level: int) -> float:
        """Return the marker radius (px) of network level ``level``."""
        return dict(self.level_radius_px).get(int(level), 4.0)


def _organizations(codes: object, lang: str) -> str | None:
    if is_missing(codes):
        return None
    parts = [c.strip() for c in str(codes).split(LIST_SEPARATOR) if c.strip()]
    joiner = "、" if lang == "zh" else ", "
    return joiner.join(label(ORGANIZATIONS, code, lang) for code in parts)


def _position(value: object, lang: str) -> str:
    key = "illustrative" if value == "illustrative" else "surveyed"
    return tr(f"map.position.{key}", lang)


def _popup_rows(row: Row, lang: str) -> tuple[object, list[tuple[str, object]]]:
    """Return the popup title and its (label, raw value) rows, labels in ``lang``."""
    name = row.get("name")
    if lang != "zh" and not is_missing(row.get("name_en")):
        name = row.get("name_en")
    if not is_missing(row.get("name_bo")):  # the Tibetan name beside the Chinese (issue 10)
        name = f"{name} · {row.get('name_bo')}"
    level = row.get("level")
    rows = [
        (tr("map.field.kind", lang), label(KINDS, str(row.get("kind")), lang)),
        (
            tr("map.field.level", lang),
            None if is_missing(level) else label(LEVELS, str(int(level)), lang),
        ),
        (tr("map.field.organizations", lang), _organizations(row.get("organizations"), lang)),
        (tr("map.field.services", lang), row.get("services")),
        (tr("map.field.address", lang), row.get("address")),
        (tr("map.field.status", lang), label(STATUSES, str(row.get("status")), lang)),
        (tr("map.field.position", lang), _position(row.get("position"), lang)),
        (tr("map.field.id", lang), row.get("id")),
    ]
    return name, rows


def venue_popup(row: Row, lang: str) -> str:
    """Return the popup HTML of one venue (a register row; all values escaped)."""
    name, rows = _popup_rows(row, lang)
    return detail_table(rows, title=name)


def venue_tooltip(row: Row, lang: str) -> str:
    """Return the tooltip HTML of one venue: name and kind (escaped)."""
    name = row.get("name")
    if lang != "zh" and not is_missing(row.get("name_en")):
        name = row.get("name_en")
    return tip(name, label(KINDS, str(row.get("kind")), lang))


def _marker_style(kind: str, level: int, status: str, position: str, style: VenueStyle) -> dict:
    color = style.color(kind)
    hollow = position == "illustrative"
    return {
        "radius": style.radius(level),
        "color": color,
        "weight": 2 if hollow else 1,
        "fillColor": "#ffffff" if hollow else color,
        "fillOpacity": style.closed_opacity if status == "closed" else 0.85,
        "dashArray": "3 2" if status == "planned" else None,
        "className": f"{VENUE_CLASS} vm-level-{level}",
    }


def venue_layer(
    gdf: gpd.GeoDataFrame,
    *,
    style: VenueStyle = VenueStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    name: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """Return a FeatureGroup with one circle marker per venue of ``gdf``.

    Parameters
    ----------
    gdf
        Venue register rows (columns of ``geo.schema.VENUE_COLUMNS``), Point geometries in the
        basemap's display coordinates (see ``geo.layers.basemaps.to_display``).
    style
        Colours and sizes.
    lang
        'zh' or 'en' for tooltips and popups.
    name
        Name in the layer control (default: "阵地" / "Venues").
    show
        Whether the layer starts switched on.
    """
    group = folium.FeatureGroup(name=name or tr("map.layer.venues", lang), show=show)
    if gdf.empty:
        return group
    keys: dict[tuple, int] = {}
    index = []
    for row in gdf.itertuples(index=False):
        key = (str(row.kind), int(row.level), str(row.status), str(row.position))
        index.append(keys.setdefault(key, len(keys)))
    styles = [_marker_style(*key, style) for key in keys]
    # plain dicts: iterrows on a GeoDataFrame builds a GeoSeries per row (~0.5 ms each)
    rows = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).to_dict("records")
    popups = [_popup_rows(row, lang) for row in rows]
    features = make_features(
        gdf,
        index,
        tooltips=[venue_tooltip(row, lang) for row in rows],
        popups=[popup_values(fields, title) for title, fields in popups],
    )
    labels = [esc(text) for text, _ in popups[0][1]]
    parent = MarkerCluster(name=None, control=False).add_to(group) if style.cluster else group
    StyledGeoJson(features, styles, popup_labels=labels).add_to(parent)
    return group
