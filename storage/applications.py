"""Applications: drafts and submitted loan applications, one open per citizen and plan."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from datetime import date, datetime
from typing import Any, TypeVar

import aiosqlite

from domain.models import Application, OpenApplicationExists
from domain.persian import normalize_for_search, normalize_input, normalize_mobile
from domain.statuses import ApplicationStatus, PlanType
from storage.db import Database, from_db_time, opt_db_date, opt_db_time, to_db_time

# Columns update_fields() may change; status goes through set_status() only.
UPDATABLE_FIELDS = frozenset(
    {
        "tracking_code",
        "step",
        "answers",
        "full_name",
        "national_code",
        "phone",
        "birth_date",
        "county",
        "activity_code",
        "requested_rials",
        "bank",
        "bank_branch",
        "paid_rials",
        "paid_on",
        "permit_number",
        "submitted_at",
    }
)

_ONE_OPEN_INDEX = "applications.citizen_id, applications.plan_type"

_T = TypeVar("_T")
_IN_LIST = 500

# A name search needs this many letters (one letter would list half the province).
MIN_NAME_QUERY = 2
# Above every character a key can hold: «key < prefix + _TOP» ends a prefix range.
_TOP = "\U0010ffff"


def name_keys(full_name: str | None) -> set[str]:
    """The search keys of a name: every rotation of its words, in search form.

    «Maryam Ahmadi» → {«maryamahmadi», «ahmadimaryam»}: a typed prefix starting at any word,
    in either order, is a prefix of one key. Migration 0009 computes the same keys in SQL for
    old rows.
    """
    words = [normalize_for_search(w) for w in normalize_input(full_name or "").split(" ")]
    words = [w for w in words if w]
    return {"".join(words[i:] + words[:i]) for i in range(len(words))}


def name_query_key(text: str) -> str | None:
    """The key prefix a typed name searches for; None when it has too few letters."""
    key = normalize_for_search(text)
    return key if len(key) >= MIN_NAME_QUERY else None


def application_from_row(row: sqlite3.Row) -> Application:
    """Build an Application from an applications row."""
    return Application(
        id=row["id"],
        citizen_id=row["citizen_id"],
        tracking_code=row["tracking_code"],
        plan_type=PlanType(row["plan_type"]),
        status=ApplicationStatus(row["status"]),
        step=row["step"],
        answers=json.loads(row["answers_json"]),
        full_name=row["full_name"],
        national_code=row["national_code"],
        phone=row["phone"],
        birth_date=opt_db_date(row["birth_date"]),
        county=row["county"],
        activity_code=row["activity_code"],
        requested_rials=row["requested_rials"],
        bank=row["bank"],
        bank_branch=row["bank_branch"],
        paid_rials=row["paid_rials"],
        paid_on=opt_db_date(row["paid_on"]),
        permit_number=row["permit_number"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        submitted_at=opt_db_time(row["submitted_at"]),
    )


def _column_value(name: str, value: Any) -> tuple[str, object]:
    """Map a model field and value to its column and stored value."""
    if name == "answers":
        return "answers_json", json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return name, to_db_time(value)
    if isinstance(value, date):
        return name, value.isoformat()
    return name, value


def _parts(values: list[_T], size: int = _IN_LIST) -> list[list[_T]]:
    """Split a long IN list (SQLite binds at most a few thousand values per statement)."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def _is_one_open_violation(error: sqlite3.IntegrityError) -> bool:
    return _ONE_OPEN_INDEX in str(error)


