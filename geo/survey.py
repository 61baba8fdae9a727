"""The survey book: per-venue survey tokens and the positions staff submit, kept in the store.

A survey link carries an unguessable token that is the permission for one venue only. Tokens
are stored hashed (SHA-256), so a copy of the store does not reveal working links; they expire
and can be revoked. Opening the survey page issues a one-time form nonce (also stored hashed):
a submission must spend one, so a replayed request is refused. A submission is *pending* until
a planner approves or rejects it; nothing here changes the venue register.

The tables live in the store itself: in the GeoPackage's SQLite file (GDAL and QGIS ignore
tables not registered in ``gpkg_contents``) inside one ``BEGIN IMMEDIATE`` transaction per call,
or in the PostGIS store's schema. The SQL is written once, with ``?`` placeholders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from geo.errors import StoreError

#: How long a survey link works unless told otherwise.
DEFAULT_TOKEN_DAYS = 90
#: How long a survey page's one-time form nonce stays valid.
NONCE_HOURS = 12

_SCHEMA = """
CREATE TABLE IF NOT EXISTS survey_tokens (
    token_hash TEXT PRIMARY KEY,
    venue_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS survey_tokens_venue ON survey_tokens (venue_id);
CREATE TABLE IF NOT EXISTS survey_nonces (
    nonce_hash TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT
);
CREATE TABLE IF NOT EXISTS survey_submissions (
    id {serial},
    venue_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    lon {real} NOT NULL,
    lat {real} NOT NULL,
    accuracy_m {real},
    source TEXT NOT NULL,
    device_lon {real},
    device_lat {real},
    opening_hours TEXT,
    contact TEXT,
    organizations TEXT,
    floor_area_m2 {real},
    photo {blob},
    photo_type TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    reviewed_by TEXT,
    reviewed_at TEXT
);
"""


@dataclass(frozen=True)
class Submission:
    """One survey submission as stored (``status`` pending, approved or rejected).

    Attributes
    ----------
    lon, lat
        The proposed position, WGS84 degrees (converted from GCJ-02/BD-09 when pasted).
    accuracy_m
        The device's reported accuracy in metres (None for pasted coordinates).
    source
        ``"device"`` (browser geolocation, possibly dragged) or the pasted CRS
        (``"wgs84"``, ``"gcj02"``, ``"bd09"``).
    device_lon, device_lat
        What the device reported before any drag of the pin (None when pasted).
    """

    id: int
    venue_id: str
    submitted_at: str
    lon: float
    lat: float
    accuracy_m: float | None
    source: str
    device_lon: float | None
    device_lat: float | None
    opening_hours: str | None
    contact: str | None
    organizations: str | None
    floor_area_m2: float | None
    has_photo: bool
    status: str
    reviewed_by: str | None
    reviewed_at: str | None


def hash_secret(secret: str) -> str:
    """Return the SHA-256 hex digest under which a token or nonce is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def now_utc() -> dt.datetime:
    """Return the current time, timezone-aware UTC (one place, so tests can reason about it)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class SurveyBook:
    """Survey tokens, nonces and submissions in the user's store (either backend).

    Parameters
    ----------
    store
        An open store (``geo.store.open_store``): a GeoPackage or a PostGIS store.
    """

    def __init__(self, store: Any) -> None:
        self.store = store

    def exists(self) -> bool:
        """Return True when the store exists (nothing to read from one that does not)."""
        return bool(self.store.exists())

    @contextmanager
    def _transaction(self) -> Iterator[_Sql]:
        """Yield a cursor wrapper inside one write transaction of the store's database."""
        from geo.store.postgis import PostgisStore

        if isinstance(self.store, PostgisStore):
            with self.store.cursor() as cur:
                cur.execute(_SCHEMA.format(serial="BIGSERIAL PRIMARY KEY", blob="BYTEA",
                                           real="DOUBLE PRECISION"))
                yield _Sql(cur, "%s")
            return
        con = self.store._connect(write=True)  # noqa: SLF001 - the store's own checks
        try:
            con.executescript(_SCHEMA.format(serial="INTEGER PRIMARY KEY AUTOINCREMENT",
                                             blob="BLOB", real="REAL"))  # fmt: skip
            con.execute("BEGIN IMMEDIATE")
            yield _Sql(con.cursor(), "?")
            con.execute("COMMIT")
        except sqlite3.Error as error:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise StoreError(
                f"the survey tables in {self.store.path} could not be read or written: {error}"
            ) from None
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    # ---------------------------------------------------------------- tokens
    def issue_tokens(self, venue_ids: list[str], days: int = DEFAULT_TOKEN_DAYS) -> dict[str, str]:
        """Return a new token per venue id; each venue's earlier tokens are revoked.

        Only the hashes are stored, so a link can be printed once; issuing links again makes
        the previous sheet's links stop working (documented in ``venuemap survey links``).
        """
        if days <= 0:
            raise StoreError(f"a survey link must last at least one day, got {days}")
        created = now_utc()
        expires = created + dt.timedelta(days=days)
        tokens = {venue_id: secrets.token_urlsafe(32) for venue_id in venue_ids}
        with self._transaction() as con:
            con.executemany(
                "UPDATE survey_tokens SET revoked_at = ? WHERE venue_id = ? AND revoked_at IS NULL",
                [(created.isoformat(), venue_id) for venue_id in tokens],
            )
            con.executemany(
                "INSERT INTO survey_tokens VALUES (?, ?, ?, ?, NULL)",
                [(hash_secret(token), venue_id, created.isoformat(), expires.isoformat())
                 for venue_id, token in tokens.items()],
            )  # fmt: skip
        return tokens

    def revoke(self, venue_ids: list[str] | None = None) -> int:
        """Revoke the live tokens of ``venue_ids`` (all venues when None); return how many."""
        stamp = now_utc().isoformat()
        with self._transaction() as con:
            if venue_ids is None:
                cursor = con.execute(
                    "UPDATE survey_tokens SET revoked_at = ? WHERE revoked_at IS NULL", (stamp,)
                )
                return cursor.rowcount
            count = 0
            for venue_id in venue_ids:
                cursor = con.execute(
                    "UPDATE survey_tokens SET revoked_at = ? "
                    "WHERE venue_id = ? AND revoked_at IS NULL",
                    (stamp, venue_id),
                )
                count += cursor.rowcount
            return count

    def venue_for_token(self, token: str) -> str | None:
        """Return the venue a live token opens, or None (unknown, revoked or expired)."""
        if not token or len(token) > 200 or not self.exists():
            return None
        with self._transaction() as con:
            row = con.execute(
                "SELECT venue_id, expires_at, revoked_at FROM survey_tokens WHERE token_hash = ?",
                (hash_secret(token),),
            ).fetchone()
        if row is None or row[2] is not None:
            return None
        return row[0] if dt.datetime.fromisoformat(row[1]) > now_utc() else None

    # ---------------------------------------------------------------- nonces
    def issue_nonce(self, token: str) -> str:
        """Return a one-time form nonce bound to ``token`` (the page embeds it in its form)."""
        nonce = secrets.token_urlsafe(24)
        with self._transaction() as con:
            con.execute(
                "INSERT INTO survey_nonces VALUES (?, ?, ?, NULL)",
                (hash_secret(nonce), hash_secret(token), now_utc().isoformat()),
            )
        return nonce

    # ---------------------------------------------------------------- submissions
    def submit(self, token: str, nonce: str, fields: dict) -> int | str:
        """Store a pending submission; return its id, or a refusal reason.

        Refusal reasons: ``"token"`` (unknown, revoked or expired link), ``"nonce"`` (the
        form's one-time nonce is unknown, expired, of another link, or already spent — a
        replayed request). The token check, nonce spend and insert are one transaction.
        """
        venue_id = self.venue_for_token(token)
        if venue_id is None:
            return "token"
        stamp = now_utc()
        with self._transaction() as con:
            row = con.execute(
                "SELECT token_hash, created_at, used_at FROM survey_nonces WHERE nonce_hash = ?",
                (hash_secret(nonce or ""),),
            ).fetchone()
            oldest = stamp - dt.timedelta(hours=NONCE_HOURS)
            if (row is None or row[0] != hash_secret(token) or row[2] is not None
                    or dt.datetime.fromisoformat(row[1]) < oldest):  # fmt: skip
                return "nonce"
            con.execute("UPDATE survey_nonces SET used_at = ? WHERE nonce_hash = ?",
                        (stamp.isoformat(), hash_secret(nonce)))  # fmt: skip
            cursor = con.execute(_INSERT_SUBMISSION, _submission_row(venue_id, token, stamp,
                                                                      fields))  # fmt: skip
            return int(cursor.fetchone()[0])

    def submissions(self, status: str | None = "pending") -> list[Submission]:
        """Return submissions with ``status`` (all when None), oldest first."""
        if not self.exists():
            return []
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        with self._transaction() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM survey_submissions {where} ORDER BY id",  # noqa: S608
                params,
            ).fetchall()
        return [_submission(row) for row in rows]

    def submission(self, submission_id: int) -> Submission | None:
        """Return one submission by id, or None."""
        with self._transaction() as con:
            row = con.execute(
                f"SELECT {_COLUMNS} FROM survey_submissions WHERE id = ?",  # noqa: S608
                (int(submission_id),),
            ).fetchone()
        return None if row is None else _submission(row)

    def photo(self, submission_id: int) -> tuple[bytes, str] | None:
        """Return (photo bytes, MIME type) of a submission, or None when it has none."""
        with self._transaction() as con:
            row = con.execute(
                "SELECT photo, photo_type FROM survey_submissions WHERE id = ?",
                (int(submission_id),),
            ).fetchone()
        return None if row is None or row[0] is None else (bytes(row[0]), str(row[1]))

    def mark(self, submission_id: int, status: str, who: str) -> bool:
        """Mark a pending submission approved or rejected; False if it is not pending."""
        if status not in ("approved", "rejected"):
            raise StoreError(f"a survey can be approved or rejected, not {status!r}")
        with self._transaction() as con:
            cursor = con.execute(
                "UPDATE survey_submissions SET status = ?, reviewed_by = ?, reviewed_at = ? "
                "WHERE id = ? AND status = 'pending'",
                (status, who, now_utc().isoformat(), int(submission_id)),
            )
            return cursor.rowcount == 1


