"""`venuemap export` and the CLI's error handling, run as a user runs them."""

import json
import subprocess
import sys

import pytest

from venuemap.cli import main


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "venuemap", *args], capture_output=True, text=True, env=env
    )


def test_export_venues_from_the_demo_register(tmp_path):
    out = tmp_path / "venues.geojson"
    result = run_cli(
        "export", "--layer", "venues", "--out", str(out), "--store", str(tmp_path / "s.gpkg")
    )
    assert result.returncode == 0, result.stderr
    assert "wrote 229 venues features" in result.stdout
    kinds = [f["properties"]["kind"] for f in json.loads(out.read_text("utf-8"))["features"]]
    assert kinds.count("township_centre") == 26
    assert kinds.count("village_station") + kinds.count("community_station") == 178
    assert kinds.count("enterprise_home") == 20


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
def test_export_filtered_in_each_format(tmp_path, fmt, capsys):
    out = tmp_path / f"x.{fmt}"
    code = main(
        [
            "export",
            "--layer",
            "venues",
            "--county",
            "632322",
            "--kind",
            "township_centre",
            "--format",
            fmt,
            "--out",
            str(out),
            "--store",
            str(tmp_path / "s.gpkg"),
        ]
    )
    assert code == 0 and out.exists()
    assert "wrote 7 venues features" in capsys.readouterr().out


def test_bad_filter_is_one_line_on_stderr_exit_2(tmp_path):
    result = run_cli(
        "export",
        "--layer",
        "venues",
        "--kind",
        "school",
        "--out",
        str(tmp_path / "x.geojson"),
        "--store",
        str(tmp_path / "s.gpkg"),
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--kind 'school' is not known" in result.stderr


def test_help_lists_every_subcommand():
    result = run_cli("--help")
    for command in ("import", "validate", "export", "coverage", "gaps", "site"):
        assert command in result.stdout


@pytest.mark.parametrize(("layer", "column"), [("coverage", "level3_distance_m"), ("gaps", "rank")])
def test_export_analysis_results_filtered_by_county(tmp_path, layer, column):
    out = tmp_path / f"{layer}.geojson"
    code = main(["export", "--layer", layer, "--county", "632323", "--out", str(out),
                 "--store", str(tmp_path / "s.gpkg")])  # fmt: skip
    features = json.loads(out.read_text("utf-8"))["features"]
    assert code == 0 and features
    assert all(f["properties"]["county_code"] == "632323" for f in features)
    assert column in features[0]["properties"]


def test_an_unexpected_error_is_one_line_without_traceback(tmp_path, monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("venuemap.cli_export.export_layer", explode)
    code = main(["export", "--layer", "venues", "--out", str(tmp_path / "x.geojson"),
                 "--store", str(tmp_path / "s.gpkg")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "unexpected error (RuntimeError: boom); nothing was written" in err
    assert not (tmp_path / "x.geojson").exists()
