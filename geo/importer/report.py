"""What an import reports: :class:`Issue` (one problem with one cell) and :class:`ImportReport`.

Every import module speaks these two types and builds its texts with :func:`msg`, so that a
planner reads every error in the same bilingual form and the CLI and the data page print them
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd


@dataclass(frozen=True)
class Issue:
    """One problem with one cell: spreadsheet row (0 = whole file), column header, value, text."""

    row: int
    column: str
    value: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form ``{"row", "column", "value", "message"}``."""
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """What an import found: rows read, venues accepted, and every error and warning.

    Attributes
    ----------
    rows
        Data rows read (blank lines are not rows).
    accepted
        Accepted venues in the register schema (EPSG:4326), ready for ``store.add_venues``.
    errors, warnings
        Issues; each rejected row has at least one error.
    notes
        What the reader and the CRS rule decided (encoding, sheet, CRS used).
    layer
        ``"venues"``, ``"townships"`` or ``"villages"`` (see :func:`import_layer`).
    merged
        For reference layers: the complete layer to store (the file's rows plus the bundled
        rows it does not cover); None for venues.
    """

    rows: int
    accepted: gpd.GeoDataFrame
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    path: str = ""
    layer: str = "venues"
    merged: gpd.GeoDataFrame | None = None

    @property
    def rejected(self) -> int:
        """Number of rows with at least one error."""
        return len({issue.row for issue in self.errors if issue.row > 0})

    def to_json_dict(self) -> dict[str, Any]:
        """Return ``{"rows", "accepted", "rejected", "errors", "warnings"}`` for ``--json``."""
        return {
            "rows": self.rows,
            "accepted": len(self.accepted),
            "rejected": self.rejected,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
        }


def msg(zh: str, en: str) -> str:
    """Return a bilingual message: Chinese first, then English."""
    return f"{zh} / {en}"