class ApplicationRepository:
    """Reads and writes applications."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create_draft(
        self,
        citizen_id: int,
        plan_type: PlanType,
        answers: dict[str, Any] | None = None,
        *,
        step: str | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> Application:
        """Start a draft; raise OpenApplicationExists if one of this plan type is open."""
        now = self.db.now_text()
        answers_json = json.dumps(answers or {}, ensure_ascii=False)
        try:
            async with self.db.writing(conn) as c:
                cursor = await c.execute(
                    "INSERT INTO applications (citizen_id, plan_type, status, step, answers_json,"
                    " created_at, updated_at, filed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (citizen_id, str(plan_type), "draft", step, answers_json, now, now, now),
                )
                app_id = cursor.lastrowid
                assert app_id is not None
                found = await self._one(c, "id = ?", (app_id,))
        except sqlite3.IntegrityError as error:
            if _is_one_open_violation(error):
                raise OpenApplicationExists(citizen_id, plan_type) from error
            raise
        assert found is not None
        return found

    async def get(
        self, application_id: int, conn: aiosqlite.Connection | None = None
    ) -> Application | None:
        """Return the application with this id, if any (no ownership check: officers only)."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "id = ?", (application_id,))

    async def get_for_citizen(
        self, application_id: int, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> Application | None:
        """Return the application only if it belongs to this citizen."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "id = ? AND citizen_id = ?", (application_id, citizen_id))

    async def list_for_citizen(
        self, citizen_id: int, conn: aiosqlite.Connection | None = None
    ) -> list[Application]:
        """Return the citizen's applications, oldest first."""
        async with self.db.reading(conn) as c:
            return await self._many(c, "citizen_id = ?", (citizen_id,))

    async def open_draft_for_citizen(
        self,
        citizen_id: int,
        plan_type: PlanType | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> Application | None:
        """Return the citizen's most recent draft (of this plan type, when given)."""
        where = "citizen_id = ? AND status = 'draft'"
        params: tuple[object, ...] = (citizen_id,)
        if plan_type is not None:
            where += " AND plan_type = ?"
            params = (citizen_id, str(plan_type))
        async with self.db.reading(conn) as c:
            found = await self._many(c, where, params)
        return max(found, key=lambda app: (app.updated_at, app.id)) if found else None

    async def save_answers(
        self,
        application_id: int,
        answers: dict[str, Any],
        step: str | None,
        conn: aiosqlite.Connection | None = None,
    ) -> Application:
        """Store the form so far and where the citizen stopped."""
        return await self.update_fields(application_id, conn=conn, answers=answers, step=step)

    async def update_fields(
        self, application_id: int, conn: aiosqlite.Connection | None = None, **fields: Any
    ) -> Application:
        """Set the given fields (see UPDATABLE_FIELDS); return the updated application."""
        unknown = set(fields) - UPDATABLE_FIELDS
        if unknown:
            raise ValueError(f"cannot update application fields: {sorted(unknown)}")
        if fields.get("phone"):
            # One stored form, whatever form it came in, so a search by phone is one index probe.
            fields["phone"] = normalize_mobile(fields["phone"]) or fields["phone"]
        columns = [_column_value(name, value) for name, value in fields.items()]
        assignments = "".join(f"{column} = ?, " for column, _ in columns)
        values = [value for _, value in columns]
        async with self.db.writing(conn) as c:
            await c.execute(
                f"UPDATE applications SET {assignments}updated_at = ? WHERE id = ?",
                (*values, self.db.now_text(), application_id),
            )
            if "full_name" in fields:
                await self._write_name_keys(c, application_id, fields["full_name"])
            found = await self._one(c, "id = ?", (application_id,))
        if found is None:
            raise LookupError(f"no application {application_id}")
        return found

    async def set_status(
        self,
        application_id: int,
        new_status: ApplicationStatus,
        conn: aiosqlite.Connection | None = None,
    ) -> Application:
        """Set the status (no checks, no event: the life-cycle service does those)."""
        try:
            async with self.db.writing(conn) as c:
                await c.execute(
                    "UPDATE applications SET status = ?, updated_at = ? WHERE id = ?",
                    (str(new_status), self.db.now_text(), application_id),
                )
                found = await self._one(c, "id = ?", (application_id,))
        except sqlite3.IntegrityError as error:
            if _is_one_open_violation(error):
                current = await self.get(application_id, conn)
                assert current is not None
                raise OpenApplicationExists(current.citizen_id, current.plan_type) from error
            raise
        if found is None:
            raise LookupError(f"no application {application_id}")
        return found

    async def change_draft_plan_type(
        self,
        application_id: int,
        plan_type: PlanType,
        conn: aiosqlite.Connection | None = None,
    ) -> None:
        """Move a draft to another plan type (only a draft moves); OpenApplicationExists when
        the citizen already has an open application of that type."""
        try:
            async with self.db.writing(conn) as c:
                await c.execute(
                    "UPDATE applications SET plan_type = ?, updated_at = ?"
                    " WHERE id = ? AND status = 'draft'",
                    (plan_type.value, self.db.now_text(), application_id),
                )
        except sqlite3.IntegrityError as error:
            if _is_one_open_violation(error):
                current = await self.get(application_id, conn)
                assert current is not None
                raise OpenApplicationExists(current.citizen_id, plan_type) from error
            raise

    async def find_by_tracking_code(
        self, tracking_code: str, conn: aiosqlite.Connection | None = None
    ) -> Application | None:
        """Return the application with this tracking code, if any."""
        async with self.db.reading(conn) as c:
            return await self._one(c, "tracking_code = ?", (tracking_code,))

    async def find_by_national_code(
        self, national_code: str, conn: aiosqlite.Connection | None = None
    ) -> list[Application]:
        """Return every application filed under this national code, oldest first."""
        async with self.db.reading(conn) as c:
            return await self._many(c, "national_code = ?", (national_code,))

    async def find_by_tracking_codes(
        self, codes: Collection[str], conn: aiosqlite.Connection | None = None
    ) -> dict[str, Application]:
        """The applications with these tracking codes, by code (a few index probes per call)."""
        found: dict[str, Application] = {}
        async with self.db.reading(conn) as c:
            for part in _parts(sorted(set(codes))):
                marks = ", ".join("?" for _ in part)
                for app in await self._many(c, f"tracking_code IN ({marks})", tuple(part)):
                    assert app.tracking_code is not None
                    found[app.tracking_code] = app
        return found

    async def find_by_national_codes(
        self, codes: Collection[str], conn: aiosqlite.Connection | None = None
    ) -> dict[str, list[Application]]:
        """Every application filed under each of these national codes, oldest first."""
        found: dict[str, list[Application]] = {}
        async with self.db.reading(conn) as c:
            for part in _parts(sorted(set(codes))):
                marks = ", ".join("?" for _ in part)
                for app in await self._many(c, f"national_code IN ({marks})", tuple(part)):
                    assert app.national_code is not None
                    found.setdefault(app.national_code, []).append(app)
        return found

    async def get_many(
        self, ids: Collection[int], conn: aiosqlite.Connection | None = None
    ) -> dict[int, Application]:
        """The applications with these ids, by id."""
        found: dict[int, Application] = {}
        async with self.db.reading(conn) as c:
            for part in _parts(sorted(set(ids))):
                marks = ", ".join("?" for _ in part)
                for app in await self._many(c, f"id IN ({marks})", tuple(part)):
                    found[app.id] = app
        return found

    async def find_by_phone(
        self, phone: str, conn: aiosqlite.Connection | None = None
    ) -> list[Application]:
        """Applications filed with this phone, or by an account that shared it, oldest first.

        Any form of the number is accepted (09…, +98…, Persian digits): it is searched in the
        stored canonical form.
        """
        canonical = normalize_mobile(phone) or phone
        async with self.db.reading(conn) as c:
            return await self._many(
                c,
                "id IN (SELECT id FROM applications WHERE phone = ?"
                " UNION SELECT a.id FROM citizens AS c JOIN applications AS a"
                " ON a.citizen_id = c.id WHERE c.phone = ?)",
                (canonical, canonical),
            )

    async def search_by_name(
        self, text: str, limit: int = 20, conn: aiosqlite.Connection | None = None
    ) -> list[Application] | None:
        """Up to ``limit`` applications whose name has a word starting with the typed text.

        Words may be typed in any order of the name's rotation («Maryam Ahmadi», «Ahmadi Maryam»,
        «Ahmadi»), with or without ZWNJ, Arabic or Persian letters. None when the text has
        fewer than MIN_NAME_QUERY letters. Results are in name order, then oldest first.
        """
        key = name_query_key(text)
        if key is None:
            return None
        async with (
            self.db.reading(conn) as c,
            c.execute(
                "SELECT a.* FROM application_names AS n"
                " JOIN applications AS a ON a.id = n.application_id"
                " WHERE n.name_key >= ? AND n.name_key < ?"
                " ORDER BY n.name_key, n.application_id LIMIT ?",
                (key, key + _TOP, limit * 2),  # one name may match through two of its keys
            ) as cur,
        ):
            rows = await cur.fetchall()
        found: dict[int, Application] = {}
        for row in rows:
            if row["id"] not in found:
                found[row["id"]] = application_from_row(row)
        return list(found.values())[:limit]

    async def _write_name_keys(
        self, c: aiosqlite.Connection, application_id: int, full_name: str | None
    ) -> None:
        await c.execute("DELETE FROM application_names WHERE application_id = ?", (application_id,))
        await c.executemany(
            "INSERT OR IGNORE INTO application_names (name_key, application_id) VALUES (?, ?)",
            [(key, application_id) for key in sorted(name_keys(full_name))],
        )

    async def list_by_status(
        self, status: ApplicationStatus, conn: aiosqlite.Connection | None = None
    ) -> list[Application]:
        """Return the applications in one status, oldest first (officers' queues)."""
        async with self.db.reading(conn) as c:
            return await self._many(c, "status = ?", (str(status),))

    async def _one(
        self, c: aiosqlite.Connection, where: str, params: tuple[object, ...]
    ) -> Application | None:
        async with c.execute(f"SELECT * FROM applications WHERE {where}", params) as cur:
            row = await cur.fetchone()
        return None if row is None else application_from_row(row)

    async def _many(
        self, c: aiosqlite.Connection, where: str, params: tuple[object, ...]
    ) -> list[Application]:
        sql = f"SELECT * FROM applications WHERE {where} ORDER BY id"
        async with c.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [application_from_row(row) for row in rows]
