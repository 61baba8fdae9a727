"""Honest labels: what rests on illustrative data, and the date the data describe.

Both are properties of the data, never of the store file: a venue with ``position ==
"illustrative"`` or a village with ``population_source == "illustrative"`` keeps its label after
any save or import, and the as-of date is read from the venues' own ``as_of`` column (the demo
register's date, or the day the user imported a venue), never from a file's modification time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

#: Codes of what may be illustrative, in the order they are reported.
ILLUSTRATIVE_CODES = ("venue_positions", "village_positions", "village_population")


def illustrative(venues: pd.DataFrame, villages: pd.DataFrame | None) -> list[str]:
    """Return the codes (ILLUSTRATIVE_CODES) of the data that are illustrative; [] if none.

    ``venue_positions``: some venue has ``position == "illustrative"``; ``village_positions``:
    some village has ``position == "illustrative"``; ``village_population``: some village has
    ``population_source == "illustrative"``.
    """
    found = {
        "venue_positions": _any(venues, "position"),
        "village_positions": villages is not None and _any(villages, "position"),
        "village_population": villages is not None and _any(villages, "population_source"),
    }
    return [code for code in ILLUSTRATIVE_CODES if found[code]]


def _any(frame: pd.DataFrame, column: str) -> bool:
    if column not in frame.columns:
        return False
    return bool((frame[column].astype("string") == "illustrative").any())


@dataclass(frozen=True)
class AsOf:
    """The dates the venues describe.

    Attributes
    ----------
    first, last
        Earliest and latest ``as_of`` among the venues (ISO text: ``2022`` or ``2026-12-03``);
        None when no venue records one.
    undated
        Number of recorded venues (not planned) without a date.
    """

    first: str | None
    last: str | None
    undated: int = 0

    @property
    def text(self) -> str | None:
        """Return ``first`` or ``first – last``; None when nothing is dated."""
        if self.first is None:
            return None
        return self.first if self.first == self.last else f"{self.first} – {self.last}"

    def to_json(self) -> str | None:
        """Return the JSON form: the same text as on screen."""
        return self.text


def as_of(venues: pd.DataFrame) -> AsOf:
    """Return the as-of dates of ``venues``; planned venues are proposals, not records."""
    recorded = venues
    if "status" in venues.columns:
        recorded = venues.loc[venues["status"].astype("string") != "planned"]
    if "as_of" not in recorded.columns:
        return AsOf(None, None, len(recorded))
    dates = recorded["as_of"].astype("string").str.strip()
    dated = dates[dates.notna() & (dates != "")]
    if dated.empty:
        return AsOf(None, None, len(recorded))
    return AsOf(str(dated.min()), str(dated.max()), int(len(recorded) - len(dated)))


def stamp_as_of(venues: pd.DataFrame, day: dt.date | None = None) -> pd.DataFrame:
    """Return ``venues`` with blank ``as_of`` cells set to ``day`` (default today, UTC)."""
    text = (day or dt.datetime.now(tz=dt.UTC).date()).isoformat()
    out = venues.copy()
    current = out["as_of"] if "as_of" in out.columns else pd.Series(None, index=out.index)
    blank = current.isna() | (current.astype("string").str.strip() == "")
    out["as_of"] = current.astype(object).where(~blank, text)
    return out
