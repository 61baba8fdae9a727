"""Pending surveys on the map: each venue's register point, the surveyed point, and the move.

The surveys and their checks come from ``venuemap.usecases.survey.pending_surveys`` (already
computed); this module only draws them. A flagged survey (another county, or far from its
township) is drawn in red so the planner looks twice before approving it.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import shapely

from geo.layers._element import StyledGeoJson, make_features
from geo.layers._html import detail_table, fmt_int, tip, tr
from geo.schema import STORAGE_CRS


@dataclass(frozen=True)
class SurveyStyle:
    """Colours of a survey move: ordinary and flagged."""

    color: str = "#1f78b4"
    flagged_color: str = "#d7191c"
    old_color: str = "#7f7f7f"


def survey_layer(
    surveys: gpd.GeoDataFrame,
    old_points: gpd.GeoSeries,
    *,
    style: SurveyStyle = SurveyStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return a FeatureGroup of survey moves (register point → surveyed point).

    Parameters
    ----------
    surveys
        Pending surveys (points, EPSG:4326) with ``id``, ``name``, ``moved_m``,
        ``accuracy_m`` and ``flagged``.
    old_points
        The register's point of each survey's venue, aligned on ``surveys.index``.
    """
    group = folium.FeatureGroup(name=tr("map.layer.survey", lang), show=show)
    if surveys.empty:
        return group
    flagged = surveys["flagged"].fillna(False).astype(bool).to_numpy()
    lines = gpd.GeoSeries(
        shapely.linestrings([[(o.x, o.y), (n.x, n.y)] for o, n in
                             zip(old_points, surveys.geometry, strict=True)]),
        crs=STORAGE_CRS,
    )  # fmt: skip
    tips = [
        tip(f"#{row.id}", row.name, tr("map.field.moved", lang, m=fmt_int(row.moved_m, lang)))
        for row in surveys.itertuples()
    ]
    pops = [
        detail_table([(tr("map.field.moved_m", lang), fmt_int(row.moved_m, lang)),
                      (tr("map.field.accuracy_m", lang), row.accuracy_m),
                      (tr("map.field.flagged", lang), "⚠" if flag else "✓")],
                     title=f"#{row.id} {row.name}")
        for row, flag in zip(surveys.itertuples(), flagged, strict=True)
    ]  # fmt: skip
    line_styles = [{"color": c, "weight": 2, "dashArray": "4 4"}
                   for c in (style.color, style.flagged_color)]  # fmt: skip
    classes = flagged.astype(int).tolist()
    StyledGeoJson(make_features(gpd.GeoDataFrame(geometry=lines), classes, tooltips=tips),
                  line_styles).add_to(group)  # fmt: skip
    old = [{"radius": 5, "color": style.old_color, "fillOpacity": 0.4, "weight": 1}]
    StyledGeoJson(make_features(gpd.GeoDataFrame(geometry=old_points.reset_index(drop=True)),
                                [0] * len(surveys), tooltips=tips), old).add_to(group)  # fmt: skip
    new = [{"radius": 7, "color": c, "fillColor": c, "fillOpacity": 0.9, "weight": 2}
           for c in (style.color, style.flagged_color)]  # fmt: skip
    StyledGeoJson(make_features(surveys, classes, tooltips=tips, popups=pops), new).add_to(group)
    return group
