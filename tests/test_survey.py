"""Survey links, the survey page's server, pending surveys and the planner's review."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from starlette.testclient import TestClient

from geo import crs
from geo.register import load_venues
from geo.store import open_store
from geo.survey import SurveyBook, hash_secret
from venuemap.survey_server import create_app
from venuemap.usecases import survey as usecase

GEOD = Geod(ellps="WGS84")
BASE = "http://survey.test"


@pytest.fixture
def store(store_location):
    """The same tests on a GeoPackage file and on a throwaway PostGIS server."""
    return store_location


def _sql(store, statement, params=()):
    """Run SQL on the survey tables of either backend; return the rows."""
    with SurveyBook(open_store(store))._transaction() as sql:
        cursor = sql.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def client(store):
    return TestClient(create_app(store))


def _link(store, county="632322", kind="village_station"):
    return usecase.issue_links(BASE, store=store, county=county, kind=kind)


def _token(link) -> str:
    return link.url.rsplit("/", 1)[1]


def _nonce(client, token) -> str:
    page = client.get(f"/survey/{token}")
    assert page.status_code == 200
    data = page.text.split('id="venue-data">', 1)[1].split("</script>", 1)[0]
    return json.loads(data)["nonce"]


def _submit(client, token, **fields):
    body = {"nonce": _nonce(client, token), "source": "device", "lon": 102.03, "lat": 35.94,
            "accuracy_m": 8.5, "device_lon": 102.03, "device_lat": 35.94, **fields}
    return client.post(f"/survey/{token}", json=body)


def test_links_one_per_venue_and_only_hashes_are_stored(store):
    links = _link(store)
    venues = load_venues(store)
    wanted = venues[(venues.county_code == "632322") & (venues.kind == "village_station")]
    assert sorted(k.id for k in links) == sorted(wanted["id"].astype(str))
    assert all(k.url.startswith(f"{BASE}/survey/") and len(_token(k)) >= 40 for k in links)
    stored = _sql(store, "SELECT token_hash, venue_id FROM survey_tokens")
    assert hash_secret(_token(links[0])) in {row[0] for row in stored}
    assert not any(_token(k) in str(stored) for k in links)
    if not store.startswith("postgresql"):
        assert _token(links[0]).encode() not in open(store, "rb").read()


def test_page_shows_only_its_own_venue(client, store):
    first, second = _link(store)[:2]
    page = client.get(f"/survey/{_token(first)}")
    assert page.status_code == 200
    assert first.name in page.text and second.name not in page.text
    assert "使用当前位置" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("token", ["x" * 43, "' OR 1=1 --", "..%2F..%2Fetc%2Fpasswd",
                                   "a" * 5000, "%00", "<script>alert(1)</script>"])
def test_hostile_or_wrong_tokens_show_nothing(client, store, token):
    names = list(load_venues(store)["name"])
    _link(store)
    page = client.get(f"/survey/{token}")
    assert page.status_code == 404
    assert not any(name in page.text for name in names)
    post = client.post(f"/survey/{token}", json={"nonce": "n", "source": "device",
                                                  "lon": 102, "lat": 35})
    assert post.status_code in (404, 409)
    assert usecase.pending_surveys(store=store).empty


def test_revoked_expired_and_reissued_links_stop_working(client, store):
    link = _link(store)[0]
    token = _token(link)
    assert client.get(f"/survey/{token}").status_code == 200
    usecase.revoke_links([link.id], store=store)
    assert client.get(f"/survey/{token}").status_code == 404
    fresh = _token(_link(store)[0])
    assert client.get(f"/survey/{fresh}").status_code == 200
    newer = _token(_link(store)[0])  # issuing again revokes the previous sheet's link
    assert client.get(f"/survey/{fresh}").status_code == 404
    _sql(store, "UPDATE survey_tokens SET expires_at = '2000-01-01T00:00:00+00:00'")
    assert client.get(f"/survey/{newer}").status_code == 404


def test_submission_is_pending_and_a_replay_is_refused(client, store):
    token = _token(_link(store)[0])
    body = {"nonce": _nonce(client, token), "source": "device", "lon": 102.03, "lat": 35.94,
            "accuracy_m": 8.5}
    first = client.post(f"/survey/{token}", json=body)
    assert first.status_code == 201 and first.json()["ok"] is True
    replay = client.post(f"/survey/{token}", json=body)
    assert replay.status_code == 409
    pending = usecase.pending_surveys(store=store)
    assert list(pending["id"]) == [first.json()["id"]]
    assert pending.iloc[0]["accuracy_m"] == 8.5 and pending.iloc[0]["status"] == "pending"


def test_a_nonce_of_another_venue_is_refused(client, store):
    first, second = (_token(k) for k in _link(store)[:2])
    stolen = _nonce(client, first)
    answer = client.post(f"/survey/{second}", json={"nonce": stolen, "source": "device",
                                                    "lon": 102.03, "lat": 35.94})
    assert answer.status_code == 409
    assert usecase.pending_surveys(store=store).empty


@pytest.mark.parametrize("source, convert", [("gcj02", crs.gcj02_to_wgs84),
                                             ("bd09", crs.bd09_to_wgs84)])
def test_pasted_map_coordinates_are_converted_to_wgs84(client, store, source, convert):
    token = _token(_link(store)[0])
    answer = _submit(client, token, source=source, lon=102.0355, lat=35.9412, accuracy_m=None)
    assert answer.status_code == 201
    row = usecase.pending_surveys(store=store).iloc[0]
    lon, lat = convert([102.0355], [35.9412])
    _, _, metres = GEOD.inv(row["lon"], row["lat"], lon[0], lat[0])
    assert metres < 0.01
    assert pd.isna(row["accuracy_m"])


@pytest.mark.parametrize("fields, words", [
    ({"lon": "1_02.5"}, "lon"),
    ({"lat": "inf"}, "lat"),
    ({"lon": 500}, "经纬度"),
    ({"source": "osm"}, "source"),
    ({"accuracy_m": -3}, "accuracy_m"),
    ({"floor_area_m2": "nan"}, "floor_area_m2"),
    ({"organizations": ["union", "drop table"]}, "organizations"),
    ({"contact": "x" * 300}, "contact"),
    ({"photo": "data:text/html;base64,PGI+"}, "photo"),
])
def test_malformed_submissions_get_one_clear_message(client, store, fields, words):
    token = _token(_link(store)[0])
    answer = _submit(client, token, **fields)
    assert answer.status_code == 400
    assert words in answer.json()["error"]
    assert usecase.pending_surveys(store=store).empty


def test_not_json_and_oversized_bodies_are_refused(client, store):
    token = _token(_link(store)[0])
    assert client.post(f"/survey/{token}", content=b"\xff\xfe{").status_code == 400
    big = b"{" + b" " * 3_100_000 + b"}"
    assert client.post(f"/survey/{token}", content=big).status_code == 413


def test_names_are_escaped_on_the_page(client, store):
    from geo.store import open_store

    venues = load_venues(store)
    venues.loc[venues.index[0], "name"] = "<img src=x onerror=alert(1)>"
    open_store(store).replace_venues(venues)
    link = usecase.issue_links(BASE, store=store, county=str(venues.iloc[0]["county_code"]))
    token = _token(next(k for k in link if k.id == venues.iloc[0]["id"]))
    page = client.get(f"/survey/{token}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_approval_moves_the_venue_and_labels_it_surveyed(client, store, tmp_path):
    link = _link(store)[0]
    venue = load_venues(store).set_index("id").loc[link.id]
    lon, lat = venue.geometry.x + 0.004, venue.geometry.y + 0.003
    ident = _submit(client, _token(link), lon=lon, lat=lat, accuracy_m=6).json()["id"]
    outcome = usecase.review_surveys([ident], who="planner-a", store=store)
    assert outcome.approved == [ident] and not outcome.skipped
    out = tmp_path / "venues.geojson"
    subprocess.run([sys.executable, "-m", "venuemap", "export", "--layer", "venues", "--store",
                    store, "--out", str(out)], check=True)
    exported = gpd.read_file(out).set_index("id")
    moved = exported.loc[link.id]
    _, _, metres = GEOD.inv(moved.geometry.x, moved.geometry.y, lon, lat)
    assert metres < 1.0
    assert moved["position"] == "surveyed" and moved["accuracy_m"] == 6
    assert str(moved["surveyed_at"])[:10] == usecase.today_iso()
    assert (exported.drop(index=link.id)["position"] == "illustrative").all()
    assert len(exported) == len(load_venues(store))
    again = usecase.review_surveys([ident], who="planner-a", store=store)
    assert again.skipped == {ident: "already approved"}


def test_rejection_changes_nothing_in_the_register(client, store):
    link = _link(store)[0]
    before = load_venues(store).set_index("id").loc[link.id].geometry
    ident = _submit(client, _token(link)).json()["id"]
    outcome = usecase.review_surveys(reject=[ident], who="planner-a", store=store)
    assert outcome.rejected == [ident]
    assert load_venues(store).set_index("id").loc[link.id].geometry.equals(before)
    assert usecase.pending_surveys(store=store).empty


def test_surveys_in_another_county_or_far_from_the_township_are_flagged(client, store):
    links = _link(store)
    venues = load_venues(store).set_index("id")
    near = venues.loc[links[0].id].geometry
    _submit(client, _token(links[0]), lon=near.x + 0.001, lat=near.y)
    _submit(client, _token(links[1]), lon=101.55, lat=34.75)  # 河南县, another county
    pending = usecase.pending_surveys(store=store).set_index("venue_id")
    assert not pending.loc[links[0].id, "flagged"]
    assert pending.loc[links[1].id, "other_county"]
    assert pending.loc[links[1].id, "found_county_code"] == "632324"
    assert pending.loc[links[1].id, "township_distance_m"] > 5_000
    assert pending.loc[links[1].id, "flagged"]


def test_cli_pending_and_review(client, store):
    ident = _submit(client, _token(_link(store)[0])).json()["id"]
    run = [sys.executable, "-m", "venuemap", "survey"]
    pending = subprocess.run([*run, "pending", "--json", "--store", store], capture_output=True,
                             text=True, check=True)
    rows = json.loads(pending.stdout)
    assert [r["id"] for r in rows] == [ident]
    assert {"venue_id", "lon", "lat", "accuracy_m", "submitted_at", "flagged"} <= set(rows[0])
    review = subprocess.run([*run, "review", "--approve", str(ident), "--json", "--store", store,
                             "--user", "lead"], capture_output=True, text=True)
    assert review.returncode == 0, review.stderr
    assert json.loads(review.stdout)["approved"] == [ident]
    missing = subprocess.run([*run, "review", "--reject", "999", "--store", store],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "no such survey" in missing.stdout


def test_sheet_has_a_card_for_every_venue_and_no_outside_request(store, tmp_path):
    out = tmp_path / "sheet.html"
    subprocess.run([sys.executable, "-m", "venuemap", "survey", "sheet", "--out", str(out),
                    "--county", "632301", "--base-url", BASE, "--store", store], check=True)
    text = out.read_text(encoding="utf-8")
    venues = load_venues(store)
    shown = venues[(venues.county_code == "632301") & (venues.status != "closed")]
    assert text.count('class="card"') == len(shown) > 0
    live = _sql(store, "SELECT COUNT(*) FROM survey_tokens WHERE revoked_at IS NULL")
    assert live[0][0] == len(shown)
    assert all(name in text for name in shown["name"])
    assert "http" not in text.replace(BASE, "").replace("http://www.w3.org", "")


def test_an_approval_is_one_change_in_the_history_and_can_be_undone(client, store):
    link = _link(store)[0]
    before = load_venues(store).set_index("id").loc[link.id]
    ident = _submit(client, _token(link), lon=before.geometry.x + 0.01,
                    lat=before.geometry.y).json()["id"]
    usecase.review_surveys([ident], who="planner-b", store=store)
    change = open_store(store).changes(link.id)[0]
    assert change.kind == "survey" and change.who == "planner-b"
    open_store(store).undo(change.id, who="planner-b")
    after = load_venues(store).set_index("id").loc[link.id]
    assert after["position"] == "illustrative"
    assert after.geometry.distance(before.geometry) < 1e-9
