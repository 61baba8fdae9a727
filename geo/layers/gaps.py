"""Coverage gaps (H3 hexagons shaded by uncovered population) and proposed new sites.

The hexagons (``venuemap.usecases.gap_cells``, i.e. ``analysis.gaps.service_deserts``) and the
sites come already computed; this module only draws them.
Classes are fixed breaks (not quantiles) so that the colours mean the same on every screen and
in every scenario compared side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.layers._element import StyledGeoJson, make_features
from geo.layers._html import detail_table, esc, fmt_int, fmt_people, tip, tr

#: CSS class of each proposed-site marker.
PROPOSED_CLASS = "vm-proposed"


@dataclass(frozen=True)
class GapStyle:
    """How gap hexagons are classed and coloured.

    Attributes
    ----------
    value_column
        Column holding the uncovered population of each hexagon.
    breaks
        Lower bounds of the classes after the first (people); values below ``breaks[0]`` fall
        in the first class.
    colors
        One colour per class (``len(breaks) + 1``), light to dark.
    """

    value_column: str = "uncovered_population"
    breaks: tuple[float, ...] = (100.0, 300.0, 1000.0)
    colors: tuple[str, ...] = ("#fee5d9", "#fcae91", "#fb6a4a", "#cb181d")
    fill_opacity: float = 0.6

    def class_of(self, values: np.ndarray) -> np.ndarray:
        """Return the class index (0..len(breaks)) of each value; missing values -> 0."""
        values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
        return np.digitize(values, np.asarray(self.breaks, dtype=float))

    def class_labels(self, lang: str) -> list[str]:
        """Return a label per class, e.g. ``< 100 人``, ``100–300 人``, ``≥ 1,000 人``."""
        edges = [fmt_int(b, lang) for b in self.breaks]
        people = tr("map.people", lang, n="{n}")
        labels = [people.format(n=f"< {edges[0]}")]
        labels += [people.format(n=f"{a}–{b}") for a, b in zip(edges, edges[1:], strict=False)]
        labels.append(people.format(n=f"≥ {edges[-1]}"))
        return labels


@dataclass(frozen=True)
class ProposedStyle:
    """How proposed sites are drawn."""

    color: str = "#6a3d9a"
    radius_px: float = 8.0
    weight: float = 3.0


def gap_layer(
    hexes: gpd.GeoDataFrame,
    *,
    style: GapStyle = GapStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return gap hexagons shaded by ``style.value_column`` as a FeatureGroup.

    Parameters
    ----------
    hexes
        Polygons (H3 cells) with ``style.value_column``; optional ``h3`` (cell id) and ``rank``.
    """
    group = folium.FeatureGroup(name=tr("map.layer.gaps", lang), show=show)
    if hexes.empty:
        return group
    values = pd.to_numeric(hexes[style.value_column], errors="coerce").to_numpy()
    classes = style.class_of(values)
    styles = [
        {
            "color": color,
            "weight": 0.5,
            "fillColor": color,
            "fillOpacity": style.fill_opacity,
            "className": "vm-gap",
        }
        for color in style.colors
    ]
    tips = []
    for i, row in enumerate(hexes.itertuples(index=False)):
        rank = getattr(row, "rank", None)
        prefix = f"#{esc(rank)} · " if rank is not None else ""
        tips.append(
            prefix + esc(f"{tr('map.field.gap_value', lang)}: {fmt_people(values[i], lang)}")
        )
    StyledGeoJson(make_features(hexes, classes.tolist(), tooltips=tips), styles).add_to(group)
    return group


def proposed_layer(
    sites: gpd.GeoDataFrame,
    *,
    style: ProposedStyle = ProposedStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return proposed sites (optional columns name, rank, covers_population) as markers."""
    group = folium.FeatureGroup(name=tr("map.layer.proposed", lang), show=show)
    if sites.empty:
        return group
    marker = {
        "radius": style.radius_px,
        "color": style.color,
        "weight": style.weight,
        "fillColor": "#ffffff",
        "fillOpacity": 0.9,
        "className": PROPOSED_CLASS,
    }
    tips, pops = [], []
    for _, row in sites.iterrows():
        title = row.get("name") or tr("map.layer.proposed", lang)
        tips.append(tip(title, None if row.get("rank") is None else f"#{row.get('rank')}"))
        pops.append(
            detail_table(
                [
                    (tr("map.field.rank", lang), row.get("rank")),
                    (tr("map.field.covers", lang), fmt_people(row.get("covers_population"), lang)),
                    (tr("map.field.code", lang), row.get("village_code")),
                ],
                title=title,
            )
        )
    features = make_features(sites, [0] * len(sites), tooltips=tips, popups=pops)
    StyledGeoJson(features, [marker]).add_to(group)
    return group
