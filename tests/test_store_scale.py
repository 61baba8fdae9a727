"""The store's large-register paths (issue 9): long id lists, column-wise reads, shared texts.

They must give exactly what the row-wise paths give; the sizes that need them (500,000 venues)
are too slow for a test, so the thresholds are lowered here and the answers compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.boundaries import as_objects, load_layer
from geo.store import gpkgsql, open_store
from geo.store.history import rows_to_frame


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VENUEMAP_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.delenv("VENUEMAP_DATABASE_URL", raising=False)
    store = open_store(tmp_path / "store.gpkg")
    store.add_venues(load_layer("venues_demo"))
    return store


def test_a_long_id_list_goes_through_a_temp_table_and_selects_the_same(store, monkeypatch):
    ids = list(store.venues()["id"])[:7] + ["no-such-id"]
    with store._reading() as conn:
        inline = gpkgsql.select_venues(conn, ids, True)
        monkeypatch.setattr(gpkgsql, "_MAX_INLINE_IDS", 3)
        via_table = gpkgsql.select_venues(conn, ids, True)
        again = gpkgsql.select_venues(conn, ids[:5], True)  # the temp table is emptied first
    assert [r["id"] for r in via_table] == [r["id"] for r in inline] == ids[:7]
    assert [r["id"] for r in again] == ids[:5]


def test_writes_above_the_inline_limit_work(store, monkeypatch):
    monkeypatch.setattr(gpkgsql, "_MAX_INLINE_IDS", 3)
    venues = store.venues()
    edited = venues.assign(name=venues["name"] + "（改）").drop(columns="version")
    store.replace_venues(edited)
    assert list(store.venues()["name"]) == list(edited["name"])


@pytest.mark.parametrize("retired", [False, True])
def test_the_column_wise_read_equals_the_row_wise_one(store, monkeypatch, retired):
    venues = store.venues()
    store.replace_venues(venues.iloc[3:].drop(columns="version"))  # three retired
    monkeypatch.setattr(gpkgsql, "_CHUNK_ROWS", 7)  # several chunks
    columns = store.venues(include_retired=retired)
    rows = rows_to_frame(store._read_rows(retired))
    assert len(columns) == len(venues) - (0 if retired else 3)
    pd.testing.assert_frame_equal(pd.DataFrame(columns), pd.DataFrame(rows), check_exact=True)
    for column in columns.columns.drop("geometry"):
        assert list(map(type, columns[column])) == list(map(type, rows[column])), column


@pytest.mark.parametrize("values", [
    ["a", "b", "a", None], [None, None], [], ["632301", "632301"], [1, None, 2],
    ["a", 1, None], [1.5, 2.0], [True, None],
])  # fmt: skip
def test_as_objects_is_what_pandas_makes_of_the_list(values):
    expected = pd.Series(values).astype(object).to_numpy()
    got = as_objects(values)
    assert got.dtype == object and len(got) == len(expected)
    assert [type(v) for v in got] == [type(v) for v in expected]
    assert pd.isna(got).tolist() == pd.isna(expected).tolist()
    assert [v for v in got if not pd.isna(v)] == [v for v in expected if not pd.isna(v)]


def test_as_objects_shares_one_object_per_distinct_text():
    words = ["".join(["乡", "镇"]) for _ in range(1000)]  # 1000 distinct objects, one text
    got = as_objects(words)
    assert len({id(v) for v in got}) == 1 and np.all(got == "乡镇")
