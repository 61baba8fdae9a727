"""The bundled reference geography and demo register: counts, codes, honesty labels."""

import geopandas as gpd
import pandas as pd
import pytest

from geo.boundaries import LAYER_NAMES, get_path, load_layer
from geo.demo_register import SCENIC_VILLAGE_CODE, short_village_name
from geo.errors import InputError
from geo.reference_build import SOURCE_DIR, build_all


def test_unknown_layer_lists_valid_names():
    with pytest.raises(InputError, match=r"unknown reference layer 'roads'.*counties.*villages"):
        get_path("roads")


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_every_layer_is_wgs84_and_valid(name):
    gdf = load_layer(name)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()


def test_counties_are_real_with_census_population():
    counties = load_layer("counties")
    assert sorted(counties["county_code"]) == ["632301", "632322", "632323", "632324"]
    assert counties["population_2020"].sum() == 276_215
    assert counties.set_index("county_code").loc["632301", "area_km2"] == pytest.approx(
        3215, rel=0.01
    )


def test_townships_tile_their_counties_and_are_marked_approximate():
    townships, counties = load_layer("townships"), load_layer("counties")
    assert len(townships) == 33 and townships["approximate"].all()
    assert townships["township_code"].str.len().eq(9).all()
    by_county = townships.groupby("county_code")["area_km2"].sum()
    expected = counties.set_index("county_code")["area_km2"]
    assert (by_county - expected).abs().max() < 1.0


def test_villages_codes_population_and_labels():
    villages, counties = load_layer("villages"), load_layer("counties")
    assert len(villages) == 299 and villages["village_code"].is_unique
    assert (villages["population_source"] == "illustrative").all()
    assert (villages["position"] == "illustrative").all()
    sums = villages.groupby("county_code")["population"].sum()
    assert sums.to_dict() == counties.set_index("county_code")["population_2020"].to_dict()


def test_each_village_point_lies_in_its_own_township_area():
    villages, townships = load_layer("villages"), load_layer("townships")
    joined = gpd.sjoin(villages, townships[["township_code", "geometry"]], predicate="within")
    assert len(joined) == 299
    assert (joined["township_code_left"] == joined["township_code_right"]).all()


def test_demo_register_matches_the_seed_report():
    venues = load_layer("venues_demo")
    counts = venues["kind"].value_counts().to_dict()
    assert counts["prefecture_centre"] == 1 and counts["county_centre"] == 4
    assert counts["township_centre"] == 26
    assert counts["village_station"] + counts["community_station"] == 178
    assert counts["enterprise_home"] == 20
    assert venues["id"].is_unique
    assert (venues["position"] == "illustrative").all()
    scenic = venues[venues["village_code"] == SCENIC_VILLAGE_CODE]
    assert scenic["name"].tolist() == ["德吉村景区群团服务站"]


def test_demo_venues_lie_in_their_stated_county_and_prefecture():
    venues, counties = load_layer("venues_demo"), load_layer("counties")
    joined = gpd.sjoin(venues, counties[["county_code", "geometry"]], predicate="within")
    assert len(joined) == len(venues)
    assert (joined["county_code_left"] == joined["county_code_right"]).all()


def test_rebuild_is_deterministic(tmp_path):
    build_all(SOURCE_DIR, tmp_path)
    for name in ("villages", "venues_demo", "townships"):
        rebuilt = (tmp_path / get_path(name).relative_to(get_path(name).parents[1])).read_bytes()
        assert rebuilt == get_path(name).read_bytes(), name


@pytest.mark.parametrize(
    ("official", "short"),
    [
        ("德吉村委会", "德吉村"),
        ("隆务街社区居民委员会", "隆务街社区"),
        ("秀恰村村民委员会", "秀恰村"),
        ("尖克牧委会", "尖克牧委会"),
    ],
)
def test_short_village_names(official, short):
    assert short_village_name(official) == short


def test_codes_are_text_with_leading_digits_kept():
    villages = load_layer("villages")
    assert isinstance(villages["village_code"].iloc[0], str)
    assert pd.api.types.is_integer_dtype(villages["population"])
