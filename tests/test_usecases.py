"""The use-case layer: one baseline for coverage and site, honest labels, one import policy."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest

from tests.analysis.conftest import points
from venuemap import usecases
from venuemap.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def run_json(capsys, argv: list[str]) -> dict:
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


# --------------------------------------------------------------------------- one baseline
@pytest.mark.parametrize("new_radius", [[], ["--radius-km", "10"]])
def test_site_baseline_is_coverage_on_the_demo(capsys, tmp_path, new_radius) -> None:
    store = ["--store", str(tmp_path / "s.gpkg")]
    covered = run_json(capsys, ["coverage", "--json", *store])["population_covered"]
    site = run_json(capsys, ["site", "--add", "3", "--json", *new_radius, *store])
    assert site["baseline_covered_population"] == covered
    assert site["covered_population"] >= covered
    assert covered < run_json(capsys, ["coverage", "--json", *store])["population"]


def random_instance(seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Demand and venues of every geographic level, scattered in a 60 km box."""
    rng = np.random.default_rng(seed)
    n = 80
    codes = [f"V{i:03d}" for i in range(n)]
    demand = points(
        [tuple(xy) for xy in rng.uniform(0, 60_000, (n, 2))], village_code=codes,
        township_code=[f"T{i % 6}" for i in range(n)], county_code=["632301"] * n,
        population=rng.integers(50, 3000, n),
    )  # fmt: skip
    kinds = ["county_centre", "township_centre", "township_centre"] + ["village_station"] * 9
    stations = rng.choice(codes, 9, replace=False)
    venues = points(
        [tuple(xy) for xy in rng.uniform(0, 60_000, (len(kinds), 2))],
        id=[f"v{i}" for i in range(len(kinds))], kind=kinds, status=["in_service"] * len(kinds),
        village_code=[None, None, None, *stations], township_code=[None] * len(kinds),
        county_code=["632301"] * len(kinds),
    )  # fmt: skip
    return demand, venues


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_site_baseline_is_coverage_on_a_random_instance(capsys, tmp_path, seed) -> None:
    demand, venues = random_instance(seed)
    paths = {}
    for name, gdf in (("demand", demand), ("venues", venues)):
        paths[name] = str(tmp_path / f"{name}.geojson")
        gdf.to_crs("EPSG:4326").to_file(paths[name])
    common = ["--demand", paths["demand"], "--venues", paths["venues"], "--township-km", "8",
              "--village-km", "3", "--json", "--store", str(tmp_path / "s.gpkg")]  # fmt: skip
    covered = run_json(capsys, ["coverage", *common])["population_covered"]
    assert 0 < covered < int(demand["population"].sum())  # a real baseline, not all or nothing
    for model in ("mclp", "lscp", "pmedian"):
        site = run_json(capsys, ["site", "--model", model, "--add", "4", "--radius-km", "5",
                                 *common])  # fmt: skip
        assert site["baseline_covered_population"] == covered, model
        assert site["covered_population"] >= covered, model


def test_site_uses_the_per_level_standard_for_existing_venues(tmp_path) -> None:
    """A wider township radius raises the baseline; the new-site radius does not move it."""
    demand, venues = random_instance(7)
    inputs = usecases.Inputs(venues=venues, demand=demand)
    narrow = usecases.standard_from_options(township_km=2, village_km=2)
    wide = usecases.standard_from_options(township_km=30, village_km=2)
    base = [usecases.site(inputs, s, n_new=1, new_radius_km=r).baseline["population_covered"]
            for s, r in ((narrow, 2), (narrow, 20), (wide, 2))]  # fmt: skip
    assert base[0] == base[1] < base[2]
    assert base[0] == usecases.coverage(inputs, narrow).totals["population_covered"]


# --------------------------------------------------------------------------- honest labels
def test_coverage_json_names_what_is_illustrative_and_the_data_date(capsys, tmp_path) -> None:
    store = ["--store", str(tmp_path / "s.gpkg")]
    payload = run_json(capsys, ["coverage", "--json", *store])
    assert payload["illustrative"] == ["venue_positions", "village_positions",
                                       "village_population"]  # fmt: skip
    assert payload["as_of"] == "2022"  # the example register's own date


