"""The survey as a station's staff and a planner meet it: a phone, a link, a position, a review.

``venuemap survey serve`` runs on a free port with its own store; a phone-sized Chromium context
with geolocation granted opens the venue's link, uses the current position and submits; the
planner approves; the exported venue then stands at that position, labelled surveyed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Geod

from geo.survey import hash_secret
from tests.browser.conftest import ROOT, SCREENSHOTS, _free_port, screenshot

pytestmark = pytest.mark.browser
GEOD = Geod(ellps="WGS84")
PHONE = {"width": 390, "height": 844}


def _cli(store: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "venuemap", *args, "--store", str(store)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=True)


@pytest.fixture
def survey_server(tmp_path):
    """Start ``venuemap survey serve`` on a free port; yield (base URL, store); stop it."""
    store = tmp_path / "store.gpkg"
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "survey.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "venuemap", "survey", "serve", "--port",
                             str(port), "--store", str(store)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(urllib.error.HTTPError, OSError):
            urllib.request.urlopen(f"{base}/survey-assets/survey.css", timeout=2)  # noqa: S310
            break
        time.sleep(0.3)
    try:
        yield base, store
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_staff_submit_from_a_phone_and_the_planner_approves(browser, survey_server, tmp_path):
    base, store = survey_server
    links = json.loads(_cli(store, "survey", "links", "--county", "632322", "--kind",
                            "village_station", "--base-url", base, "--json").stdout)  # fmt: skip
    link = links[0]
    here = {"latitude": 35.9371, "longitude": 102.0288, "accuracy": 9}
    context = browser.new_context(viewport=PHONE, geolocation=here, permissions=["geolocation"],
                                  is_mobile=True, has_touch=True)  # fmt: skip
    requests: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(link["url"])
    assert page.locator("h1").inner_text() == link["name"]
    page.get_by_role("button", name="使用当前位置").click()
    page.wait_for_selector("text=定位精度约 9 米")
    page.locator(".leaflet-marker-icon").wait_for()
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("text=已提交，等待规划人员审核")
    screenshot(page, "survey-phone-submitted")
    context.close()
    assert all(url.startswith(base) for url in requests), [u for u in requests if base not in u]

    pending = json.loads(_cli(store, "survey", "pending", "--json").stdout)
    assert [p["venue_id"] for p in pending] == [link["id"]]
    assert pending[0]["accuracy_m"] == 9
    _cli(store, "survey", "review", "--approve", str(pending[0]["id"]), "--user", "planner")
    out = tmp_path / "venues.geojson"
    _cli(store, "export", "--layer", "venues", "--out", str(out))
    venue = gpd.read_file(out).set_index("id").loc[link["id"]]
    _, _, metres = GEOD.inv(venue.geometry.x, venue.geometry.y, here["longitude"],
                            here["latitude"])  # fmt: skip
    assert metres < 1.0
    assert venue["position"] == "surveyed" and venue["accuracy_m"] == 9


def test_a_wrong_token_shows_nothing_of_the_register(browser, survey_server):
    base, store = survey_server
    _cli(store, "survey", "links", "--base-url", base)
    page = browser.new_page(viewport=PHONE)
    response = page.goto(f"{base}/survey/not-a-real-token-{'x' * 30}")
    assert response.status == 404
    assert "链接无效" in page.content() and "群团服务站" not in page.content()
    page.close()


def test_the_printed_sheet_has_a_readable_qr_per_venue(browser, survey_server, tmp_path):
    import pypdfium2
    import zxingcpp

    base, store = survey_server
    sheet = tmp_path / "sheet.html"
    _cli(store, "survey", "sheet", "--out", str(sheet), "--county", "632301", "--kind",
         "township_centre", "--base-url", base)  # fmt: skip
    with sqlite3.connect(store) as con:
        live = con.execute("SELECT venue_id FROM survey_tokens WHERE revoked_at IS NULL")
        venue_ids = sorted(row[0] for row in live)
    page = browser.new_page()
    page.goto(sheet.as_uri())
    assert page.locator(".card").count() == len(venue_ids) > 0
    pdf = tmp_path / "sheet.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.close()
    decoded = []
    for index, pdf_page in enumerate(pypdfium2.PdfDocument(str(pdf))):
        image = pdf_page.render(scale=150 / 72).to_pil()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        image.save(SCREENSHOTS / f"survey-sheet-page-{index + 1}.png")
        decoded += [code.text for code in zxingcpp.read_barcodes(image)]
    assert len(decoded) == len(venue_ids)
    tokens = [text.rsplit("/", 1)[1] for text in decoded]
    assert all(text.startswith(f"{base}/survey/") for text in decoded)
    with sqlite3.connect(store) as con:
        opened = sorted(con.execute("SELECT venue_id FROM survey_tokens WHERE token_hash = ?",
                                    (hash_secret(token),)).fetchone()[0] for token in tokens)
    assert opened == venue_ids
