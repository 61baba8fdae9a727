"""Road-network distance: a networkx graph of the roads layer and multi-source Dijkstra.

Each LineString becomes a chain of edges between its vertices. Vertices of any lines closer
than ``snap_m`` (default `DEFAULT_SNAP_M`, 1 m, measured in the metric frame) are joined into
one node, chaining (single linkage): digitised ends a few millimetres apart meet, roads 2 m apart
do not. Venues and demand points connect to the nearest vertex of the *largest connected
component* (most road length), so a point beside a short isolated fragment still reaches the
network; the straight connector is added to the network distance, so a village 300 m off the
road pays those 300 m. A point farther than ``connect_m`` (default `DEFAULT_CONNECT_M`, 5 km:
a planning walk or ride to the road) from that component is unreachable: it gets no network
distance, and `RoadNetwork.access` / `RoadNetwork.unreachable` report how far it is. When the
roads carry a speed (``speed_kmh``) or a road class (``class``, ``highway`` or ``fclass``,
OSM-style names), travel time is computed too; the connector is taken at `CONNECTOR_SPEED_KMH`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from analysis import core
from analysis.metric import MetricFrame
from geo.errors import AnalysisError

if TYPE_CHECKING:  # networkx loads only when a road network is given (~0.2 s)
    import networkx as nx

#: Road vertices closer than this are one node (digitising tolerance), metres.
DEFAULT_SNAP_M = 1.0
#: Farthest a point may lie from the largest road component and still use the roads, metres.
DEFAULT_CONNECT_M = 5000.0
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
    main_nodes
        Nodes of the largest connected component (most road length), where points connect.
    connect_m
        Farthest distance from a point to ``main_nodes`` that still connects it, metres.
    """

    graph: nx.Graph
    node_xy: np.ndarray
    frame: MetricFrame
    has_time: bool
    main_nodes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    connect_m: float = DEFAULT_CONNECT_M

    @classmethod
    def from_roads(
        cls,
        roads: gpd.GeoDataFrame,
        frame: MetricFrame,
        *,
        snap_m: float = DEFAULT_SNAP_M,
        connect_m: float = DEFAULT_CONNECT_M,
    ) -> RoadNetwork:
        """Build the network from a GeoDataFrame of LineStrings (MultiLineStrings are split).

        Parameters
        ----------
        roads
            Road LineStrings (optional ``speed_kmh`` or class column).
        frame
            The metric frame of the analysis.
        snap_m
            Vertices closer than this join into one node, metres (>= 0; 0 = exact matches).
        connect_m
            Farthest a point may lie from the largest component and still connect, metres.
        """
        if not snap_m >= 0 or not connect_m >= 0:
            raise AnalysisError(
                f"snap_m and connect_m should be >= 0 metres, got {snap_m!r} and {connect_m!r}."
            )
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
        node_of, node_xy = _snap(xy, frame.to_straight(snap_m))
        graph = _graph(node_of, line_of, node_xy, frame, speeds)
        return cls(graph, node_xy, frame, speeds is not None, _largest_component(graph),
                   float(connect_m))  # fmt: skip

    def access(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return, per point, its connecting node (-1 if too far) and its distance to it (m).

        The node is the nearest vertex of the largest component; points farther than
        ``connect_m`` get node -1 but still their distance, to report how far off they are.
        """
        xy = np.asarray(xy, dtype=float)
        if len(xy) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        straight, local = core.build_tree(self.node_xy[self.main_nodes]).query(xy)
        access_m = self.frame.to_metres(straight)
        node = np.where(access_m <= self.connect_m, self.main_nodes[local], -1)
        return node, access_m

    def unreachable(self, points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Return the rows of ``points`` too far from the road network, with ``road_access_m``.

        ``road_access_m`` is the distance to the nearest vertex of the largest component.
        """
        _, access_m = self.access(self.frame.project(points) if len(points) else np.empty(0))
        out = points.copy()
        out["road_access_m"] = access_m
        return out.loc[access_m > self.connect_m]

    def nearest(
        self, site_xy: np.ndarray, demand_xy: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Return network distance (m), nearest site index and travel minutes per demand point.

        Runs one multi-source Dijkstra from all sites at once (a virtual source joined to each
        site's connecting node by its connector). Demand or sites beyond ``connect_m`` of the
        largest component take no part; unreachable demand gets ``inf`` and index -1.
        """
        site_node, site_snap = self.access(site_xy)
        demand_node, demand_snap = self.access(demand_xy)
        linked = np.flatnonzero(site_node >= 0)
        dist, origin = self._dijkstra(site_node[linked], site_snap[linked], "length_m")
        origin = np.where(origin >= 0, linked[np.maximum(origin, 0)], -1)
        reached = demand_node >= 0
        at = np.maximum(demand_node, 0)
        out_d = np.where(reached, dist[at] + demand_snap, np.inf)
        out_i = np.where(reached & np.isfinite(out_d), origin[at], -1)
        minutes = None
        if self.has_time:
            speed = CONNECTOR_SPEED_KMH / 3.6
            time_s, _ = self._dijkstra(site_node[linked], site_snap[linked] / speed, "time_s")
            minutes = np.where(reached, (time_s[at] + demand_snap / speed) / 60.0, np.inf)
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


def _snap(xy: np.ndarray, snap: float) -> tuple[np.ndarray, np.ndarray]:
    """Join points within ``snap`` (frame units) into nodes; return node of each, node xy.

    Groups are the connected components of the "within snap" graph (single linkage); a node
    sits at the mean of its points. ``snap == 0`` joins identical coordinates only.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(xy)
    if snap > 0:
        pairs = core.build_tree(xy).query_pairs(snap, output_type="ndarray").reshape(-1, 2)
        near = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        node_of = connected_components(near, directed=False)[1]
    else:
        node_of = np.unique(xy, axis=0, return_inverse=True)[1].ravel()
    size = np.bincount(node_of)
    node_xy = np.column_stack([np.bincount(node_of, weights=xy[:, d]) / size
                               for d in range(xy.shape[1])])  # fmt: skip
    return node_of, node_xy


def _largest_component(graph: nx.Graph) -> np.ndarray:
    """Return the nodes of the connected component with the most road length."""
    import networkx as nx

    best, best_length = None, -1.0
    for nodes in nx.connected_components(graph):
        length = graph.subgraph(nodes).size(weight="length_m")
        if length > best_length:
            best, best_length = nodes, length
    return np.array(sorted(best), dtype=np.int64)


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
