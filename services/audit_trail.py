"""The audit log for officers (the web desk's page): who did what, when, to which record;
filtered by officer, action, application (tracking code or id) and Tehran days; in pages.

Reading it is an officer's read, checked now (not itself audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain.models import AuditEntry
from domain.persian import to_latin_digits
from domain.tracking import normalize_tracking_code
from services.actors import Actor
from services.officers import require_officer
from storage import Store
from storage.audit import AuditQuery, audit_actions, search_audit
from storage.reports import TEHRAN


@dataclass(frozen=True)
class AuditFilter:
    """What the officer asked for; every value optional."""

    officer: int | None = None  # the officer's user id
    action: str | None = None
    application: str | None = None  # a tracking code or an application id, as typed
    from_date: date | None = None  # Tehran days, both included
    to_date: date | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class AuditPage:
    """One page of the log, newest first."""

    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int
    actions: list[str]  # every action in the log, for the filter

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


async def _subject(store: Store, typed: str) -> str | None:
    """``application:<id>`` for a typed tracking code or id; None when it names nothing."""
    code = normalize_tracking_code(typed)
    if code is not None:
        found = await store.applications.find_by_tracking_code(code)
        return f"application:{found.id}" if found else None
    digits = to_latin_digits(typed.strip())
    return f"application:{int(digits)}" if digits.isascii() and digits.isdigit() else None


def _start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz)


async def audit_log(
    store: Store, actor: Actor, filters: AuditFilter, *, tz: ZoneInfo = TEHRAN
) -> AuditPage:
    """One page of the audit log (NotAllowed unless the actor is an officer now)."""
    await require_officer(store, actor)
    subject = None
    if filters.application:
        subject = await _subject(store, filters.application)
        if subject is None:  # nothing has this code: nothing to list
            return AuditPage([], 0, 1, filters.per_page, await audit_actions(store.db))
    query = AuditQuery(
        actor=f"officer:{filters.officer}" if filters.officer else None,
        action=filters.action or None,
        subject=subject,
        since=_start(filters.from_date, tz) if filters.from_date else None,
        until=(
            _start(date.fromordinal(filters.to_date.toordinal() + 1), tz)
            if filters.to_date
            else None
        ),
        page=max(1, filters.page),
        per_page=filters.per_page,
    )
    entries, total, page = await search_audit(store.db, query)
    return AuditPage(entries, total, page, filters.per_page, await audit_actions(store.db))
