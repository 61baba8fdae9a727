import json

import pytest

from tests.analysis.conftest import points
from venuemap.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def files(tmp_path, demand, venues):
    demand["name"] = ["甲村", "乙村", "丙村", "丁村"]
    paths = {
        "demand": tmp_path / "demand.geojson",
        "venues": tmp_path / "venues.geojson",
        "candidates": tmp_path / "cands.geojson",
    }
    demand.to_crs("EPSG:4326").to_file(paths["demand"])
    venues.to_crs("EPSG:4326").to_file(paths["venues"])
    cands = points([(3000, 500), (30_000, 0)], id=["near-B", "nowhere"])
    cands.to_crs("EPSG:4326").to_file(paths["candidates"])
    return {k: str(v) for k, v in paths.items()}


def run_json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_coverage_json_on_files(capsys, files, tmp_path):
    payload = run_json(
        capsys,
        [
            "coverage",
            "--venues",
            files["venues"],
            "--demand",
            files["demand"],
            "--radius-km",
            "2",
            "--detour",
            "1",
            "--json",
            "--store",
            str(tmp_path / "none.gpkg"),
        ],
    )
    assert list(payload) == [
        "demand",
        "covered",
        "population",
        "population_covered",
        "by_county",
        "network",
        "illustrative",
        "as_of",
    ]
    assert payload["illustrative"] == []  # plain test files: nothing is marked illustrative
    # 2 km for all: the centre covers A; the station covers C (1 km) and its own village D
    assert (payload["demand"], payload["covered"]) == (4, 3)
    assert payload["population_covered"] == 800
    assert [row["county_code"] for row in payload["by_county"]] == ["632301", "632322"]
    assert payload["network"]["townships_with_centre"] == 1
    assert payload["network"]["villages_with_station"] == 1


