"""The store's version is read once per script run (loaders.begin_run), again after a write."""

from __future__ import annotations

import pytest

from ui import loaders


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch, tiny_world) -> list[int]:  # noqa: ANN001
    """Count the reads of the store's status; forget any run state of this thread after."""
    count: list[int] = []
    real = loaders._read_status
    monkeypatch.setattr(loaders, "_read_status", lambda: count.append(1) or real())
    yield count
    if hasattr(loaders._run, "status"):
        del loaders._run.status


def test_outside_a_run_every_call_reads(reads) -> None:  # noqa: ANN001
    if hasattr(loaders._run, "status"):
        del loaders._run.status
    loaders.store_status()
    loaders.store_status()
    assert len(reads) == 2


def test_a_run_reads_once_and_again_after_a_write_or_a_new_run(reads) -> None:  # noqa: ANN001
    loaders.begin_run()
    first = loaders.store_status()
    assert loaders.store_status() == first and len(reads) == 1
    loaders.open_user_store(first.path)  # a write path: the version may change
    loaders.store_status()
    assert len(reads) == 2
    loaders.begin_run()
    loaders.store_status()
    assert len(reads) == 3


def test_another_store_in_the_same_run_is_read(reads, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    loaders.begin_run()
    loaders.store_status()
    monkeypatch.setenv("VENUEMAP_STORE", str(tmp_path / "other.gpkg"))
    assert loaders.store_status().path == str(tmp_path / "other.gpkg")
    assert len(reads) == 2
