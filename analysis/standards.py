"""Service standards: how far each kind of venue serves, and the road detour factor.

A standard says which demand a venue serves. The defaults below follow the issue and are also
written, readable and editable, in ``data/standards.toml``; the CLI parses that file (analysis
does no file I/O) and passes the mapping to `standards_from_mapping`.

Defaults
--------
* village / community station: its own village (same ``village_code``) and settlements within
  2 km;
* township centre: 15 km; county venue: 40 km;
* prefecture centre: the whole prefecture (no distance limit, ``radius_m=None``);
* enterprise workers' home: its enterprise's workers. It has no geographic reach, so it is left
  out of village coverage and counted separately.

Distances are effective road distances: straight line x ``detour`` unless a road network is
given. The default detour 1.4 is chosen for mountain terrain: measured route factors
(road / straight-line distance) average about 1.2-1.3 on national road networks and rise in
sparse valley networks with switchbacks, as in Huangnan's Yellow River gorges and high passes;
1.4 is a conservative planning value. It is not measured for Huangnan: calibrate it with a roads
layer, or pass ``detour=1`` for straight lines.

The headline "covered" counts levels 2-4 (county, township, village). The prefecture centre
covers everyone by definition, so counting it would make every village covered; its coverage
is reported as its own level instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from geo.errors import AnalysisError
from geo.schema import LEVEL_OF_KIND

#: Road distance ~= DEFAULT_DETOUR x straight-line distance (mountain terrain; see module doc).
DEFAULT_DETOUR = 1.4
#: Levels whose coverage makes a demand point "covered" in the headline figure.
DEFAULT_HEADLINE_LEVELS = (2, 3, 4)
#: Scopes: "radius" (distance limit), "prefecture" (whole prefecture), "enterprise" (own workers).
SCOPES = ("radius", "prefecture", "enterprise")

#: The default standards, the same content as data/standards.toml (a test keeps them equal).
DEFAULT_MAPPING: dict[str, Any] = {
    "detour": DEFAULT_DETOUR,
    "headline_levels": list(DEFAULT_HEADLINE_LEVELS),
    "kinds": {
        "prefecture_centre": {"level": 1, "scope": "prefecture"},
        "county_centre": {"level": 2, "radius_km": 40},
        "township_centre": {"level": 3, "radius_km": 15},
        "village_station": {"level": 4, "radius_km": 2, "own_village": True},
        "community_station": {"level": 4, "radius_km": 2, "own_village": True},
        "enterprise_home": {"level": 4, "scope": "enterprise"},
        "other": {"level": 4, "radius_km": 2},
    },
}


@dataclass(frozen=True)
class ServiceStandard:
    """Who one kind of venue serves.

    Attributes
    ----------
    kind
        Venue kind code (geo.schema.KINDS).
    level
        Network level 1..4.
    radius_m
        Effective (road) distance served, metres; None means no distance limit.
    scope
        ``"radius"``, ``"prefecture"`` (whole prefecture) or ``"enterprise"`` (own workers only,
        not geographic).
    own_village
        True if the venue also serves its own village (same ``village_code``) at any distance.
    """

    kind: str
    level: int
    radius_m: float | None
    scope: str = "radius"
    own_village: bool = False

    @property
    def geographic(self) -> bool:
        """True if the venue serves an area (every scope but ``"enterprise"``)."""
        return self.scope != "enterprise"


@dataclass(frozen=True)
class Standards:
    """The set of service standards used by one analysis."""

    by_kind: Mapping[str, ServiceStandard]
    detour: float = DEFAULT_DETOUR
    headline_levels: tuple[int, ...] = field(default=DEFAULT_HEADLINE_LEVELS)

    def get(self, kind: str) -> ServiceStandard:
        """Return the standard of ``kind``; unknown kinds raise an AnalysisError listing them."""
        try:
            return self.by_kind[kind]
        except KeyError:
            known = ", ".join(sorted(self.by_kind))
            raise AnalysisError(
                f"no service standard for venue kind {kind!r}; known kinds: {known}. "
                "Add it under [kinds] in the standards file."
            ) from None

    def level_radius_m(self, level: int) -> float | None:
        """Return the largest radius among geographic kinds of ``level`` (None if unlimited)."""
        radii = [s.radius_m for s in self.by_kind.values() if s.level == level and s.geographic]
        if not radii or any(r is None for r in radii):
            return None
        return max(r for r in radii if r is not None)

    @property
    def radii_km(self) -> tuple[float | None, float | None, float | None]:
        """Return the (county, township, village) radii in km, as the sidebar shows them."""
        radii = (self.level_radius_m(level) for level in (2, 3, 4))
        return tuple(None if r is None else r / 1000.0 for r in radii)  # type: ignore[return-value]


def standards_from_mapping(mapping: Mapping[str, Any]) -> Standards:
    """Build `Standards` from a parsed mapping (e.g. ``tomllib.load`` of data/standards.toml).

    Kinds missing from ``mapping["kinds"]`` keep their default; ``detour`` and
    ``headline_levels`` are optional. Every problem found is reported in one AnalysisError.
    """
    problems: list[str] = []
    kinds = {**DEFAULT_MAPPING["kinds"], **dict(mapping.get("kinds", {}))}
    by_kind = {}
    for kind, entry in kinds.items():
        standard = _standard(kind, entry, problems)
        if standard is not None:
            by_kind[kind] = standard
    detour = mapping.get("detour", DEFAULT_DETOUR)
    if not isinstance(detour, int | float) or isinstance(detour, bool) or detour < 1:
        problems.append(f"detour should be a number >= 1 (1 = straight line), got {detour!r}")
    levels = tuple(mapping.get("headline_levels", DEFAULT_HEADLINE_LEVELS))
    if not levels or not all(level in (1, 2, 3, 4) for level in levels):
        problems.append(f"headline_levels should list levels among 1-4, got {list(levels)!r}")
    if problems:
        raise AnalysisError("invalid service standards: " + "; ".join(problems) + ".")
    return Standards(by_kind=by_kind, detour=float(detour), headline_levels=levels)


def default_standards() -> Standards:
    """Return the documented default standards (same as data/standards.toml)."""
    return standards_from_mapping(DEFAULT_MAPPING)


def uniform_standards(radius_km: float, base: Standards | None = None) -> Standards:
    """Apply one radius to every geographic kind (the CLI's ``--radius-km``).

    Enterprise homes stay non-geographic; the own-village rule of stations is kept.
    """
    if not radius_km > 0:
        raise AnalysisError(f"--radius-km should be a positive number of km, got {radius_km!r}.")
    base = base or default_standards()
    by_kind = {
        kind: s if not s.geographic else replace(s, radius_m=radius_km * 1000.0, scope="radius")
        for kind, s in base.by_kind.items()
    }
    return replace(base, by_kind=by_kind)


def standards_with_radii(
    base: Standards,
    *,
    county_km: float | None = None,
    township_km: float | None = None,
    village_km: float | None = None,
    detour: float | None = None,
) -> Standards:
    """Return ``base`` with the radius of each level given (and the detour) replaced.

    The per-level form of the standard (the dashboard's sliders, the CLI's ``--county-km``,
    ``--township-km``, ``--village-km``): county centres take ``county_km``, township centres
    ``township_km``, every level-4 geographic kind (stations, other) ``village_km``. Scopes
    other than ``"radius"`` (prefecture, enterprise) and the own-village rule are kept; None
    keeps the base value.
    """
    wanted = {2: county_km, 3: township_km, 4: village_km}
    problems = [f"level {level} radius should be a positive number of km, got {km!r}"
                for level, km in wanted.items() if km is not None and not km > 0]  # fmt: skip
    if detour is not None and not detour >= 1:
        problems.append(f"detour should be a number >= 1 (1 = straight line), got {detour!r}")
    if problems:
        raise AnalysisError("invalid service standard: " + "; ".join(problems) + ".")
    by_kind = {}
    for kind, s in base.by_kind.items():
        km = wanted.get(s.level)
        by_kind[kind] = s if km is None or s.scope != "radius" else replace(s, radius_m=km * 1000.0)
    return replace(base, by_kind=by_kind, detour=base.detour if detour is None else float(detour))


def _standard(kind: str, entry: Any, problems: list[str]) -> ServiceStandard | None:
    if not isinstance(entry, Mapping):
        problems.append(f"[kinds.{kind}] should be a table, got {entry!r}")
        return None
    level = entry.get("level", LEVEL_OF_KIND.get(kind))
    scope = entry.get("scope", "radius")
    radius_km = entry.get("radius_km")
    if level not in (1, 2, 3, 4):
        problems.append(f"[kinds.{kind}] level should be 1-4, got {level!r}")
    if scope not in SCOPES:
        problems.append(f"[kinds.{kind}] scope should be one of {SCOPES}, got {scope!r}")
    if scope == "radius" and (
        not isinstance(radius_km, int | float) or isinstance(radius_km, bool) or radius_km <= 0
    ):
        problems.append(f"[kinds.{kind}] radius_km should be a positive number, got {radius_km!r}")
        return None
    radius_m = float(radius_km) * 1000.0 if scope == "radius" else None
    own = bool(entry.get("own_village", False))
    return ServiceStandard(kind, int(level or 4), radius_m, str(scope), own)
