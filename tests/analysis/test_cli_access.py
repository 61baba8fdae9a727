"""``venuemap access`` and the equity block of ``coverage --json``, on the 4-village box."""

import json

import pytest

from venuemap.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def files(tmp_path, demand, venues):
    demand["name"] = ["甲村", "乙村", "丙村", "丁村"]
    venues["capacity"] = [500.0, 150.0]
    paths = {"demand": tmp_path / "demand.geojson", "venues": tmp_path / "venues.geojson"}
    demand.to_crs("EPSG:4326").to_file(paths["demand"])
    venues.to_crs("EPSG:4326").to_file(paths["venues"])
    return ["--venues", str(paths["venues"]), "--demand", str(paths["demand"]),
            "--store", str(tmp_path / "none.gpkg")]  # fmt: skip


def run_json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_access_json_by_hand(capsys, files):
    # 2 km for all: the centre (500) reaches A (100 people): R = 5; the station (150) reaches
    # C (300 people, 1 km): R = 0.5. B and D reach nothing.
    payload = run_json(capsys, ["access", *files, "--radius-km", "2", "--detour", "1", "--json"])
    assert (payload["method"], payload["catchment"]["radius_km"]) == ("2sfca", 2.0)
    access = {row["id"]: row["access"] for row in payload["demand"]}
    assert access == {"V-A": 5.0, "V-B": 0.0, "V-C": 0.5, "V-D": 0.0}
    ratios = {v["id"]: (v["supply_ratio"], v["capacity_source"]) for v in payload["venues"]}
    assert ratios == {"t1": (5.0, "register"), "s1": (0.5, "register")}
    # Lorenz by hand: p 0 .2 .6 .9 1, L 0 0 0 150/650 1 -> Gini 1 - .3·(150/650) - .1·(1 + 150/650)
    gini = 1 - 0.3 * 150 / 650 - 0.1 * (1 + 150 / 650)
    assert payload["equity"]["gini"] == pytest.approx(gini, abs=1e-6)
    assert payload["equity"]["palma"] is None  # the worst-served 40 % have nothing
    assert set(payload["equity"]["by_county"]) == {"632301", "632322"}
    assert payload["labels"]["capacity_default_venues"] == 0


def test_access_minutes_and_out(capsys, files, tmp_path):
    out = tmp_path / "access.geojson"
    # walking 4.5 km/h for 20 minutes = 1,500 m: the same pairs as 2 km here except none more
    code = main(["access", *files, "--method", "e2sfca", "--minutes", "20", "--mode", "walk",
                 "--detour", "1", "--out", str(out)])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "e2sfca" in text and "Gini" in text
    layer = json.loads(out.read_text(encoding="utf-8"))
    props = {f["properties"]["village_code"]: f["properties"] for f in layer["features"]}
    assert props["V-A"]["access"] > 0 and props["V-B"]["access"] == 0
    assert "crs" not in layer  # RFC 7946


def test_access_default_capacity_is_labelled(capsys, tmp_path, demand, venues):
    paths = [tmp_path / "d.geojson", tmp_path / "v.geojson"]
    demand.to_crs("EPSG:4326").to_file(paths[0])
    venues.to_crs("EPSG:4326").to_file(paths[1])
    payload = run_json(capsys, ["access", "--venues", str(paths[1]), "--demand", str(paths[0]),
                                "--store", str(tmp_path / "n.gpkg"), "--json"])  # fmt: skip
    assert payload["labels"]["capacity_default_venues"] == 2
    assert {v["capacity_source"] for v in payload["venues"]} == {"default"}


@pytest.mark.parametrize(("extra", "message"), [
    (["--method", "2sfca", "--decay", "power"], "takes no decay"),
    (["--capacity-field", "id"], "should hold non-negative numbers"),
    (["--capacity-field", "seats"], "no capacity column 'seats'"),
    (["--minutes", "-5"], "minutes > 0"),
])  # fmt: skip
def test_access_bad_input_is_one_line_exit_2(capsys, files, extra, message):
    assert main(["access", *files, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_coverage_json_carries_equity(capsys, files):
    payload = run_json(capsys, ["coverage", *files, "--radius-km", "2", "--detour", "1",
                                "--json"])  # fmt: skip
    # covered A (100), C (300), D (400, own village) of 1,000 people: Gini = uncovered share
    assert payload["equity"]["gini"] == pytest.approx(0.2)
    assert payload["equity"]["by_county"]["632322"]["gini"] == 0


def test_site_cmclp_json_assigns_within_capacity(capsys, files, tmp_path):
    from tests.analysis.conftest import points

    cands = tmp_path / "cands.geojson"
    points([(3000, 500), (30_000, 0)], id=["near-B", "nowhere"]).to_crs("EPSG:4326").to_file(
        cands)  # fmt: skip
    # radius 2 km, detour 1: centre t1 (500) takes A's 100; station s1 (150) takes 150 of C's
    # 300 and serves its own village D up to its capacity, so C+D share 150; near-B (120) adds
    # 120 of B's 200. Assigned: 100 + 150 + 120 = 370.
    payload = run_json(capsys, ["site", *files, "--model", "cmclp", "--add", "1",
                                "--radius-km", "2", "--detour", "1", "--new-capacity", "120",
                                "--candidates", str(cands), "--json"])  # fmt: skip
    assert payload["selected"] == ["near-B"] and payload["optimal"] is True
    assert payload["covered_population"] == pytest.approx(370)
    for venue in payload["venues"]:
        assert venue["assigned"] <= venue["capacity"] + 1e-6
    out = tmp_path / "plan.geojson"
    assert main(["site", *files, "--model", "cmclp", "--add", "1", "--radius-km", "2",
                 "--detour", "1", "--new-capacity", "120", "--candidates", str(cands),
                 "--out", str(out)]) == 0  # fmt: skip
    feature = json.loads(out.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert (feature["id"], feature["status"], feature["capacity"]) == ("planned-near-B",
                                                                       "planned", 120)


def test_site_cmclp_whole_villages(capsys, files, tmp_path):
    from tests.analysis.conftest import points

    cands = tmp_path / "cands.geojson"
    points([(3000, 500)], id=["near-B"]).to_crs("EPSG:4326").to_file(cands)
    # whole villages: t1 (500) takes A (100); s1 (150) can take neither C (300) nor D (400)
    # whole; near-B (250) takes B (200). Assigned 300 (split would give 100 + 150 + 200).
    argv = ["site", *files, "--model", "cmclp", "--add", "1", "--radius-km", "2", "--detour",
            "1", "--new-capacity", "250", "--candidates", str(cands), "--json"]  # fmt: skip
    assert run_json(capsys, [*argv, "--whole-villages"])["covered_population"] == 300
    assert run_json(capsys, argv)["covered_population"] == 450


def test_coverage_minutes_equal_the_same_distance(capsys, files):
    # 4 min driving at 30 km/h = 2 km: the same coverage as --radius-km 2
    by_time = run_json(capsys, ["coverage", *files, "--minutes", "4", "--detour", "1", "--json"])
    by_km = run_json(capsys, ["coverage", *files, "--radius-km", "2", "--detour", "1", "--json"])
    assert by_time["covered"] == by_km["covered"] == 3
    walk = run_json(capsys, ["coverage", *files, "--minutes", "4", "--mode", "walk",
                             "--detour", "1", "--json"])  # fmt: skip
    assert walk["covered"] == 2  # 300 m on foot: A (at the centre) and D (own village) only
