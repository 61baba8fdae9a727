"""Use cases of capacity-aware access and equity: what ``venuemap access`` and the pages ask.

Functions take GeoDataFrames and one `analysis.standards.Standards` value and return plain
results; the CLI (``venuemap/cli_access.py``) only parses and prints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.access import METHODS, AccessResult, Catchment, assess_access, demand_ids
from analysis.capacitated import CAPACITATED_MODELS, CapacitatedResult, site_capacitated
from analysis.equity import demand_equity, lorenz
from analysis.rings import DEFAULT_MINUTES, service_rings
from analysis.standards import Standards
from analysis.traveltime import DEFAULT_MODE, SPEED_KMH, speed_kmh

#: The readable default standards (the same file the other commands read).
STANDARDS_PATH = Path(__file__).resolve().parents[2] / "data" / "standards.toml"

__all__ = [
    "CAPACITATED_MODELS",
    "METHODS",
    "SPEED_KMH",
    "AccessOutcome",
    "access",
    "access_layer",
    "coverage_equity",
    "export_layer",
    "lorenz_table",
    "rings",
    "site_with_capacity",
]


@dataclass(frozen=True)
class AccessOutcome:
    """Access of every demand point, the venues' ratios, the equity figures and the labels.

    Attributes
    ----------
    result
        The analysis result (`analysis.access.AccessResult`).
    equity
        `analysis.equity.equity_summary` of ``access`` across demand points.
    catchment
        What limited each catchment, for the JSON (``{"radius_km": …}``, ``{"minutes": …,
        "mode": …, "speed_kmh": …}``, ``{"per_kind": true}`` or ``{"unlimited": true}``).
    labels
        Honest labels: venues whose capacity is a kind default, illustrative venue positions
        or village populations.
    """

    result: AccessResult
    equity: dict
    catchment: dict
    labels: dict

    def to_json(self) -> dict:
        """Return ``{"method", "decay", "unit", "catchment", "demand", "venues", "equity", …}``."""
        demand = self.result.demand
        names = demand["name"] if "name" in demand.columns else pd.Series("", index=demand.index)
        rows = [
            {"id": ident, "name": name, "access": _num(a), "access_index": _num(i),
             "venues_in_reach": int(n)}
            for ident, name, a, i, n in zip(
                demand_ids(demand), names, demand["access"], demand["access_index"],
                demand["venues_in_reach"], strict=True)
        ]  # fmt: skip
        venues = self.result.venues
        venue_rows = [
            {"id": v, "capacity": _num(c), "capacity_source": s, "demand_in_reach": _num(d),
             "supply_ratio": _num(r)}
            for v, c, s, d, r in zip(venues["id"], venues["capacity"], venues["capacity_source"],
                                     venues["demand_in_reach"], venues["supply_ratio"],
                                     strict=True)
        ]  # fmt: skip
        return {
            "method": self.result.method,
            "decay": self.result.decay,
            "unit": self.result.unit,
            "catchment": self.catchment,
            "demand": rows,
            "venues": venue_rows,
            "equity": _json_numbers(self.equity),
            "labels": self.labels,
        }


def access(
    venues: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    standard: Standards,
    *,
    method: str = "2sfca",
    radius_km: float | None = None,
    minutes: float | None = None,
    mode: str = DEFAULT_MODE,
    decay: str | None = None,
    detour: float | None = None,
    capacity_field: str = "capacity",
) -> AccessOutcome:
    """Compute access with one common catchment (radius or minutes) or each kind's standard.

    Parameters
    ----------
    venues, demand, standard
        The register, the demand points (with ``population``) and the service standards.
    method, decay
        ``"2sfca"``, ``"e2sfca"`` or ``"gravity"``; decay per `analysis.access`.
    radius_km, minutes, mode
        A common catchment: kilometres of effective distance, or minutes at the speed of
        ``mode`` (`analysis.traveltime.SPEED_KMH`); neither: each kind's standard.
    detour, capacity_field
        Road / straight-line factor (default the standard's); the capacity column.
    """
    if radius_km is not None:
        catchment, described = Catchment(radius_m=radius_km * 1000.0), {"radius_km": radius_km}
    elif minutes is not None:
        speed = speed_kmh(mode)
        catchment = Catchment(minutes=minutes, speed_kmh=speed)
        described = {"minutes": minutes, "mode": mode, "speed_kmh": speed}
    else:
        catchment = Catchment(unlimited=str(method).lower() == "gravity")
        described = {"unlimited": True} if catchment.unlimited else {"per_kind": True}
    result = assess_access(demand, venues, standard, method=method, catchment=catchment,
                           decay=decay, detour=detour, capacity_field=capacity_field)  # fmt: skip
    described["detour"] = standard.detour if detour is None else detour
    return AccessOutcome(result, demand_equity(result.demand, "access"), described,
                         _labels(result))  # fmt: skip


def _labels(result: AccessResult) -> dict:
    venues, demand = result.venues, result.demand
    default = int((venues["capacity_source"] == "default").sum())
    return {
        "capacity_default_venues": default,
        "capacity_note": "capacity of these venues is the documented default of their kind "
        "(analysis/capacity.py), not a measured figure" if default else "",
        "illustrative_venue_positions": bool(
            "position" in venues.columns and (venues["position"] == "illustrative").any()),
        "illustrative_population": bool(
            "population_source" in demand.columns
            and (demand["population_source"] == "illustrative").any()),
    }  # fmt: skip


def access_layer(outcome: AccessOutcome) -> gpd.GeoDataFrame:
    """Return the demand points with their access columns, for ``--out`` and ``export``."""
    demand = outcome.result.demand
    keep = [c for c in ("id", "village_code", "name", "county_code", "township_code",
                        "population", "population_source") if c in demand.columns]  # fmt: skip
    out = demand[keep + ["access", "access_index", "venues_in_reach", demand.geometry.name]]
    out = gpd.GeoDataFrame(out.copy(), geometry=demand.geometry.name, crs=demand.crs)
    out["access"] = out["access"].round(6)
    out["access_index"] = out["access_index"].round(4)
    out["method"] = outcome.result.method
    out["capacity_default_venues"] = outcome.labels["capacity_default_venues"]
    return out.to_crs("EPSG:4326") if out.crs is not None else out


def coverage_equity(table: pd.DataFrame, population_col: str = "population") -> dict:
    """Return the equity figures of the headline ``covered`` flag across demand points."""
    frame = table.assign(_covered=table["covered"].astype(float))
    return _json_numbers(demand_equity(frame, "_covered", population_col))


def lorenz_table(table: pd.DataFrame, column: str, population_col: str = "population"
                 ) -> pd.DataFrame:  # fmt: skip
    """Return the Lorenz curve of ``column``: ``population_share`` and ``value_share``."""
    p, share = lorenz(table[column].astype(float).to_numpy(),
                      pd.to_numeric(table[population_col], errors="coerce").fillna(0).to_numpy())
    return pd.DataFrame({"population_share": p, "value_share": share})


def _num(value: object) -> float | None:
    value = float(value)
    return round(value, 6) if math.isfinite(value) else None


def _json_numbers(value: object) -> object:
    if isinstance(value, dict):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, float | np.floating):
        return _num(value)
    return value


def rings(
    venues: gpd.GeoDataFrame,
    standard: Standards,
    *,
    minutes: Sequence[float] | None = None,
    km: Sequence[float] | None = None,
    mode: str = DEFAULT_MODE,
    detour: float | None = None,
) -> gpd.GeoDataFrame:
    """Return the "一站多圈" bands of every in-service venue (default 5/10/15 min driving)."""
    if minutes is None and km is None:
        minutes = DEFAULT_MINUTES
    return service_rings(venues, minutes=minutes, km=km, mode=mode,
                         detour=standard.detour if detour is None else detour)  # fmt: skip


def export_layer(name: str, venues: gpd.GeoDataFrame, villages: gpd.GeoDataFrame,
                 standard: Standards) -> gpd.GeoDataFrame:  # fmt: skip
    """Return the ``access`` or ``rings`` export layer under ``standard``."""
    if name == "rings":
        return rings(venues, standard)
    if villages.crs is not None and venues.crs is not None and villages.crs != venues.crs:
        villages = villages.to_crs(venues.crs)
    return access_layer(access(venues, villages, standard))


def site_with_capacity(
    venues: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    standard: Standards,
    *,
    model: str,
    n_new: int,
    radius_km: float | None = None,
    detour: float | None = None,
    new_capacity: float | None = None,
    capacity_field: str = "capacity",
    whole: bool = False,
) -> tuple[CapacitatedResult, gpd.GeoDataFrame]:
    """Solve ``cmclp`` or ``cpmedian``; return the result and the proposal as planned venues.

    ``radius_km`` defaults to the village-station standard (as ``site``); for ``cpmedian`` it
    does not limit anything (everyone is assigned somewhere).
    """
    from analysis.siting import proposal_venues

    radius_m = (radius_km * 1000.0 if radius_km is not None
                else standard.get("village_station").radius_m)  # fmt: skip
    result = site_capacitated(
        demand, venues, candidates, model=model, n_new=n_new, radius_m=radius_m,
        detour=standard.detour if detour is None else detour, new_capacity=new_capacity,
        capacity_field=capacity_field, standards=standard, whole=whole,
    )  # fmt: skip
    proposal = proposal_venues(result, candidates)  # reads .selected only
    by_id = result.venues.set_index("id")["capacity"]
    proposal["capacity"] = [float(by_id.get(i.removeprefix("planned-"), np.nan))
                            for i in proposal["id"]]  # fmt: skip
    return result, proposal
