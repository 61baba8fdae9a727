"""The map's cached loaders: coverage of the shown venues, simplified boundaries, the worker."""

from __future__ import annotations

import threading

import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from analysis.areas import service_areas
from geo import boundaries
from geo.errors import AnalysisError
from geo.layers.boundaries import simplify_for_display
from geo.layers.coverage import merge_service_areas
from ui import loaders


def _raise(message: str) -> None:
    raise AnalysisError(message)


def test_worker_runs_elsewhere_and_returns_or_raises():
    caller = threading.get_ident()
    assert loaders.run_in_worker(threading.get_ident) != caller
    assert loaders.run_in_worker(sum, [1, 2], start=3) == 6
    with pytest.raises(AnalysisError, match="bad radius"):
        loaders.run_in_worker(_raise, "bad radius")


def test_coverage_areas_are_those_of_the_rows_shown(tmp_path):
    path, radii, detour = str(tmp_path / "none.gpkg"), (40.0, 15.0, 2.0), 1.4
    register = loaders.venues(path, "none")
    rows = tuple(int(i) for i in register.index[register["county_code"] == "632301"])
    got = loaders.coverage_areas(path, "none", radii, detour, rows)
    shown = register.loc[list(rows)]
    expected = merge_service_areas(
        service_areas(shown, loaders.standards_for(radii, detour), detour=detour)
    )
    assert_geodataframe_equal(got, expected)
    everything = loaders.coverage_areas(path, "none", radii, detour, tuple(register.index))
    assert everything.union_all().area > got.union_all().area


def test_display_boundaries_are_simplified_once_per_version(tmp_path):
    path = str(tmp_path / "none.gpkg")
    got = loaders.display_boundaries(path, "none", "counties", 0.0005)
    expected = simplify_for_display(boundaries.load_layer("counties"), 0.0005)
    assert_geodataframe_equal(got, expected)
    raw = boundaries.load_layer("counties").geometry
    assert (
        shapely.get_num_coordinates(got.geometry.values).sum()
        < shapely.get_num_coordinates(raw.values).sum()
    )


def test_coverage_areas_above_the_marker_limit_are_a_cell_cover(tmp_path, monkeypatch):
    from analysis.areas import service_area_cells

    monkeypatch.setattr(loaders.usecases, "use_cells", lambda n: n >= 2)  # as if > 3,000
    path, radii, detour = str(tmp_path / "none.gpkg"), (30.0, 12.0, 2.5), 1.3
    register = loaders.venues(path, "none")
    rows = tuple(int(i) for i in register.index[register["county_code"] == "632322"])
    got = loaders.coverage_areas(path, "none", radii, detour, rows)
    standard = loaders.standards_for(radii, detour)
    expected = service_area_cells(register.loc[list(rows)], standard, detour=detour)
    assert_geodataframe_equal(got, expected.to_crs(got.crs))
    assert (got["cell_edge_m"] > 0).all() and len(got) > 0
