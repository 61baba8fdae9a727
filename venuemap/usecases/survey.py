"""Survey use cases: links per venue, the staff's submission, and the planner's review.

The CLI (``venuemap survey …``), the survey web page (:mod:`venuemap.survey_server`) and the
dashboard's Data page all call these functions, so a link, a pending survey or an approval is
the same whichever door it comes through.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from analysis.survey import survey_checks
from geo import crs as crs_mod
from geo.errors import InputError
from geo.export import filter_layer
from geo.register import load_reference, load_venues
from geo.schema import KINDS, LIST_SEPARATOR, ORGANIZATIONS, STORAGE_CRS, label
from geo.store import empty_register, open_store
from geo.survey import DEFAULT_TOKEN_DAYS, Submission, SurveyBook, now_utc

#: Accepted photo types and the largest photo kept (bytes, after base64 decoding).
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_PHOTO_BYTES = 2_000_000
MAX_TEXT_CHARS = 200
#: Coordinate sources a submission may state.
SOURCES = ("device", "wgs84", "gcj02", "bd09")
_DATA_URL = re.compile(r"data:(image/[a-z]+);base64,([A-Za-z0-9+/=\s]+)")


class SurveyRefused(InputError):
    """A survey submission that cannot be stored; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SurveyLink:
    """One venue's survey link, as printed on the sheet and by ``survey links --json``."""

    id: str
    name: str
    kind: str
    township_code: str | None
    url: str


def survey_book(store: str | None = None) -> SurveyBook:
    """Return the survey book of the user's store, creating the store file if needed.

    A store that does not exist yet is created as a GeoPackage with an empty register (the
    demo register stays what the app shows until the user has venues of their own).
    """
    venue_store = open_store(store)
    if not venue_store.exists():
        venue_store.replace_venues(empty_register(), kind="create")
    return SurveyBook(venue_store)


def issue_links(
    base_url: str,
    *,
    store: str | None = None,
    county: str | None = None,
    kind: str | None = None,
    days: int = DEFAULT_TOKEN_DAYS,
) -> list[SurveyLink]:
    """Issue a new survey link for every venue shown (filtered); earlier links are revoked.

    Links are ``{base_url}/survey/{token}``; only the token's hash is stored, so this is the
    one moment a link can be printed.
    """
    if not re.match(r"https?://[^\s/]+", base_url or ""):
        raise InputError(
            f"--base-url {base_url!r} should be the survey server's address, "
            "e.g. http://192.168.1.20:8502 or https://survey.example.gov.cn"
        )
    venues = filter_layer(load_venues(store), county=county, kind=kind)
    venues = venues.loc[venues["status"].fillna("") != "closed"]
    tokens = survey_book(store).issue_tokens([str(v) for v in venues["id"]], days=days)
    root = base_url.rstrip("/")
    return [
        SurveyLink(str(row.id), str(row.name), str(row.kind),
                   None if pd.isna(row.township_code) else str(row.township_code),
                   f"{root}/survey/{tokens[str(row.id)]}")
        for row in venues.itertuples()
    ]  # fmt: skip


def revoke_links(venue_ids: list[str] | None = None, *, store: str | None = None) -> int:
    """Revoke the live links of ``venue_ids`` (all when None); return how many were revoked."""
    return survey_book(store).revoke(venue_ids)