def test_coverage_out_is_rfc7946_geojson(capsys, files, tmp_path):
    out = tmp_path / "coverage.geojson"
    assert (
        main(
            [
                "coverage",
                "--venues",
                files["venues"],
                "--demand",
                files["demand"],
                "--out",
                str(out),
                "--store",
                str(tmp_path / "none.gpkg"),
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert "甲村" in text  # readable UTF-8 Chinese, not \u escapes
    coords = [c for f in json.loads(text)["features"] for c in f["geometry"]["coordinates"]]
    assert all(round(c, 7) == c for c in coords) and "crs" not in json.loads(text)
    assert "Infinity" not in text and '"level2_distance_m": null' in text


def test_custom_standard_file(capsys, files, tmp_path):
    toml = tmp_path / "std.toml"
    toml.write_text(
        "detour = 1\n[kinds.township_centre]\nlevel = 3\nradius_km = 4\n", encoding="utf-8"
    )
    payload = run_json(
        capsys,
        [
            "coverage",
            "--venues",
            files["venues"],
            "--demand",
            files["demand"],
            "--standard",
            str(toml),
            "--kind",
            "乡镇群团服务中心",
            "--json",
            "--store",
            str(tmp_path / "n.gpkg"),
        ],
    )
    assert payload["covered"] == 2  # A and B within 4 km of the centre


def test_site_json_shape(capsys, files, tmp_path):
    payload = run_json(
        capsys,
        [
            "site",
            "--model",
            "mclp",
            "--add",
            "1",
            "--radius-km",
            "2",
            "--township-km",
            "2",
            "--village-km",
            "2",
            "--detour",
            "1",
            "--venues",
            files["venues"],
            "--demand",
            files["demand"],
            "--candidates",
            files["candidates"],
            "--json",
            "--store",
            str(tmp_path / "n.gpkg"),
        ],
    )
    assert payload == {
        "model": "mclp",
        "selected": ["near-B"],
        "covered_population": 1000,
        "objective": 200,
        "optimal": True,
        "sites": [{"id": "near-B", "added_population": 200}],
        "note": None,
        "baseline_covered_population": 800,
        "new_radius_km": 2,
    }


def test_site_out_writes_planned_venues(capsys, files, tmp_path):
    out = tmp_path / "planned.geojson"
    assert (
        main(
            [
                "site",
                "--model",
                "lscp",
                "--radius-km",
                "2",
                "--township-km",
                "2",
                "--village-km",
                "2",
                "--detour",
                "1",
                "--venues",
                files["venues"],
                "--demand",
                files["demand"],
                "--candidates",
                files["candidates"],
                "--out",
                str(out),
                "--store",
                str(tmp_path / "n.gpkg"),
            ]
        )
        == 0
    )
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["status"] for f in features] == ["planned"]
    assert "lscp: 1 new site(s)" in capsys.readouterr().out


def test_gaps_json(capsys, files, tmp_path):
    payload = run_json(
        capsys,
        [
            "gaps",
            "--venues",
            files["venues"],
            "--demand",
            files["demand"],
            "--radius-km",
            "2",
            "--detour",
            "1",
            "--json",
            "--store",
            str(tmp_path / "n.gpkg"),
        ],
    )
    assert list(payload) == [
        "uncovered", "deserts", "townships_without_centre", "redundant_venues", "illustrative"
    ]  # fmt: skip
    assert [row["village_code"] for row in payload["uncovered"]] == ["V-B"]
    assert payload["townships_without_centre"] == [{"township_code": "T2"}]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--standard", "missing.toml"], "standards file missing.toml not found"),
        (["--kind", "kiosk"], "--kind 'kiosk' is not a venue kind"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, files, tmp_path, extra, message):
    code = main(
        [
            "coverage",
            "--venues",
            files["venues"],
            "--demand",
            files["demand"],
            *extra,
            "--store",
            str(tmp_path / "n.gpkg"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_demand_without_population_exit_2(capsys, tmp_path, files, demand):
    path = tmp_path / "nopop.geojson"
    demand.drop(columns="population").to_crs("EPSG:4326").to_file(path)
    code = main(
        [
            "coverage",
            "--venues",
            files["venues"],
            "--demand",
            str(path),
            "--store",
            str(tmp_path / "n.gpkg"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "demand has no population column 'population'" in err


def test_csv_demand_with_chinese_headers(capsys, files, tmp_path):
    csv = tmp_path / "demand.csv"
    csv.write_bytes("名称,经度,纬度,population\n甲村,102.0,35.229011,100\n".encode("gb18030"))
    payload = run_json(
        capsys,
        [
            "coverage",
            "--venues",
            files["venues"],
            "--demand",
            str(csv),
            "--json",
            "--store",
            str(tmp_path / "n.gpkg"),
        ],
    )
    assert (payload["demand"], payload["covered"]) == (1, 1)


def test_demo_coverage_counts(capsys, tmp_path):
    payload = run_json(capsys, ["coverage", "--json", "--store", str(tmp_path / "n.gpkg")])
    assert payload["demand"] == 299
    net = payload["network"]
    assert (net["townships_with_centre"], net["townships"]) == (26, 33)
    assert (net["villages_with_station"], net["villages"]) == (178, 299)


def test_demo_site_default_candidates(capsys, tmp_path):
    payload = run_json(
        capsys,
        ["site", "--model", "mclp", "--add", "3", "--json", "--store", str(tmp_path / "n.gpkg")],
    )
    assert payload["optimal"] is True and len(payload["selected"]) == 3
    assert all(s.startswith("cand-") for s in payload["selected"])
    assert all(site["added_population"] > 0 for site in payload["sites"])


def site_argv(files, tmp_path, *extra):
    return ["site", "--radius-km", "2", "--township-km", "2", "--village-km", "2", "--detour",
            "1", "--demand", files["demand"], "--store", str(tmp_path / "n.gpkg"), *extra]


def test_site_text_lists_what_each_site_adds(capsys, files, tmp_path):
    assert main(site_argv(files, tmp_path, "--venues", files["venues"], "--candidates",
                          files["candidates"], "--add", "2")) == 0
    out = capsys.readouterr().out
    assert "mclp: 1 new site(s)" in out  # "nowhere" would add nobody: not opened
    assert "+ near-B  (only it adds 200 people)" in out


def empty_file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [("none.geojson", '{"type": "FeatureCollection", "features": []}'),
     ("header.csv", "id,name,kind,lon,lat\n")],
)
@pytest.mark.parametrize("command", ["coverage", "gaps", "site"])
def test_empty_venue_files_work(capsys, files, tmp_path, name, text, command):
    argv = [command, "--venues", empty_file(tmp_path, name, text), "--demand", files["demand"],
            "--radius-km", "2", "--detour", "1", "--json", "--store", str(tmp_path / "n.gpkg")]
    if command == "site":
        argv += ["--model", "lscp"]
    payload = run_json(capsys, argv)
    if command == "coverage":
        assert (payload["covered"], payload["population_covered"]) == (0, 0)
        assert payload["network"]["township_centres"] == 0
    elif command == "gaps":
        assert len(payload["uncovered"]) == 4
    else:  # every village is a candidate for its own station: four sites cover all
        assert payload["covered_population"] == 1000 and len(payload["selected"]) == 4


def test_infeasible_model_exits_1_with_one_line(capsys, files, tmp_path):
    code = main(site_argv(files, tmp_path, "--model", "lscp", "--venues", files["venues"],
                          "--candidates", files["candidates"], "--village-km", "0.5"))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("venuemap site: lscp is infeasible: 1 demand point(s) with 300 people "
                          "(first: V-C)")


def test_nothing_to_site_is_one_line_exit_0(capsys, files, tmp_path):
    none = empty_file(tmp_path, "none.geojson", '{"type": "FeatureCollection", "features": []}')
    assert main(site_argv(files, tmp_path, "--venues", files["venues"], "--candidates", none)) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("mclp: nothing to site")


def test_coverage_with_roads_file(capsys, tmp_path):
    from tests.analysis.test_roads import lines

    roads = lines([[(0, 0), (1000, 0), (2000, 0)], [(1000, 300), (2000, 300), (2000, 0)]])
    venues = points([(0, 0), (1000, 300)], id=["A", "B"], kind=["township_centre"] * 2)
    demand = points([(1000, 0)], population=[10])
    paths = {}
    for name, gdf in (("roads", roads), ("venues", venues), ("demand", demand)):
        paths[name] = tmp_path / f"{name}.geojson"
        gdf.to_crs("EPSG:4326").to_file(paths[name])
    out = tmp_path / "cov.geojson"
    payload = run_json(
        capsys,
        [
            "coverage",
            "--roads",
            str(paths["roads"]),
            "--venues",
            str(paths["venues"]),
            "--demand",
            str(paths["demand"]),
            "--radius-km",
            "1.2",
            "--json",
            "--out",
            str(out),
            "--store",
            str(tmp_path / "n.gpkg"),
        ],
    )
    assert payload["covered"] == 1
    props = json.loads(out.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert props["level3_venue_id"] == "A"
    assert props["level3_distance_m"] == pytest.approx(1000, abs=0.5)
    assert props["road_access_m"] == pytest.approx(0, abs=0.5) and props["road_reachable"]


def test_snap_m_decides_whether_road_ends_meet(capsys, tmp_path):
    from tests.analysis.test_roads import lines

    roads = lines([[(-3000, 0), (0, 0), (1000, 0)], [(1002, 0), (1002, 1000), (0, 1000)]])
    venues = points([(0, 0)], id=["A"], kind=["township_centre"])
    demand = points([(0, 1050)], population=[10])
    paths = {}
    for name, gdf in (("roads", roads), ("venues", venues), ("demand", demand)):
        paths[name] = tmp_path / f"{name}.geojson"
        gdf.to_crs("EPSG:4326").to_file(paths[name])
    distances = []
    for snap in ("1", "3"):
        out = tmp_path / f"cov{snap}.geojson"
        run_json(capsys, ["coverage", "--roads", str(paths["roads"]), "--venues",
                          str(paths["venues"]), "--demand", str(paths["demand"]), "--json",
                          "--snap-m", snap, "--out", str(out), "--store", str(tmp_path / "n.gpkg")])
        props = json.loads(out.read_text(encoding="utf-8"))["features"][0]["properties"]
        distances.append(props["level3_distance_m"])
    # apart: the loop's branch is not the main component, so the village walks 1050 m to the
    # venue's node; joined: it steps 50 m onto the branch and rides 1 km + 2 m + 1 km + 1 km
    assert distances[0] == pytest.approx(1050, abs=0.5)
    assert distances[1] == pytest.approx(50 + 1000 + 1000 + 1002, abs=1.5)


def test_gaps_out_mixes_points_and_hexagons(capsys, files, tmp_path):
    out = tmp_path / "gaps.geojson"
    assert (
        main(
            [
                "gaps",
                "--venues",
                files["venues"],
                "--demand",
                files["demand"],
                "--radius-km",
                "2",
                "--detour",
                "1",
                "--out",
                str(out),
                "--store",
                str(tmp_path / "n.gpkg"),
            ]
        )
        == 0
    )
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    kinds = {(f["properties"]["gap_type"], f["geometry"]["type"]) for f in features}
    assert {("uncovered", "Point"), ("desert", "Polygon")} <= kinds
