"""The service standard: one `analysis.standards.Standards` value, built once per request.

The default is written once, in ``data/standards.toml``; this module reads it. The CLI builds
the value from ``--standard``/``--radius-km``/per-level flags, the dashboard from the sidebar
sliders (:func:`standard_from_radii`), and every use case takes that one value.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from analysis.standards import (
    Standards,
    standards_from_mapping,
    standards_with_radii,
    uniform_standards,
)
from geo.errors import InputError

#: Where the readable default standards live.
STANDARDS_PATH = Path(__file__).resolve().parents[2] / "data" / "standards.toml"


def load_standard(path: str | Path | None = None) -> Standards:
    """Return the standard written in the TOML file ``path`` (default data/standards.toml).

    Raises
    ------
    InputError
        When the file is missing or not valid TOML (one line naming the file and the fix).
    """
    path = Path(path) if path else STANDARDS_PATH
    try:
        with path.open("rb") as handle:
            mapping = tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(f"standards file {path} not found; pass an existing TOML file "
                         f"to --standard (see {STANDARDS_PATH} for the format)") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"standards file {path} is not valid TOML: {error}") from None
    return standards_from_mapping(mapping)


def default_standard() -> Standards:
    """Return the documented default standard (data/standards.toml)."""
    return load_standard(None)


def standard_from_options(
    path: str | Path | None = None,
    *,
    radius_km: float | None = None,
    county_km: float | None = None,
    township_km: float | None = None,
    village_km: float | None = None,
    detour: float | None = None,
) -> Standards:
    """Return the standard the CLI flags describe.

    Parameters
    ----------
    path
        ``--standard`` TOML file (default data/standards.toml).
    radius_km
        One radius for every geographic kind (``coverage``/``gaps --radius-km``).
    county_km, township_km, village_km
        Per-level radii replacing the file's (``--county-km`` ...).
    detour
        Road / straight-line factor replacing the file's (``--detour``).
    """
    standard = load_standard(path)
    if radius_km is not None:
        standard = uniform_standards(radius_km, standard)
    standard = standards_with_radii(
        standard, county_km=county_km, township_km=township_km, village_km=village_km
    )
    return standard if detour is None else with_detour(standard, detour)


def standard_from_radii(
    county_km: float, township_km: float, village_km: float, detour: float
) -> Standards:
    """Return the default standard with the sidebar's three radii and detour."""
    return standards_with_radii(
        default_standard(),
        county_km=county_km,
        township_km=township_km,
        village_km=village_km,
        detour=detour,
    )


def with_detour(standard: Standards, detour: float) -> Standards:
    """Return ``standard`` with another detour factor (checked: a number >= 1)."""
    if not detour >= 1:
        raise InputError(f"--detour should be a number >= 1 (1 = straight line), got {detour!r}")
    return replace(standard, detour=float(detour))


def new_site_radius_km(standard: Standards, radius_km: float | None = None) -> float:
    """Return the service radius of new sites: ``radius_km``, else the village-station one."""
    if radius_km is not None:
        if not radius_km > 0:
            raise InputError(f"--radius-km should be a positive number of km, got {radius_km!r}")
        return float(radius_km)
    radius_m = standard.get("village_station").radius_m
    return 2.0 if radius_m is None else radius_m / 1000.0