def venue_for_token(token: str, *, store: str | None = None) -> dict | None:
    """Return what the survey page may show for ``token``: that one venue, or None."""
    book = SurveyBook(open_store(store))
    venue_id = book.venue_for_token(token)
    if venue_id is None:
        return None
    venues = load_venues(store)
    rows = venues.loc[venues["id"].astype(str) == venue_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    townships = load_reference("townships", store).set_index("township_code")["name"]
    return {
        "id": venue_id,
        "name": str(row["name"]),
        "kind": label(KINDS, str(row["kind"])),
        "township": str(townships.get(row["township_code"], "") or ""),
        "address": "" if pd.isna(row.get("address")) else str(row.get("address")),
        "position": str(row.get("position") or ""),
        "lon": float(row.geometry.x),
        "lat": float(row.geometry.y),
    }


def submit_survey(token: str, payload: dict, *, store: str | None = None) -> int:
    """Validate a survey page's JSON ``payload`` and store it as pending; return its id.

    Raises
    ------
    SurveyRefused
        404 for an unknown, revoked or expired link; 409 for a replayed or stale form; 400
        (with the field, the value and what was expected) for anything malformed.
    """
    if not isinstance(payload, dict):
        raise SurveyRefused("提交内容无效 / the submission should be a JSON object")
    fields = _survey_fields(payload)
    outcome = SurveyBook(open_store(store)).submit(token, str(payload.get("nonce", "")),
                                                       fields)  # fmt: skip
    if outcome == "token":
        raise SurveyRefused("链接无效或已失效 / this survey link is not valid", status=404)
    if outcome == "nonce":
        raise SurveyRefused("此表单已提交或已过期，请刷新页面后重新提交 / this form was already "
                            "submitted or has expired: reload the page and submit again",
                            status=409)  # fmt: skip
    return int(outcome)


def _survey_fields(payload: dict) -> dict:
    """Return the stored fields of a submission, converted to WGS84, or raise SurveyRefused."""
    source = str(payload.get("source", ""))
    if source not in SOURCES:
        raise SurveyRefused(f"source {source!r}: expected one of {', '.join(SOURCES)}")
    lon, lat = _number(payload, "lon"), _number(payload, "lat")
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise SurveyRefused(
            f"经纬度无效 / lon {payload.get('lon')!r}, lat {payload.get('lat')!r}: "
            "expected longitude −180…180 and latitude −90…90 in degrees"
        )
    if source in ("gcj02", "bd09"):
        choice = crs_mod.GCJ02 if source == "gcj02" else crs_mod.BD09
        x, y = crs_mod.to_wgs84([lon], [lat], choice)
        lon, lat = float(x[0]), float(y[0])
    accuracy = _number(payload, "accuracy_m", minimum=0.0)
    photo, photo_type = _photo(payload.get("photo"))
    return {
        "lon": lon, "lat": lat, "source": source,
        "accuracy_m": accuracy if source == "device" else None,
        "device_lon": _number(payload, "device_lon") if source == "device" else None,
        "device_lat": _number(payload, "device_lat") if source == "device" else None,
        "opening_hours": _text(payload, "opening_hours"), "contact": _text(payload, "contact"),
        "organizations": _organizations(payload.get("organizations")),
        "floor_area_m2": _number(payload, "floor_area_m2", minimum=0.0),
        "photo": photo, "photo_type": photo_type,
    }  # fmt: skip


def _number(payload: dict, key: str, minimum: float | None = None) -> float | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or "_" in str(value) or (minimum is not None and number < minimum):
        floor = "" if minimum is None else f" ≥ {minimum:g}"
        raise SurveyRefused(f"{key} {value!r}: expected a finite number{floor}")
    return number


def _text(payload: dict, key: str) -> str | None:
    value = payload.get(key)
    if value is None or str(value).strip() == "":
        return None
    text = str(value).replace("\x00", "").strip()
    if len(text) > MAX_TEXT_CHARS:
        raise SurveyRefused(f"{key}: {len(text)} characters; at most {MAX_TEXT_CHARS} please")
    return text


def _organizations(value: object) -> str | None:
    if not value:
        return None
    items = value if isinstance(value, list) else str(value).split(LIST_SEPARATOR)
    known = {term.code for term in ORGANIZATIONS}
    unknown = [str(item) for item in items if str(item) not in known]
    if unknown:
        raise SurveyRefused(f"organizations {unknown!r}: expected codes among {sorted(known)}")
    return LIST_SEPARATOR.join(str(item) for item in items)


def _photo(value: object) -> tuple[bytes | None, str | None]:
    if not value:
        return None, None
    match = _DATA_URL.fullmatch(str(value))
    if match is None or match.group(1) not in PHOTO_TYPES:
        raise SurveyRefused(f"photo: expected a JPEG, PNG or WebP image ({', '.join(PHOTO_TYPES)})")
    try:
        data = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError):
        raise SurveyRefused("photo: the image data is damaged; take the photo again") from None
    if len(data) > MAX_PHOTO_BYTES:
        raise SurveyRefused(f"photo: {len(data):,} bytes; at most {MAX_PHOTO_BYTES:,} please")
    return data, match.group(1)


def pending_surveys(*, store: str | None = None, status: str | None = "pending"
                    ) -> gpd.GeoDataFrame:  # fmt: skip
    """Return submissions (pending by default) as points, with the checks a planner needs.

    Columns: the stored fields, the venue's ``name``, ``moved_m`` (metres from the register's
    point), ``found_county_code``, ``other_county``, ``township_distance_m`` and ``flagged``
    (another county, or more than 5 km from the venue's township area).
    """
    book = SurveyBook(open_store(store))
    rows = [vars(s) for s in book.submissions(status)]
    columns = list(Submission.__dataclass_fields__)
    frame = pd.DataFrame(rows, columns=columns)
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                              crs=STORAGE_CRS)  # fmt: skip
    venues = load_venues(store)
    names = venues.set_index(venues["id"].astype(str))["name"]
    points["name"] = points["venue_id"].map(names)
    if points.empty:
        return points.assign(moved_m=[], found_county_code=[], other_county=[],
                             township_distance_m=[], flagged=[])  # fmt: skip
    checks = survey_checks(points, venues.assign(id=venues["id"].astype(str)),
                           load_reference("counties", store),
                           load_reference("townships", store))  # fmt: skip
    return gpd.GeoDataFrame(pd.concat([points, checks], axis=1), crs=STORAGE_CRS)