_COLUMNS = (
    "id, venue_id, submitted_at, lon, lat, accuracy_m, source, device_lon, device_lat, "
    "opening_hours, contact, organizations, floor_area_m2, photo IS NOT NULL, status, "
    "reviewed_by, reviewed_at"
)
_INSERT_SUBMISSION = (
    "INSERT INTO survey_submissions (venue_id, token_hash, submitted_at, lon, lat, accuracy_m, "
    "source, device_lon, device_lat, opening_hours, contact, organizations, floor_area_m2, "
    "photo, photo_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)


def _submission_row(venue_id: str, token: str, stamp: dt.datetime, fields: dict) -> tuple:
    return (
        venue_id, hash_secret(token), stamp.isoformat(), fields["lon"], fields["lat"],
        fields.get("accuracy_m"), fields["source"], fields.get("device_lon"),
        fields.get("device_lat"), fields.get("opening_hours"), fields.get("contact"),
        fields.get("organizations"), fields.get("floor_area_m2"), fields.get("photo"),
        fields.get("photo_type"),
    )  # fmt: skip


class _Sql:
    """A cursor that takes ``?`` placeholders on both backends (psycopg wants ``%s``)."""

    def __init__(self, cursor: Any, placeholder: str) -> None:
        self.cursor = cursor
        self.placeholder = placeholder

    def execute(self, sql: str, params: tuple = ()) -> Any:
        """Run one statement; return the cursor (fetchone, fetchall, rowcount)."""
        if self.placeholder != "?":
            sql = sql.replace("?", self.placeholder)
        self.cursor.execute(sql, params)
        return self.cursor

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        """Run one statement per row."""
        for row in rows:
            self.execute(sql, row)


def _submission(row: tuple) -> Submission:
    values = list(row)
    values[13] = bool(values[13])
    return Submission(*values)
