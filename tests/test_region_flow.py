"""A new user from 海北州 (632200): switch region, import, coverage, gaps, site — and names.

Also the village look-up rule (code, full name, then an unambiguous short form) and the guard
that nothing region-specific is left in code outside data/.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest

from geo import regions
from geo.importer import ReferenceIndex
from venuemap.cli import main

ROOT = Path(__file__).resolve().parents[1]
HAIBEI = "632200"
#: A GBK register with Chinese headers, every point in Haibei (county seats and one village).
REGISTER = [
    "名称,类型,经度,纬度,所属县,所属乡镇,村（社区）",
    "门源县群团服务中心,县级群团服务中心,101.62,37.376,门源回族自治县,,",
    "海晏县群团服务中心,县级群团服务中心,100.994,36.897,海晏县,,",
    "祁连县群团服务中心,县级群团服务中心,100.25,38.177,祁连县,,",
    "刚察县群团服务中心,县级群团服务中心,100.146,37.326,刚察县,,",
    "浩门镇群团服务中心,乡镇群团服务中心,101.615,37.38,门源回族自治县,632221100,",
    "某村群团服务站,村群团服务站,100.9,36.95,海晏县,632223100,632223100201",
]


@pytest.fixture(autouse=True)
def _no_env_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(regions.REGION_ENV, raising=False)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def write_gbk(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return path


@pytest.fixture
def haibei_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    store = str(tmp_path / "haibei.gpkg")
    code, out, _ = cli(capsys, "region", "use", HAIBEI, "--store", store)
    assert code == 0 and "海北藏族自治州 632200" in out
    return store


def test_empty_store_of_another_region_has_no_demo_register(
    haibei_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "coverage", "--json", "--store", haibei_store)
    assert code == 2 and out == ""
    assert "海北藏族自治州" in err and "no demo register" in err
    assert len(err.strip().splitlines()) == 1


def test_haibei_user_imports_then_gets_coverage_gaps_and_sites(
    haibei_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_gbk(tmp_path / "阵地.csv", REGISTER)
    code, out, _ = cli(capsys, "import", str(csv), "--store", haibei_store)
    assert code == 0, out
    code, out, _ = cli(capsys, "coverage", "--json", "--store", haibei_store)
    payload = json.loads(out)
    census = regions.region_layer(regions.find_region(HAIBEI), "counties")
    assert payload["region"] == {"code": HAIBEI, "name": "海北藏族自治州"}
    assert payload["demand_basis"] == "h3_grid"
    assert payload["population"] == int(census["population_2020"].sum())
    assert 0 < payload["population_covered"] < payload["population"]
    assert {row["county_code"] for row in payload["by_county"]} == set(census["county_code"])
    code, out, _ = cli(capsys, "gaps", "--json", "--store", haibei_store)
    gaps = json.loads(out)
    assert gaps["region"]["code"] == HAIBEI and gaps["uncovered"]
    assert all(row["county_code"].startswith("6322") for row in gaps["uncovered"])
    proposal = tmp_path / "sites.geojson"
    code, out, _ = cli(capsys, "site", "--add", "3", "--out", str(proposal), "--store",
                       haibei_store)  # fmt: skip
    assert code == 0
    sites = gpd.read_file(proposal)
    assert len(sites) == 3 and all(c.startswith("6322") for c in sites["county_code"])


def test_a_point_outside_names_the_active_region(
    haibei_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_gbk(tmp_path / "a.csv", [REGISTER[0], "黄南某站,县级群团服务中心,102.0,35.5,,,"])
    code, out, _ = cli(capsys, "import", str(csv), "--store", haibei_store)
    assert code == 1
    assert re.search(r"坐标位于海北藏族自治州 632200以外 \d+\.\d 公里", out)
    assert "outside 海北藏族自治州 prefecture (632200)" in out
    assert "Huangnan" not in out


def test_township_names_without_a_list_warn_and_codes_of_the_region_are_kept(
    haibei_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [REGISTER[0], "甲站,乡镇群团服务中心,101.615,37.38,,浩门镇,",
             "乙站,乡镇群团服务中心,101.6,37.37,,632221101,"]  # fmt: skip
    code, out, _ = cli(capsys, "import", str(write_gbk(tmp_path / "t.csv", lines)),
                       "--store", haibei_store, "--json")  # fmt: skip
    report = json.loads(out)
    assert code == 0 and report["accepted"] == 2
    assert any("no township list" in w["message"] for w in report["warnings"])


def test_villages_layer_accepts_new_codes_of_the_region_only(
    haibei_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["代码,名称,经度,纬度,人口", "632221100201,甲村,101.6,37.37,800",
             "632223100202,乙村,100.95,36.93,400"]  # fmt: skip
    path = write_gbk(tmp_path / "villages.csv", lines)
    code, out, _ = cli(capsys, "import", str(path), "--layer", "villages", "--store", haibei_store)
    assert code == 0, out
    code, out, _ = cli(capsys, "coverage", "--json", "--radius-km", "5", "--store", haibei_store,
                       "--venues", str(_one_venue(tmp_path)))  # fmt: skip
    payload = json.loads(out)
    assert payload["demand_basis"] == "villages"
    assert (payload["demand"], payload["population"]) == (2, 1200)
    assert payload["population_covered"] == 800  # the venue is ~1 km from 甲村 only
    other = write_gbk(tmp_path / "other.csv", [lines[0], "632301100201,丙村,101.6,37.37,5"])
    code, out, _ = cli(capsys, "import", str(other), "--layer", "villages", "--store",
                       haibei_store)  # fmt: skip
    assert code == 1 and "unknown village/community '632301100201' in 海北藏族自治州" in out


def _one_venue(tmp_path: Path) -> Path:
    path = tmp_path / "venue.geojson"
    venue = gpd.GeoDataFrame(
        {"id": ["v1"], "name": ["站"], "kind": ["village_station"], "level": [4]},
        geometry=gpd.points_from_xy([101.61], [37.375]),
        crs="EPSG:4326",
    )
    venue.to_file(path, driver="GeoJSON")
    return path


def test_nothing_left_to_site_is_one_line_exit_0(
    haibei_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demand = tmp_path / "demand.geojson"
    gpd.GeoDataFrame(
        {"village_code": ["632221100201"], "name": ["甲村"], "population": [10],
         "county_code": ["632221"], "township_code": ["632221100"]},
        geometry=gpd.points_from_xy([101.6], [37.37]), crs="EPSG:4326",
    ).to_file(demand, driver="GeoJSON")  # fmt: skip
    venues = tmp_path / "venues.geojson"
    gpd.GeoDataFrame(
        {"id": ["v1"], "name": ["站"], "kind": ["village_station"], "level": [4],
         "village_code": ["632221100201"], "status": ["in_service"]},
        geometry=gpd.points_from_xy([101.6], [37.37]), crs="EPSG:4326",
    ).to_file(venues, driver="GeoJSON")  # fmt: skip
    code, out, err = cli(capsys, "site", "--demand", str(demand), "--venues", str(venues),
                         "--store", haibei_store)  # fmt: skip
    assert code == 0 and err == ""
    assert len(out.strip().splitlines()) == 1 and "nothing to site" in out


def test_a_store_with_venues_elsewhere_refuses_another_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "s.gpkg")
    cli(capsys, "region", "use", HAIBEI, "--store", store)
    cli(capsys, "import", str(write_gbk(tmp_path / "r.csv", REGISTER)), "--store", store)
    code, _, err = cli(capsys, "region", "use", "632300", "--store", store)
    assert code == 2 and "none inside Huangnan prefecture (632300)" in err
    assert regions.active_region(store).code == HAIBEI


@pytest.mark.parametrize(
    ("text", "township", "expected"),
    [
        ("和日村村民委员会", "632323102", "632323102200"),  # full names tell them apart
        ("和日社区居民委员会", "632323102", "632323102001"),
        ("和日", "632323102", None),  # both shorten to 和日: ambiguous, rejected
        ("和日村委会", None, "632301202202"),  # a full name unique in the prefecture
        ("和日村", "632301202", "632301202202"),  # a short form unique in its township
        ("632323102200", None, "632323102200"),  # the code first
    ],
)
def test_village_names_match_code_then_full_name_then_unambiguous_short_form(
    text: str, township: str | None, expected: str | None
) -> None:
    index = ReferenceIndex.build({"villages": regions.region_layer(regions.default_region(),
                                                                   "villages")})  # fmt: skip
    assert index.village_code(text, township) == expected


#: Facts about one region that must live in data/, never in code.
REGION_SPECIFIC = re.compile(
    r"EPSG:4543|632321|DEFAULT_CENTER|100\.7|102\.5 ?E|outside Huangnan|黄南州以外|"
    r"\"黄南州|Huangnan service venue"
)
#: Build scripts whose job is to turn one region's sources into data/ files.
BUILD_SCRIPTS = {"geo/reference_build.py", "geo/demo_register.py"}


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Return (number, line) of ``path`` without docstrings and comments (examples in prose)."""
    text = path.read_text("utf-8")
    prose: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                prose.update(range(value.lineno, value.end_lineno + 1))
    lines = enumerate(text.splitlines(), 1)
    return [(n, line.split("  # ")[0]) for n, line in lines if n not in prose]