def test_saving_a_proposal_keeps_the_example_label_and_date(capsys, tmp_path) -> None:
    store_path = tmp_path / "s.gpkg"
    store = ["--store", str(store_path)]
    site = run_json(capsys, ["site", "--add", "2", "--save", "--json", *store])
    assert site["saved"] == 2 and store_path.exists()
    from geo.store import open_store

    stored = open_store(store_path).venues()
    assert (stored["status"] == "planned").sum() == 2
    payload = run_json(capsys, ["coverage", "--json", *store])
    assert "venue_positions" in payload["illustrative"]
    assert payload["as_of"] == "2022", "a save must not turn the example into today's data"


def test_as_of_is_the_data_date_not_the_file_date() -> None:
    import pandas as pd

    venues = pd.DataFrame({
        "as_of": ["2022", "2024-05-01", None, None],
        "status": ["in_service", "in_service", "planned", "closed"],
    })  # fmt: skip
    dates = usecases.as_of(venues)
    assert (dates.text, dates.undated) == ("2022 – 2024-05-01", 1)
    assert usecases.as_of(venues.iloc[2:]).text is None
    stamped = usecases.stamp_as_of(venues, __import__("datetime").date(2026, 1, 2))
    assert stamped["as_of"].tolist() == ["2022", "2024-05-01", "2026-01-02", "2026-01-02"]


def test_illustrative_is_empty_only_when_nothing_is() -> None:
    import pandas as pd

    venues = pd.DataFrame({"position": ["surveyed"]})
    villages = pd.DataFrame({"position": ["surveyed"], "population_source": ["census"]})
    assert usecases.illustrative(venues, villages) == []
    villages.loc[0, "population_source"] = "illustrative"
    assert usecases.illustrative(venues, villages) == ["village_population"]


# --------------------------------------------------------------------------- one standard
def test_the_default_standard_is_the_toml_file() -> None:
    from analysis.standards import default_standards

    standard = usecases.default_standard()
    assert standard == usecases.load_standard(usecases.STANDARDS_PATH)
    assert standard.radii_km == (40.0, 15.0, 2.0) and standard.detour == 1.4
    assert standard == default_standards()  # the analysis fallback says the same
    slider = usecases.standard_from_radii(*standard.radii_km, standard.detour)
    assert slider == standard  # the sidebar at its defaults builds the very same value


def test_per_level_flags_only_touch_their_level() -> None:
    standard = usecases.standard_from_options(township_km=5, detour=1.2)
    assert standard.radii_km == (40.0, 5.0, 2.0) and standard.detour == 1.2
    assert standard.get("prefecture_centre").scope == "prefecture"
    assert standard.get("village_station").own_village


# --------------------------------------------------------------------------- one filter
def test_one_filter_takes_lists_labels_and_a_query() -> None:
    from geo.boundaries import load_layer

    venues = load_layer("venues_demo")
    stations = usecases.filter_layer(venues, kind=["村群团服务站"], county="632322")
    assert len(stations) and set(stations["kind"]) == {"village_station"}
    assert set(stations["county_code"]) == {"632322"}
    both = usecases.filter_layer(venues, county=["632322", "632323"])
    assert set(both["county_code"]) == {"632322", "632323"}
    named = usecases.filter_layer(venues, query=stations["name"].iloc[0][:3])
    assert stations["id"].iloc[0] in set(named["id"])


def test_save_with_a_venues_file_is_refused(capsys, tmp_path) -> None:
    demand, venues = random_instance(4)
    path = tmp_path / "venues.geojson"
    venues.to_crs("EPSG:4326").to_file(path)
    code = main(["site", "--venues", str(path), "--save", "--store", str(tmp_path / "s.gpkg")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--save" in err
    assert not (tmp_path / "s.gpkg").exists()
