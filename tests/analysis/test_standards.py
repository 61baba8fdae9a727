import tomllib
from pathlib import Path

import pytest

from analysis.standards import (
    DEFAULT_MAPPING,
    default_standards,
    standards_from_mapping,
    uniform_standards,
)
from geo.errors import AnalysisError

TOML = Path(__file__).resolve().parents[2] / "data" / "standards.toml"


def test_toml_file_is_the_documented_default():
    with TOML.open("rb") as handle:
        mapping = tomllib.load(handle)
    assert mapping == DEFAULT_MAPPING
    assert standards_from_mapping(mapping) == default_standards()


def test_default_radii():
    s = default_standards()
    assert s.get("village_station").radius_m == 2000
    assert s.get("village_station").own_village
    assert s.get("township_centre").radius_m == 15_000
    assert s.get("county_centre").radius_m == 40_000
    assert s.get("prefecture_centre").radius_m is None
    assert not s.get("enterprise_home").geographic
    assert s.detour == 1.4
    assert s.headline_levels == (2, 3, 4)


def test_uniform_radius_applies_to_every_geographic_kind():
    s = uniform_standards(5)
    assert {k: v.radius_m for k, v in s.by_kind.items() if v.geographic} == {
        k: 5000.0 for k, v in s.by_kind.items() if v.geographic
    }
    assert not s.get("enterprise_home").geographic


def test_partial_mapping_keeps_other_defaults():
    s = standards_from_mapping({"kinds": {"township_centre": {"level": 3, "radius_km": 10}}})
    assert s.get("township_centre").radius_m == 10_000
    assert s.get("county_centre").radius_m == 40_000


def test_all_problems_reported_at_once():
    bad = {"detour": 0.5, "kinds": {"township_centre": {"level": 7, "radius_km": -1}}}
    with pytest.raises(AnalysisError, match=r"level should be 1-4.*radius_km should be a "
                       r"positive number.*detour should be a number >= 1"):
        standards_from_mapping(bad)


def test_unknown_kind_lists_known_ones():
    with pytest.raises(AnalysisError, match="no service standard for venue kind 'kiosk'; known"):
        default_standards().get("kiosk")


def test_negative_uniform_radius_refused():
    with pytest.raises(AnalysisError, match="--radius-km should be a positive number"):
        uniform_standards(0)