def test_nothing_region_specific_remains_in_code_outside_data() -> None:
    found = []
    paths = [ROOT / "app.py"]
    for folder in ("analysis", "geo", "ui", "pages", "venuemap"):
        paths += sorted((ROOT / folder).rglob("*.py"))
    for path in paths:
        relative = path.relative_to(ROOT).as_posix()
        if relative in BUILD_SCRIPTS:
            continue
        for number, line in _code_lines(path):
            if REGION_SPECIFIC.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


def test_the_guard_sees_a_region_constant_in_code(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""Doc naming EPSG:4543."""\nMETRIC = "EPSG:4543"  # CM 102E\n', "utf-8")
    lines = [line for _, line in _code_lines(sample) if REGION_SPECIFIC.search(line)]
    assert lines == ['METRIC = "EPSG:4543"']


def test_townships_layer_adds_the_region_s_own_townships(
    haibei_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shapely

    path = tmp_path / "townships.geojson"
    gpd.GeoDataFrame(
        {"code": ["632221100", "632301100"], "name": ["浩门镇", "隆务镇"]},
        geometry=[shapely.box(101.58, 37.34, 101.66, 37.42), shapely.box(102.0, 35.5, 102.1, 35.6)],
        crs="EPSG:4326",
    ).to_file(path, driver="GeoJSON")
    code, out, _ = cli(capsys, "import", str(path), "--layer", "townships", "--store",
                       haibei_store, "--json")  # fmt: skip
    report = json.loads(out)
    assert code == 1 and report["accepted"] == 1
    assert "unknown township '632301100' in 海北藏族自治州" in report["errors"][0]["message"]
    path.write_text(path.read_text("utf-8").replace("632301100", "632221101"), "utf-8")
    code, out, _ = cli(capsys, "import", str(path), "--layer", "townships", "--store",
                       haibei_store)  # fmt: skip
    assert code == 1  # the second polygon lies in Huangnan, not in 门源 632221
    from geo.register import load_reference

    assert load_reference("townships", haibei_store).empty  # nothing written on rejection
    one = tmp_path / "one.geojson"
    gpd.read_file(path).iloc[:1].to_file(one, driver="GeoJSON")
    code, out, _ = cli(capsys, "import", str(one), "--layer", "townships", "--store", haibei_store)
    assert code == 0, out
    stored = load_reference("townships", haibei_store)
    assert stored[["township_code", "name", "county_code"]].values.tolist() == [
        ["632221100", "浩门镇", "632221"]
    ]
    assert not stored["approximate"].iloc[0]