@dataclass(frozen=True)
class ReviewOutcome:
    """What one review did: ids approved, rejected, and those left as they were (with why)."""

    approved: list[int]
    rejected: list[int]
    skipped: dict[int, str]


def review_surveys(
    approve: list[int] | None = None,
    reject: list[int] | None = None,
    *,
    who: str,
    store: str | None = None,
) -> ReviewOutcome:
    """Approve or reject pending surveys; an approval moves its venue to the surveyed point.

    Approval sets the venue's point, ``position = surveyed``, ``surveyed_at`` (the survey's
    date) and ``accuracy_m``, in one write of the register. A register still showing the
    bundled demo is written to the store first, as saving a plan does, so the network never
    vanishes. Ids that are unknown or no longer pending are skipped with a reason.
    """
    approve, reject = list(approve or []), list(reject or [])
    both = set(approve) & set(reject)
    if both:
        raise InputError(f"survey(s) {sorted(both)} cannot be approved and rejected at once")
    book = survey_book(store)
    skipped: dict[int, str] = {}
    chosen = _pending_by_id(book, approve + reject, skipped)
    to_approve = [chosen[i] for i in approve if i in chosen]
    if to_approve:
        _move_venues(to_approve, store, skipped, who)
    done_approved = [s.id for s in to_approve if s.id not in skipped]
    done_rejected = [i for i in reject if i in chosen]
    for ident in done_approved:
        book.mark(ident, "approved", who)
    for ident in done_rejected:
        book.mark(ident, "rejected", who)
    return ReviewOutcome(done_approved, done_rejected, skipped)


def _pending_by_id(book: SurveyBook, ids: list[int], skipped: dict[int, str]
                   ) -> dict[int, Submission]:  # fmt: skip
    found = {}
    for ident in ids:
        submission = book.submission(ident)
        if submission is None:
            skipped[ident] = "no such survey"
        elif submission.status != "pending":
            skipped[ident] = f"already {submission.status}"
        else:
            found[ident] = submission
    return found


def _move_venues(surveys: list[Submission], store: str | None, skipped: dict[int, str],
                 who: str) -> None:  # fmt: skip
    """Write the approved positions into the register: one versioned change for all of them.

    The change goes through the store's history like any edit (kind ``survey``), so it is
    listed by ``venuemap history`` and can be undone.
    """
    base = load_venues(store).reset_index(drop=True)
    register = base.copy()
    ids = register["id"].astype(str)
    register = register.astype({"surveyed_at": object, "accuracy_m": object})
    for survey in sorted(surveys, key=lambda s: s.submitted_at):
        rows = ids.index[ids == survey.venue_id]
        if rows.empty:
            skipped[survey.id] = f"venue {survey.venue_id} is no longer in the register"
            continue
        register.loc[rows, "geometry"] = gpd.points_from_xy([survey.lon], [survey.lat])[0]
        register.loc[rows, "position"] = "surveyed"
        register.loc[rows, "surveyed_at"] = survey.submitted_at[:10]
        register.loc[rows, "accuracy_m"] = survey.accuracy_m
    venue_store = open_store(store)
    in_store = len(venue_store.venues()) > 0
    venue_store.replace_venues(gpd.GeoDataFrame(register, crs=STORAGE_CRS), who=who,
                               kind="survey", base=base if in_store else None)  # fmt: skip


def survey_progress(venues: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return surveyed / total venues per county and kind (the Overview's progress KPI)."""
    frame = pd.DataFrame({"county_code": venues["county_code"], "kind": venues["kind"],
                          "surveyed": venues["position"].fillna("") == "surveyed"})  # fmt: skip
    table = frame.groupby(["county_code", "kind"], dropna=False)["surveyed"].agg(["sum", "count"])
    return table.rename(columns={"sum": "surveyed", "count": "total"}).reset_index()


def today_iso() -> str:
    """Return today's date (UTC) as the sheet prints it."""
    return now_utc().date().isoformat()
