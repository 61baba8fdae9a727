"""``venuemap user …`` and the role checks of the CLI's write commands (exit 4, nothing written)."""

from __future__ import annotations

import io
import json

import pyogrio
import pytest

from geo.users import open_users
from tests.fixtures_import import LONGWU, point_in_township, write_csv
from venuemap.cli import main
from venuemap.cli_users import os_account

PASSWORDS = {"boss": "admin-pass-1", "ann": "planner-pass", "vic": "viewer-pass"}


def run(args: list[str], monkeypatch, *, stdin: str = "", user: str | None = None) -> int:
    """Run the CLI as ``user`` (with its password in the environment), ``stdin`` piped in."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    if user is None:
        monkeypatch.delenv("VENUEMAP_USER", raising=False)
        monkeypatch.delenv("VENUEMAP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("VENUEMAP_USER", user)
        monkeypatch.setenv("VENUEMAP_PASSWORD", PASSWORDS.get(user, "not-the-password"))
    return main(args)


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A store with an admin (boss), a planner (ann) and a viewer (vic)."""
    path = tmp_path / "store.gpkg"
    assert run(["user", "add", "boss", "--role", "admin", "--store", str(path)], monkeypatch,
               stdin="admin-pass-1\n") == 0  # fmt: skip
    for name, role in (("ann", "planner"), ("vic", "viewer")):
        args = ["user", "add", name, "--role", role, "--store", str(path)]
        assert run(args, monkeypatch, stdin=PASSWORDS[name] + "\n", user="boss") == 0
    return path


def one_venue_csv(folder) -> str:
    lon, lat = point_in_township(LONGWU)
    return str(write_csv(folder / "one.csv", ["名称", "类型", "经度", "纬度"],
                         [["甲站", "村群团服务站", lon, lat]]))  # fmt: skip


def test_first_user_must_be_an_admin(tmp_path, monkeypatch, capsys):
    path = tmp_path / "store.gpkg"
    code = run(["user", "add", "ann", "--role", "planner", "--store", str(path)], monkeypatch,
               stdin="planner-pass\n")  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "the first user must be an admin" in err and len(err.splitlines()) == 1
    assert open_users(path).users() == []


def test_list_shows_roles_never_hashes(store, monkeypatch, capsys):
    capsys.readouterr()
    assert run(["user", "list", "--json", "--store", str(store)], monkeypatch, user="boss") == 0
    out = capsys.readouterr().out
    rows = json.loads(out)
    assert [(r["name"], r["role"]) for r in rows] == [
        ("ann", "planner"), ("boss", "admin"), ("vic", "viewer"),
    ]  # fmt: skip
    assert "argon2" not in out and all(set(r) == {"name", "role", "created_at"} for r in rows)


@pytest.mark.parametrize(
    ("user", "phrase"),
    [("vic", "vic is a viewer; 'users' needs the role admin"),
     ("intruder", "'intruder' is not registered"),
     (None, "is not registered")],
)  # fmt: skip
def test_only_admins_manage_users(store, monkeypatch, capsys, user, phrase):
    capsys.readouterr()
    code = run(["user", "add", "eve", "--role", "admin", "--store", str(store)], monkeypatch,
               stdin="eve-password\n", user=user)  # fmt: skip
    err = capsys.readouterr().err
    assert code == 4 and phrase in err and len(err.strip().splitlines()) == 1
    assert open_users(store).get_user("eve") is None


def test_wrong_password_is_refused(store, monkeypatch, capsys):
    capsys.readouterr()
    monkeypatch.setenv("VENUEMAP_USER", "boss")
    monkeypatch.setenv("VENUEMAP_PASSWORD", "admin-pass-2")
    monkeypatch.setattr("sys.stdin", io.StringIO("x" * 10 + "\n"))
    assert main(["user", "remove", "vic", "--store", str(store)]) == 4
    assert "wrong or missing password for 'boss'" in capsys.readouterr().err
    assert open_users(store).get_user("vic") is not None


def test_os_account_is_trusted_without_password(store, monkeypatch):
    account = os_account()
    args = ["user", "add", account, "--role", "admin", "--store", str(store)]
    assert run(args, monkeypatch, stdin="os-account-pw\n", user="boss") == 0
    assert run(["user", "remove", "vic", "--store", str(store)], monkeypatch) == 0
    assert open_users(store).get_user("vic") is None


def test_last_admin_cannot_be_removed_or_demoted(store, monkeypatch, capsys):
    assert run(["user", "remove", "boss", "--store", str(store)], monkeypatch, user="boss") == 2
    assert run(["user", "role", "boss", "viewer", "--store", str(store)], monkeypatch,
               user="boss") == 2  # fmt: skip
    assert "boss is the last admin" in capsys.readouterr().err
    assert open_users(store).get_user("boss").role == "admin"


def test_passwd_own_and_role_change(store, monkeypatch):
    users = open_users(store)
    before = users.get_user("vic").password_hash
    assert run(["user", "passwd", "vic", "--store", str(store)], monkeypatch,
               stdin="new-viewer-pw\n", user="vic") == 0  # fmt: skip
    assert users.get_user("vic").password_hash != before
    assert run(["user", "passwd", "ann", "--store", str(store)], monkeypatch,
               stdin="stolen-pass-1\n", user="vic") == 4  # fmt: skip
    PASSWORDS["vic"] = "new-viewer-pw"
    try:
        assert run(["user", "role", "vic", "analyst", "--store", str(store)], monkeypatch,
                   user="boss") == 0  # fmt: skip
        assert users.get_user("vic").role == "analyst"
    finally:
        PASSWORDS["vic"] = "viewer-pass"


def test_viewer_import_is_refused_and_writes_nothing(store, tmp_path, monkeypatch, capsys):
    before = store.read_bytes()
    path = one_venue_csv(tmp_path)
    capsys.readouterr()
    assert run(["import", path, "--store", str(store)], monkeypatch, user="vic") == 4
    err = capsys.readouterr().err
    assert "vic is a viewer; 'import' needs the role planner" in err
    assert store.read_bytes() == before
    assert run(["import", path, "--store", str(store), "--dry-run"], monkeypatch, user="vic") == 0


def test_planner_import_is_allowed(store, tmp_path, monkeypatch):
    path = one_venue_csv(tmp_path)
    assert run(["import", path, "--store", str(store), "--json"], monkeypatch, user="ann") == 0
    assert list(pyogrio.read_dataframe(store, layer="venues")["name"]) == ["甲站"]
    assert open_users(store).get_user("boss") is not None  # the write kept the users


def test_export_needs_the_analyst_role(store, tmp_path, monkeypatch, capsys):
    out = tmp_path / "v.geojson"
    args = ["export", "--layer", "venues", "--out", str(out), "--store", str(store)]
    assert run(args, monkeypatch, user="vic") == 4 and not out.exists()
    assert "'export' needs the role analyst" in capsys.readouterr().err
    assert run(args, monkeypatch, user="ann") == 0 and out.exists()


def test_no_users_means_single_user(tmp_path, monkeypatch):
    store = tmp_path / "store.gpkg"
    assert run(["import", one_venue_csv(tmp_path), "--store", str(store)], monkeypatch,
               user="whoever") == 0  # fmt: skip
    assert open_users(store).users() == []
