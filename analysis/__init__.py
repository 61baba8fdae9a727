"""Coverage, gap and siting analysis of the venue network: pure computation.

GeoDataFrames in, GeoDataFrames / Series / small dataclasses out; no streamlit, no folium, no
file I/O (tests/analysis/test_purity.py asserts it). Modules:

``metric``     the metric frame (Gauss-Krüger zone or sphere), chosen once; CRS checks
``standards``  service standards per venue kind, detour factor; `standards_from_mapping`
``core``       numeric core on arrays: KD-tree nearest, sparse pairs within reach
``roads``      road graph (networkx) and multi-source Dijkstra
``coverage``   `assess_coverage`, `summarise_coverage`, `coverage_totals`
``network``    four-level checks, `check_network`, `find_orphans`
``gaps``       `uncovered_demand`, `service_deserts` (H3), `townships_without_centre`,
               `redundant_venues`
``areas``      `service_areas`: served areas as polygons, drawn in metres
``siting``     `site` (MCLP / LSCP / p-median, exact, sparse, HiGHS), `default_candidates`,
               `proposal_venues`, `compare_scenarios`
``solvers``    the sparse MIP models on arrays
``capacity``   venue capacity: register, floor area, or a labelled default per kind
``access``     `assess_access`: 2SFCA, E2SFCA, gravity (PySAL ``access`` definitions)
``equity``     Gini, Palma ratio, concentration index, Lorenz curve (population-weighted)
``capacitated`` `site_capacitated`: capacitated MCLP and p-median, exact (HiGHS)
``traveltime`` minutes <-> effective distance at documented walking/driving speeds
``rings``      `service_rings`: "一站多圈" bands per venue (minutes or km)

The main functions are also importable from the package itself (loaded on first use).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "assess_coverage": "coverage",
    "summarise_coverage": "coverage",
    "coverage_totals": "coverage",
    "check_network": "network",
    "NetworkReport": "network",
    "find_orphans": "network",
    "uncovered_demand": "gaps",
    "service_deserts": "gaps",
    "townships_without_centre": "gaps",
    "redundant_venues": "gaps",
    "site": "siting",
    "SitingResult": "siting",
    "default_candidates": "siting",
    "proposal_venues": "siting",
    "compare_scenarios": "siting",
    "ScenarioComparison": "siting",
    "Standards": "standards",
    "ServiceStandard": "standards",
    "default_standards": "standards",
    "standards_from_mapping": "standards",
    "uniform_standards": "standards",
    "MetricFrame": "metric",
    "choose_frame": "metric",
    "RoadNetwork": "roads",
    "service_areas": "areas",
    "assess_access": "access",
    "venue_capacity": "capacity",
    "equity_summary": "equity",
    "site_capacitated": "capacitated",
    "service_rings": "rings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Load ``analysis.<module>`` on first access of one of its exported names."""
    if name in _EXPORTS:
        return getattr(import_module(f"analysis.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
