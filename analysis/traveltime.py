"""Travel time without a road network: minutes from effective distance at a documented speed.

A standard in minutes (the "15-minute service circle", 十五分钟服务圈) is turned into an
effective road distance: ``minutes / 60 x speed_kmh x 1000`` metres, where the effective
distance is, as everywhere in venuemap, straight line x detour (``analysis.standards``). So a
15-minute walk at 4.5 km/h reaches 1,125 m of road, about 800 m straight with the default
detour 1.4.

Speeds (`SPEED_KMH`) are planning assumptions for Huangnan's mountain roads, not measurements:

* ``walk`` 4.5 km/h: an adult on village paths with some climbing (flat-ground planning values
  are 4.8-5 km/h; slopes at 3,000 m and more slow walkers down);
* ``drive`` 30 km/h: a car or motorbike on county and township roads with switchbacks (the
  design speed of China's class-III/IV mountain roads is 20-40 km/h).

With a roads layer carrying speeds (``speed_kmh`` or a road class), times are measured on the
network instead (`analysis.roads`).
"""

from __future__ import annotations

from geo.errors import AnalysisError

#: Travel speed per mode, km/h (see the module docstring for where the values come from).
SPEED_KMH: dict[str, float] = {"walk": 4.5, "drive": 30.0}
DEFAULT_MODE = "drive"


def speed_kmh(mode: str = DEFAULT_MODE) -> float:
    """Return the documented speed of ``mode`` (``"walk"`` or ``"drive"``), km/h."""
    try:
        return SPEED_KMH[mode]
    except KeyError:
        raise AnalysisError(
            f"travel mode should be one of {', '.join(SPEED_KMH)}, got {mode!r}."
        ) from None


def minutes_to_metres(minutes: float, mode: str = DEFAULT_MODE) -> float:
    """Return the effective (road) distance covered in ``minutes`` at ``mode``'s speed, m."""
    if not minutes > 0:
        raise AnalysisError(f"minutes should be a positive number, got {minutes!r}.")
    return float(minutes) / 60.0 * speed_kmh(mode) * 1000.0
