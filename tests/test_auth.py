"""Roles, passwords, the users table and the guarded store (venuemap.auth, geo.users)."""

from __future__ import annotations

import sqlite3
import threading

import pyogrio
import pytest

from geo.errors import InputError, PermissionDenied
from geo.store import empty_register, open_store
from geo.users import open_users
from venuemap.auth import (
    ACTIONS,
    ROLES,
    GuardedStore,
    Identity,
    authenticate,
    authorize,
    can,
    hash_password,
    minimum_role,
    require,
    verify_password,
)

#: The issue's matrix, written out by hand: role -> what it may do.
EXPECTED = {
    "viewer": {"view"},
    "analyst": {"view", "export"},
    "planner": {"view", "export", "edit", "import", "undo", "save", "backup"},
    "admin": set(ACTIONS),
}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role):
    assert {action for action in ACTIONS if can(role, action)} == EXPECTED[role]


def test_unknown_role_may_do_nothing_and_minimum_roles():
    assert not any(can("superuser", action) for action in ACTIONS)
    assert [minimum_role(a) for a in ("view", "export", "edit", "users")] == [
        "viewer", "analyst", "planner", "admin",
    ]  # fmt: skip


def test_require_names_user_role_and_fix(tmp_path):
    users = open_users(tmp_path / "s.gpkg")
    users.put_user("vic", "viewer", "x")
    with pytest.raises(PermissionDenied, match=r"vic is a viewer; 'import' needs the role planner"):
        require(users.get_user("vic"), "import")
    require(users.get_user("vic"), "view")
    require(None, "users")  # single-user mode: everything allowed


def test_password_hash_is_salted_argon2_and_verifies():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "correct horse") and not verify_password(first, "wrong horse")
    assert not verify_password("not a hash", "correct horse")
    with pytest.raises(InputError, match="at least 8 characters"):
        hash_password("short")


def test_users_table_schema_and_round_trip(tmp_path):
    path = tmp_path / "s.gpkg"
    users = open_users(path)
    assert users.users() == [] and users.get_user("ann") is None
    users.put_user("ann", "planner", "h1")
    created = users.get_user("ann").created_at
    users.put_user("ann", "admin", "h2")
    ann = users.get_user("ann")
    assert (ann.role, ann.password_hash, ann.created_at) == ("admin", "h2", created)
    with sqlite3.connect(path) as db:
        columns = [
            (row[1], row[2], row[3], row[5]) for row in db.execute("PRAGMA table_info(users)")
        ]
    assert columns[:4] == [("name", "TEXT", 0, 1), ("role", "TEXT", 1, 0),
                           ("password_hash", "TEXT", 1, 0), ("created_at", "TEXT", 1, 0)]
    assert users.remove_user("ann") and not users.remove_user("ann")


def test_first_user_creates_a_geopackage_and_keeps_other_layers(tmp_path):
    path = tmp_path / "s.gpkg"
    open_users(path).put_user("boss", "admin", "h")
    assert "venues" in [name for name, _ in pyogrio.list_layers(path)]
    open_store(path).replace_venues(empty_register())
    assert open_users(path).get_user("boss") is not None


def test_concurrent_user_writes_are_all_kept(tmp_path):
    path = tmp_path / "s.gpkg"
    open_users(path).put_user("boss", "admin", "h")

    def add(i: int) -> None:
        open_users(path).put_user(f"u{i}", "viewer", "h")

    threads = [threading.Thread(target=add, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {u.name for u in open_users(path).users()} == {"boss"} | {
        f"u{i}" for i in range(12)
    }


def test_authenticate_and_authorize(tmp_path):
    users = open_users(tmp_path / "s.gpkg")
    assert authorize(users, None, "users") is None  # no users: single-user mode
    users.put_user("ann", "planner", hash_password("plannerpw"))
    assert authenticate(users, "ann", "plannerpw").name == "ann"
    assert authenticate(users, "ann", "nope") is None
    assert authenticate(users, "nobody", "plannerpw") is None
    claimed = Identity("ann", trusted=False, password=lambda: "plannerpw")
    assert authorize(users, claimed, "import").role == "planner"
    with pytest.raises(PermissionDenied, match="wrong or missing password for 'ann'"):
        authorize(users, Identity("ann", trusted=False, password=lambda: "guess"), "import")
    with pytest.raises(PermissionDenied, match="'nobody' is not registered"):
        authorize(users, Identity("nobody", trusted=True), "view")
    with pytest.raises(PermissionDenied, match="sign in"):
        authorize(users, None, "view")
    with pytest.raises(PermissionDenied, match="'users' needs the role admin"):
        authorize(users, Identity("ann", trusted=True), "users")


class FakeStore:
    """Records writes; ``mystery`` stands for a write method no rule covers."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def venues(self) -> str:
        return "register"

    def add_venues(self, gdf: object) -> None:
        self.calls.append("add_venues")

    def mystery(self) -> None:
        self.calls.append("mystery")


def test_guarded_store_checks_writes_at_call_time(tmp_path):
    users = open_users(tmp_path / "s.gpkg")
    store, who = FakeStore(), {"id": Identity("vic", trusted=True)}
    guarded = GuardedStore(store, users, lambda: who["id"])
    guarded.add_venues(None)
    guarded.mystery()
    assert store.calls == ["add_venues", "mystery"]  # no users: single-user, all allowed
    users.put_user("vic", "viewer", "h")
    users.put_user("ann", "planner", "h")
    assert guarded.venues() == "register"  # reads need nothing
    with pytest.raises(PermissionDenied, match="vic is a viewer"):
        guarded.add_venues(None)
    with pytest.raises(PermissionDenied, match="store.mystery has no permission rule"):
        guarded.mystery()
    who["id"] = Identity("ann", trusted=True)
    guarded.add_venues(None)
    users.put_user("ann", "viewer", "h")  # demoted: takes effect at the next write
    with pytest.raises(PermissionDenied, match="ann is a viewer"):
        guarded.add_venues(None)
    assert store.calls == ["add_venues", "mystery", "add_venues"]
