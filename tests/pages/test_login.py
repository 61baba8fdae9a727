"""Sign-in: a store with users shows only the login form until someone signs in; roles hold."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from streamlit.testing.v1 import AppTest

from geo.errors import PermissionDenied
from geo.users import open_users
from venuemap.auth import Identity, hash_password

from .helpers import ROOT
from .test_data import upload_csv

USERS = {"ann": ("planner", "planner-pass"), "vic": ("viewer", "viewer-pass")}


@pytest.fixture
def with_users(tiny_world):
    users = open_users(tiny_world)
    for name, (role, password) in USERS.items():
        users.put_user(name, role, hash_password(password))
    return tiny_world


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").set_value(name)
    at.text_input(key="login_password").set_value(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def shows_login_only(at: AppTest) -> bool:
    labels = [w.label for w in at.text_input]
    return labels == ["用户名", "密码"] and len(at.metric) == 0 and len(at.data_editor) == 0


def test_no_users_means_no_login(open_page):
    at = open_page()
    assert not at.exception
    assert len(at.metric) > 0 and not any(w.label == "密码" for w in at.text_input)
    assert not any(b.label == "退出登录" for b in at.button)


def test_login_required_before_any_data(with_users, open_page):
    at = open_page()
    assert not at.exception and shows_login_only(at)
    with pytest.raises(ValueError, match=r"Known pages: \['登录'\]"):  # the only page
        at.switch_page(str(ROOT / "pages" / "data.py"))


def test_wrong_password_refused_right_one_admits(with_users, open_page):
    at = sign_in(open_page(), "ann", "viewer-pass")
    assert any("用户名或密码错误" in e.value for e in at.error)
    assert shows_login_only(at)
    at = sign_in(at, "nobody", "planner-pass")
    assert shows_login_only(at)
    at = sign_in(at, "ann", "planner-pass")
    assert not at.exception and len(at.metric) > 0
    assert any("已登录：ann（规划员）" in c.value for c in at.sidebar.caption)
    next(b for b in at.button if b.label == "退出登录").click()
    assert shows_login_only(at.run())


def test_viewer_cannot_import_edit_or_export(with_users, open_page):
    at = sign_in(open_page(), "vic", "viewer-pass")
    at.switch_page(str(ROOT / "pages" / "data.py")).run()
    assert not at.exception and len(at.data_editor) == 1
    assert any("不能导出数据" in i.value for i in at.info)
    assert not at.get("download_button")
    at.file_uploader(key="upload").set_value(("s.csv", upload_csv(), "text/csv")).run()
    at.selectbox(key="import_policy__zh").set_value("skip_invalid").run()
    at.button(key="import_write").click().run()  # the buttons are there; the write refuses
    at.button(key="import_confirm_write").click().run()
    assert any("vic is a viewer" in e.value for e in at.error)
    edits = {"edited_rows": {0: {"name": "改名站"}}, "added_rows": [], "deleted_rows": []}
    key = at.data_editor[0].key
    at.session_state[key] = edits
    at.run()
    at.button(key="save_edits").click().run()
    assert any("vic is a viewer" in e.value for e in at.error)
    assert len(pyogrio.read_dataframe(with_users, layer="venues")) == 0


def test_write_paths_refuse_a_viewer_when_called_directly(with_users, monkeypatch):
    from ui import data_ops, loaders

    monkeypatch.setattr(loaders, "session_identity", lambda: Identity("vic", trusted=True))
    status = loaders.store_status()
    register = loaders.venues(status.path, status.version)
    before = with_users.read_bytes()
    with pytest.raises(PermissionDenied, match="needs the role planner"):
        loaders.save_planned(status, register.head(1))
    from geo.importer import ImportReport

    checked = ImportReport(rows=1, accepted=register.head(1))
    report = data_ops.CheckedImport(1, register.head(1), None, None, 0, checked)
    with pytest.raises(PermissionDenied, match="'import' needs the role planner"):
        data_ops.write_accepted(report, status.path)
    monkeypatch.setattr(loaders, "session_identity", lambda: None)  # signed out
    with pytest.raises(PermissionDenied, match="sign in"):
        loaders.open_user_store(status.path).replace_venues(register)
    assert with_users.read_bytes() == before
    monkeypatch.setattr(loaders, "session_identity", lambda: Identity("ann", trusted=True))
    data_ops.write_accepted(report, status.path)
    assert len(gpd.read_file(with_users, layer="venues")) == 1
