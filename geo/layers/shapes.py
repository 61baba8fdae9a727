"""Display geometry: shapes simplified for drawing, never for measuring.

Kept apart from the layer modules (no folium here) so that pages drawing static charts, such as
the Overview's choropleth, share the map's simplified boundaries without importing folium.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

#: Display simplification tolerance, degrees (0.0005° ≈ 50 m: invisible below zoom 12).
DISPLAY_TOLERANCE_DEG = 0.0005


def simplify_for_display(
    gdf: gpd.GeoDataFrame, tolerance_deg: float = DISPLAY_TOLERANCE_DEG
) -> gpd.GeoDataFrame:
    """Return ``gdf`` with polygons simplified for display, shared edges kept shared.

    A valid polygon coverage (no overlaps, edges matching) is simplified as a whole with
    ``shapely.coverage_simplify``; anything else polygon by polygon with topology preserved.
    The tolerance is in degrees because this is display only: nothing is measured on it.
    """
    if gdf.empty or tolerance_deg <= 0:
        return gdf
    geoms = np.asarray(gdf.geometry)
    try:
        is_coverage = bool(shapely.coverage_is_valid(geoms))
    except shapely.errors.GEOSException:
        is_coverage = False
    if is_coverage:
        simplified = shapely.coverage_simplify(geoms, tolerance_deg)
    else:
        simplified = shapely.simplify(geoms, tolerance_deg, preserve_topology=True)
    out = gdf.copy()
    out.geometry = simplified
    return out
