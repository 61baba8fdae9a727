"""The survey web page for a station's staff: one venue, its position, and a submit button.

``venuemap survey serve`` runs this small ASGI app (Starlette + uvicorn, which Streamlit already
brings) beside the dashboard. A link ``/survey/<token>`` shows only its own venue: the token is
the permission, for that venue only, and a wrong, revoked or expired token shows nothing of the
register. Everything the page needs (Leaflet included) is served by the app itself, so it works
on an intranet with no internet. Browsers allow geolocation only on ``https://`` or
``localhost``; the README says how to serve it over HTTPS.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from geo.errors import VenuemapError
from geo.schema import ORGANIZATIONS
from venuemap.usecases.survey import SurveyRefused, submit_survey, survey_book, venue_for_token

ASSETS = Path(__file__).resolve().parent / "survey_assets"
VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
#: The largest request body accepted (a 2 MB photo as base64 plus the fields).
MAX_BODY_BYTES = 3_000_000
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_NOT_FOUND = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>链接无效</title>
<link rel="stylesheet" href="/survey-assets/survey.css"></head><body><main>
<h1>链接无效或已失效</h1><p>This survey link is not valid. 请向规划人员索取新的链接。</p>
</main></body></html>"""


def create_app(store: str | None = None) -> Starlette:
    """Return the survey app for the user's store (``--store`` / ``$VENUEMAP_STORE``)."""

    async def page(request: Request) -> Response:
        token = request.path_params["token"]
        venue = venue_for_token(token, store=store)
        if venue is None:
            return HTMLResponse(_NOT_FOUND, status_code=404, headers=_HEADERS)
        nonce = survey_book(store).issue_nonce(token)
        return HTMLResponse(render_page(venue, nonce), headers=_HEADERS)

    async def submit(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _json({"error": "提交内容过大 / the submission is too large"}, 413)
        try:
            payload = json.loads(body.decode("utf-8"))
            ident = submit_survey(request.path_params["token"], payload, store=store)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _json({"error": "提交内容无效 / the submission is not JSON"}, 400)
        except SurveyRefused as error:
            return _json({"error": str(error)}, error.status)
        except VenuemapError as error:
            return _json({"error": str(error)}, 503)
        return _json({"ok": True, "id": ident}, 201)

    routes = [
        Route("/survey/{token}", page, methods=["GET"]),
        Route("/survey/{token}", submit, methods=["POST"]),
        Mount("/survey-assets", StaticFiles(directory=ASSETS), name="assets"),
        Mount("/vendor", StaticFiles(directory=VENDOR, check_dir=False), name="vendor"),
    ]
    return Starlette(routes=routes)


def _json(payload: dict, status: int) -> JSONResponse:
    return JSONResponse(payload, status_code=status, headers=_HEADERS)


def render_page(venue: dict, nonce: str) -> str:
    """Return the survey page for one venue; every value from the register is escaped."""
    data = json.dumps({**venue, "nonce": nonce}, ensure_ascii=False).replace("<", "\\u003c")
    esc = {key: html.escape(str(value)) for key, value in venue.items()}
    organizations = "".join(
        f'<label class="check"><input type="checkbox" name="org" value="{t.code}"> {t.zh}</label>'
        for t in ORGANIZATIONS
    )
    position = "示意位置（非实测）" if venue["position"] != "surveyed" else "已实测位置"
    return _PAGE.format(
        name=esc["name"], kind=esc["kind"], township=esc["township"], address=esc["address"],
        position=position, organizations=organizations, data=data,
    )  # fmt: skip


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>阵地位置采集 · {name}</title>
<link rel="stylesheet" href="/vendor/leaflet/leaflet.css">
<link rel="stylesheet" href="/survey-assets/survey.css">
</head><body><main>
<h1>{name}</h1>
<p class="meta">{kind} · {township}</p>
<p class="meta">{address}</p>
<p class="meta">系统中现有位置：{position}</p>
<section id="form">
  <button id="locate" class="big" type="button">使用当前位置</button>
  <p id="accuracy" class="status" aria-live="polite"></p>
  <div id="map" aria-label="位置地图：可拖动标记调整"></div>
  <p id="moved" class="status"></p>
  <details><summary>或粘贴地图坐标（高德、百度）</summary>
    <label>坐标（经度,纬度）<input id="pasted" inputmode="decimal" placeholder="102.0114,35.5263">
    </label>
    <label>坐标来源<select id="pasted-crs">
      <option value="gcj02">高德 / 腾讯地图（GCJ-02）</option>
      <option value="bd09">百度地图（BD-09）</option>
      <option value="wgs84">GPS / 北斗（WGS84）</option></select></label>
    <button id="use-pasted" type="button">使用此坐标</button>
  </details>
  <h2>补充信息（可选）</h2>
  <label class="file">拍照或选择照片
    <input id="photo" type="file" accept="image/*" capture="environment" hidden></label>
  <p id="photo-name" class="status">未选择照片</p>
  <label>开放时间
    <input id="opening_hours" maxlength="200" placeholder="周一至周五 9:00-17:00"></label>
  <label>联系人及电话<input id="contact" maxlength="200"></label>
  <fieldset><legend>在此开展工作的组织</legend>{organizations}</fieldset>
  <label>面积（平方米）<input id="floor_area_m2" inputmode="decimal"></label>
  <button id="submit" class="big" type="button" disabled>提交</button>
  <p id="result" class="status" aria-live="polite"></p>
</section>
<script type="application/json" id="venue-data">{data}</script>
<script src="/vendor/leaflet/leaflet.js"></script>
<script src="/survey-assets/survey.js"></script>
</main></body></html>
"""
