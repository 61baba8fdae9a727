"""Service rings: band radii from minutes or km, band geometry, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.rings import ring_radii_m, service_rings
from analysis.traveltime import minutes_to_metres, speed_kmh
from geo.errors import AnalysisError
from tests.analysis.conftest import points


def test_minutes_become_effective_metres_at_the_mode_speed() -> None:
    assert speed_kmh("walk") == 4.5
    assert minutes_to_metres(15, "walk") == pytest.approx(1125.0)  # 15/60 h x 4.5 km/h
    radii, labels = ring_radii_m(minutes=[15, 5, 10], mode="drive")
    np.testing.assert_allclose(radii, [2500.0, 5000.0, 7500.0])  # 30 km/h = 500 m/min
    assert labels == ["5 min (drive)", "10 min (drive)", "15 min (drive)"]


def test_bands_tile_the_outer_disc_in_metres() -> None:
    venues = points([(0, 0)], id=["v"], name=["站"], kind=["village_station"])
    rings = service_rings(venues, km=[1, 2, 5], detour=1.25)
    assert list(rings["ring"]) == [0, 1, 2] and list(rings["label"]) == ["1 km", "2 km", "5 km"]
    np.testing.assert_allclose(rings["reach_m"], [800.0, 1600.0, 4000.0])
    areas = rings.to_crs("EPSG:4543").area.to_numpy()
    expected = np.pi * np.array([800**2, 1600**2 - 800**2, 4000**2 - 1600**2])
    np.testing.assert_allclose(areas, expected, rtol=0.01)  # polygon vs circle
    assert rings.crs.to_epsg() == 4326


@pytest.mark.parametrize(("kwargs", "match"), [
    ({}, "either in minutes or in km"),
    ({"km": [1, 1]}, "distinct positive"),
    ({"minutes": [5], "mode": "fly"}, "travel mode should be one of"),
])  # fmt: skip
def test_bad_rings(kwargs: dict, match: str) -> None:
    venues = points([(0, 0)], id=["v"], kind=["village_station"])
    with pytest.raises(AnalysisError, match=match):
        service_rings(venues, **kwargs)
