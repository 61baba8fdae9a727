"""Road-network distance: a networkx graph of the roads layer and multi-source Dijkstra.

Each LineString becomes a chain of edges between its vertices; vertices shared by several lines
(same coordinates to ~1 cm) join them. Venues and demand points are snapped to the nearest graph
node and the straight snap distance is added to the network distance, so a village 300 m off the
road pays those 300 m. When the roads carry a speed (``speed_kmh``) or a road class (``class``,
``highway`` or ``fclass``, OSM-style names), travel time is computed too; the snap connector is
taken at `CONNECTOR_SPEED_KMH`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from analysis import core
from analysis.metric import MetricFrame
from geo.errors import AnalysisError

if TYPE_CHECKING:  # networkx loads only when a road network is given (~0.2 s)
    import networkx as nx

#: Speed assumed on the straight connector from a point to its nearest road node, km/h.
CONNECTOR_SPEED_KMH = 5.0
#: Default speeds by road class, km/h (OSM highway values and common Chinese road grades).
CLASS_SPEED_KMH: dict[str, float] = {
    "motorway": 100.0, "expressway": 100.0, "高速": 100.0,
    "trunk": 80.0, "national": 70.0, "国道": 70.0,
    "primary": 60.0, "provincial": 60.0, "省道": 60.0,
    "secondary": 50.0, "county": 40.0, "县道": 40.0,
    "tertiary": 40.0, "township": 30.0, "乡道": 30.0,
    "unclassified": 30.0, "residential": 25.0, "village": 20.0, "村道": 20.0,
    "track": 15.0, "service": 15.0,
}  # fmt: skip
DEFAULT_CLASS_SPEED_KMH = 30.0
_SOURCE = "__sources__"


@dataclass
class RoadNetwork:
    """A road graph in a metric frame, with node coordinates for snapping.

    Attributes
    ----------
    graph
        Undirected networkx graph; nodes are integers, edges carry ``length_m`` and, when
        speeds are known, ``time_s``.
    node_xy
        Node coordinates in the frame (node ``i`` at row ``i``).
    frame
        The metric frame of the coordinates.
    has_time
        True if edges carry ``time_s``.
    """

    graph: nx.Graph
    node_xy: np.ndarray
    frame: MetricFrame
    has_time: bool

    @classmethod
    def from_roads(cls, roads: gpd.GeoDataFrame, frame: MetricFrame) -> RoadNetwork:
        """Build the network from a GeoDataFrame of LineStrings (MultiLineStrings are split)."""
        if not isinstance(roads, gpd.GeoDataFrame) or len(roads) == 0:
            rows = len(roads) if hasattr(roads, "__len__") else 0
            raise AnalysisError(
                "roads should be a non-empty GeoDataFrame of LineStrings; got "
                f"{type(roads).__name__} with {rows} rows."
            )
        lines = roads.explode(index_parts=False)
        kinds = set(lines.geom_type.unique())
        if not kinds <= {"LineString"}:
            raise AnalysisError(
                f"roads should be LineStrings, got {sorted(kinds)}; keep only the road lines."
            )
        speeds = _speeds_kmh(lines)
        coords, line_of = shapely.get_coordinates(lines.geometry.to_numpy(), return_index=True)
        lonlat = gpd.GeoSeries(gpd.points_from_xy(coords[:, 0], coords[:, 1]), crs=lines.crs)
        xy = frame.project(lonlat)
        key = np.round(coords, 7)
        node_of = np.unique(key, axis=0, return_inverse=True)[1].ravel()
        node_xy = np.zeros((int(node_of.max()) + 1, xy.shape[1]))
        node_xy[node_of] = xy
        graph = _graph(node_of, line_of, node_xy, frame, speeds)
        return cls(graph, node_xy, frame, speeds is not None)

    def nearest(
        self, site_xy: np.ndarray, demand_xy: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Return network distance (m), nearest site index and travel minutes per demand point.

        Runs one multi-source Dijkstra from all sites at once (a virtual source joined to each
        site's snap node by its snap distance). Unreachable demand gets ``inf`` and index -1.
        """
        tree = core.build_tree(self.node_xy)
        site_snap, site_node = tree.query(site_xy)
        demand_snap, demand_node = tree.query(demand_xy)
        site_snap = self.frame.to_metres(site_snap)
        demand_snap = self.frame.to_metres(demand_snap)
        dist, origin = self._dijkstra(site_node, site_snap, "length_m")
        out_d = dist[demand_node] + demand_snap
        out_i = origin[demand_node]
        minutes = None
        if self.has_time:
            time_s, _ = self._dijkstra(site_node, site_snap / (CONNECTOR_SPEED_KMH / 3.6), "time_s")
            minutes = (time_s[demand_node] + demand_snap / (CONNECTOR_SPEED_KMH / 3.6)) / 60.0
        return out_d, out_i, minutes

    def _dijkstra(
        self, site_node: np.ndarray, site_cost: np.ndarray, weight: str
    ) -> tuple[np.ndarray, np.ndarray]:
        graph = self.graph.copy()
        best: dict[int, tuple[float, int]] = {}
        for j, (node, cost) in enumerate(zip(site_node, site_cost, strict=True)):
            if int(node) not in best or cost < best[int(node)][0]:
                best[int(node)] = (float(cost), j)
        graph.add_node(_SOURCE)
        for node, (cost, _) in best.items():
            graph.add_edge(_SOURCE, node, **{weight: cost})
        import networkx as nx

        lengths, paths = nx.single_source_dijkstra(graph, _SOURCE, weight=weight)
        n = len(self.node_xy)
        dist, origin = np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        for node, length in lengths.items():
            if node != _SOURCE:
                dist[node] = length
                origin[node] = best[paths[node][1]][1]
        return dist, origin


def _speeds_kmh(lines: gpd.GeoDataFrame) -> np.ndarray | None:
    """Return a speed per line (km/h) from ``speed_kmh`` or a class column, or None."""
    if "speed_kmh" in lines.columns:
        speed = lines["speed_kmh"].astype(float).to_numpy()
        if not (speed > 0).all():
            raise AnalysisError("roads column 'speed_kmh' should be positive on every line.")
        return speed
    for column in ("class", "highway", "fclass"):
        if column in lines.columns:
            names = lines[column].astype(str).str.strip().str.lower()
            return names.map(CLASS_SPEED_KMH).fillna(DEFAULT_CLASS_SPEED_KMH).to_numpy(float)
    return None


def _graph(
    node_of: np.ndarray,
    line_of: np.ndarray,
    node_xy: np.ndarray,
    frame: MetricFrame,
    speeds: np.ndarray | None,
) -> nx.Graph:
    same_line = line_of[1:] == line_of[:-1]
    a, b = node_of[:-1][same_line], node_of[1:][same_line]
    line = line_of[:-1][same_line]
    length = frame.to_metres(np.sqrt(((node_xy[a] - node_xy[b]) ** 2).sum(axis=1)))
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(len(node_xy)))
    for k in range(len(a)):
        u, v, length_m = int(a[k]), int(b[k]), float(length[k])
        if u == v:
            continue
        attrs = {"length_m": length_m}
        if speeds is not None:
            attrs["time_s"] = length_m / (speeds[line[k]] / 3.6)
        old = graph.get_edge_data(u, v)
        if old is None or old["length_m"] > length_m:
            graph.add_edge(u, v, **attrs)
    return graph
