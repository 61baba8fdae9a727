"""The user's store: where imports, edits and saved proposals go, never the repository's files.

The embedded default is one GeoPackage file (QGIS opens it as it is). Analysis and pages talk to
the small :class:`VenueStore` interface only, so a server database can be added later as another
implementation without touching them.

Every write is atomic: the new content is written to a temporary copy beside the store and
moved over it with :func:`os.replace`, so a failed or killed write leaves the store as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.boundaries import normalise_codes
from geo.errors import StoreError
from geo.export import GPKG_DATASET_OPTIONS
from geo.schema import STORAGE_CRS, VENUE_COLUMNS

VENUES_LAYER = "venues"
#: Layers a user may replace ours with (their official township polygons, surveyed villages).
USER_REFERENCE_LAYERS = ("townships", "villages")
STORE_ENV = "VENUEMAP_STORE"


def default_store_path() -> Path:
    """Return the store used when neither ``--store`` nor ``VENUEMAP_STORE`` names one.

    ``$XDG_DATA_HOME/venuemap/store.gpkg``, i.e. ``~/.local/share/venuemap/store.gpkg``.
    """
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "venuemap" / "store.gpkg"


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the store path: the argument, else ``$VENUEMAP_STORE``, else the default."""
    if path:
        return Path(path).expanduser()
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    return default_store_path()


def empty_register() -> gpd.GeoDataFrame:
    """Return a register with the venue columns and no rows."""
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in VENUE_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)


def conform_register(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` with exactly the register's columns, types and CRS."""
    out = gdf.to_crs(STORAGE_CRS) if gdf.crs is not None else gdf.set_crs(STORAGE_CRS)
    for column in VENUE_COLUMNS:
        if column not in out.columns:
            out[column] = None
    out = gpd.GeoDataFrame(out[list(VENUE_COLUMNS) + [out.geometry.name]], crs=STORAGE_CRS)
    out = out.rename_geometry("geometry") if out.geometry.name != "geometry" else out
    out["level"] = pd.to_numeric(out["level"], errors="coerce").astype("Int64")
    out["year_opened"] = pd.to_numeric(out["year_opened"], errors="coerce").astype("Int64")
    out["accuracy_m"] = pd.to_numeric(out["accuracy_m"], errors="coerce").astype(float)
    return normalise_codes(out)


class VenueStore(Protocol):
    """What pages, the CLI and analysis adapters may ask of a store."""

    path: Path

    def venues(self) -> gpd.GeoDataFrame:
        """Return the user's venues (an empty register when there are none)."""

    def add_venues(self, gdf: gpd.GeoDataFrame) -> None:
        """Append venues atomically."""

    def replace_venues(self, gdf: gpd.GeoDataFrame) -> None:
        """Replace all venues atomically."""

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """Return a user layer, or None when the store has none of that name."""

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame) -> None:
        """Write (replace) one user layer atomically."""


class GeoPackageStore:
    """A :class:`VenueStore` in one GeoPackage file.

    Parameters
    ----------
    path
        The ``.gpkg`` file. It need not exist: it is created by the first write.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        """Return True when the store file exists."""
        return self.path.exists()

    def layer_names(self) -> list[str]:
        """Return the layers the store holds (none when the file does not exist)."""
        if not self.path.exists():
            return []
        try:
            return [str(name) for name, _ in pyogrio.list_layers(self.path)]
        except Exception as error:  # GDAL raises several classes for a damaged file
            raise StoreError(
                f"cannot open the store {self.path}: {error}. Is it a GeoPackage? "
                f"Choose another file with --store or {STORE_ENV}."
            ) from error

    def venues(self) -> gpd.GeoDataFrame:
        """Return the user's venues, or an empty register."""
        gdf = self.layer(VENUES_LAYER)
        return empty_register() if gdf is None else conform_register(gdf)

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """Return layer ``name`` in EPSG:4326, or None when the store has no such layer."""
        if name not in self.layer_names():
            return None
        gdf = gpd.read_file(self.path, layer=name)
        return normalise_codes(gdf.to_crs(STORAGE_CRS) if gdf.crs else gdf.set_crs(STORAGE_CRS))

    def add_venues(self, gdf: gpd.GeoDataFrame) -> None:
        """Append ``gdf`` to the venues, atomically."""
        if gdf.empty:
            return
        combined = pd.concat([self.venues(), conform_register(gdf)], ignore_index=True)
        self.replace_venues(gpd.GeoDataFrame(combined, crs=STORAGE_CRS))

    def replace_venues(self, gdf: gpd.GeoDataFrame) -> None:
        """Replace every venue with ``gdf``, atomically."""
        self.write_layer(VENUES_LAYER, conform_register(gdf))

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame) -> None:
        """Write layer ``name`` (replacing it) into a temporary copy, then swap it in."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp.gpkg", dir=self.path.parent
        )
        os.close(handle)
        temp = Path(temp_name)
        try:
            if self.path.exists():
                shutil.copy2(self.path, temp)
            else:
                temp.unlink()
            _write_gpkg_layer(gdf, temp, name)
            os.replace(temp, self.path)
        except Exception as error:
            temp.unlink(missing_ok=True)
            raise StoreError(f"could not write layer {name!r} to {self.path}: {error}") from error


def _write_gpkg_layer(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """Write one layer, replacing it if present; an empty register is written too."""
    mode = {"layer": layer, "driver": "GPKG"}
    if path.exists() and layer in [name for name, _ in pyogrio.list_layers(path)]:
        pyogrio.write_dataframe(
            gdf,
            path,
            **mode,
            promote_to_multi=False,
            append=False,
            layer_options={"OVERWRITE": "YES"},
        )
        return
    options = {} if path.exists() else {"dataset_options": GPKG_DATASET_OPTIONS}
    pyogrio.write_dataframe(
        gdf,
        path,
        **mode,
        promote_to_multi=False,
        **options,
        geometry_type="Point" if layer == VENUES_LAYER else None,
    )


def open_store(path: str | os.PathLike[str] | None = None) -> GeoPackageStore:
    """Open the user's store (see :func:`resolve_store_path` for which file)."""
    resolved = resolve_store_path(path)
    if resolved.exists() and resolved.is_dir():
        raise StoreError(f"the store path {resolved} is a folder; give a .gpkg file path")
    return GeoPackageStore(resolved)
