"""Applications: a citizen's draft (answers, plan, submission) and what citizens and officers read.

A citizen works only on their own applications (the actor's citizen id); a lookup by
tracking code and national code is throttled per account and answers the same for an
unknown code and a wrong national code. Officers' reads check the officer NOW.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import aiosqlite

from domain.models import Application, Citizen, StatusEvent
from domain.statuses import ApplicationStatus, PlanType
from domain.tracking import new_tracking_code
from services.actors import Actor
from services.documents import Corrections, corrections_of
from services.errors import NotAllowed
from services.officers import require_officer
from storage import ApplicationDocuments, Clock, Store, status_changes
from storage.status_changes import ReminderSync

LOGGER = logging.getLogger(__name__)

SearchBy = Literal["code", "nc", "phone", "name"]

# What a citizen's answers may set on a draft's own columns, and on their citizen record.
DRAFT_FIELDS = frozenset(
    {
        "phone",
        "full_name",
        "national_code",
        "birth_date",
        "county",
        "activity_code",
        "requested_rials",
    }
)
CITIZEN_FIELDS = frozenset({"phone", "full_name", "national_code"})
_CODE_ATTEMPTS = 20


class DocumentsMissing(Exception):
    """A draft cannot be submitted before every required document is in."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"documents missing: {', '.join(missing)}")
        self.missing = missing


class LookupThrottled(Exception):
    """This account failed too many lookups lately; it may try again at ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"lookups refused until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class ApplicationView:
    """An application with its timeline, its documents and its open correction request."""

    application: Application
    timeline: list[StatusEvent]
    documents: ApplicationDocuments
    corrections: Corrections


@dataclass(frozen=True)
class SavedDraft:
    """A draft and its citizen after an answer was stored."""

    application: Application
    citizen: Citizen


# --- citizens ----------------------------------------------------------------------------------


def _citizen_id(actor: Actor) -> int:
    if actor.kind != "citizen" or not str(actor.id).isdigit():
        raise NotAllowed(f"{actor} is not a citizen")
    return int(actor.id)


async def _own(store: Store, actor: Actor, application_id: int) -> Application | None:
    return await store.applications.get_for_citizen(application_id, _citizen_id(actor))


async def _own_draft(store: Store, actor: Actor, application_id: int) -> Application:
    app = await _own(store, actor, application_id)
    if app is None or app.status is not ApplicationStatus.DRAFT:
        raise NotAllowed(f"application {application_id} is not a draft of {actor}")
    return app


# --- the draft ---------------------------------------------------------------------------------


async def current_draft(store: Store, actor: Actor, remembered: int | None) -> Application | None:
    """The draft the citizen works on: the remembered one if still a draft, else the latest."""
    citizen_id = _citizen_id(actor)
    async with store.db.read():
        app = None if remembered is None else await _own(store, actor, remembered)
        if app is None or app.status is not ApplicationStatus.DRAFT:
            app = await store.applications.open_draft_for_citizen(citizen_id)
    return app


async def has_draft(store: Store, actor: Actor) -> bool:
    """Whether the citizen has an unfinished application."""
    return await store.applications.open_draft_for_citizen(_citizen_id(actor)) is not None


async def start_draft(
    store: Store, actor: Actor, plan_type: PlanType, answers: dict[str, Any], step: str
) -> Application:
    """A new draft of this plan type (OpenApplicationExists if one of that type is open)."""
    return await store.applications.create_draft(_citizen_id(actor), plan_type, answers, step=step)


async def save_answers(
    store: Store,
    actor: Actor,
    application_id: int,
    answers: dict[str, Any],
    step: str | None,
    *,
    fields: Mapping[str, Any] | None = None,
    citizen_fields: Mapping[str, str] | None = None,
) -> SavedDraft:
    """Store the form, the step the citizen goes to and the given columns, in one transaction.

    ``fields`` are the draft's own columns (DRAFT_FIELDS), ``citizen_fields`` the contact
    details kept on the citizen record too (CITIZEN_FIELDS).
    """
    columns = dict(fields or {})
    contact = dict(citizen_fields or {})
    if not set(columns) <= DRAFT_FIELDS or not set(contact) <= CITIZEN_FIELDS:
        raise ValueError(f"not an answer: {sorted((set(columns) - DRAFT_FIELDS) | set(contact))}")
    async with store.db.transaction() as conn:
        await _own_draft(store, actor, application_id)
        app = await store.applications.update_fields(
            application_id, conn=conn, answers=answers, step=step, **columns
        )
        if contact:
            citizen = await store.citizens.update_contact(app.citizen_id, conn=conn, **contact)
        else:
            found = await store.citizens.get(app.citizen_id, conn=conn)
            assert found is not None  # the foreign key guarantees it
            citizen = found
    return SavedDraft(app, citizen)


async def change_plan(store: Store, actor: Actor, application_id: int, plan_type: PlanType) -> None:
    """Move a draft to another plan type; OpenApplicationExists if that plan is already open."""
    async with store.db.transaction() as conn:
        app = await _own_draft(store, actor, application_id)
        if app.plan_type is not plan_type:
            await store.applications.change_draft_plan_type(application_id, plan_type, conn=conn)


async def _unused_code(store: Store, conn: aiosqlite.Connection) -> str:
    """A tracking code no application has (checked inside the writing transaction)."""
    for _attempt in range(_CODE_ATTEMPTS):
        code = new_tracking_code()
        if await store.applications.find_by_tracking_code(code, conn=conn) is None:
            return code
    raise RuntimeError("no unused tracking code found")  # pragma: no cover - 10^7 codes


async def submit(
    store: Store,
    actor: Actor,
    application_id: int,
    required: Collection[str],
    *,
    reminders: ReminderSync | None = None,
) -> Application:
    """Submit a draft whose ``required`` documents are all in: a fresh tracking code and the
    status submitted (the citizen's move), atomically. DocumentsMissing otherwise."""
    async with store.db.transaction() as conn:
        await _own_draft(store, actor, application_id)
        latest = (await store.documents.list_for_application(application_id, conn=conn)).latest
        missing = [code for code in required if code not in latest]
        if missing:
            raise DocumentsMissing(missing)
        code = await _unused_code(store, conn)
        await store.applications.update_fields(
            application_id, conn=conn, tracking_code=code, step=None
        )
        await status_changes.change_status(
            store,
            application_id,
            ApplicationStatus.SUBMITTED,
            str(actor),
            reminders=reminders,
            conn=conn,
        )
        submitted = await store.applications.get(application_id, conn=conn)
    assert submitted is not None
    return submitted


# --- what a citizen reads ----------------------------------------------------------------------


async def _view(store: Store, app: Application) -> ApplicationView:
    """Timeline, documents and corrections of an application (inside the caller's read)."""
    timeline = await store.status_events.timeline(app.id)
    documents = await store.documents.list_for_application(app.id)
    return ApplicationView(
        app, timeline, documents, corrections_of(app, timeline, documents.latest)
    )


async def list_for_citizen(store: Store, actor: Actor) -> list[ApplicationView]:
    """The citizen's own applications, oldest first."""
    citizen_id = _citizen_id(actor)
    async with store.db.read():
        apps = await store.applications.list_for_citizen(citizen_id)
        return [await _view(store, app) for app in apps]


async def find_own(store: Store, actor: Actor, application_id: int) -> ApplicationView | None:
    """The citizen's own application; None when it is missing or someone else's (the same
    answer, so a forged id learns nothing)."""
    async with store.db.read():
        app = await _own(store, actor, application_id)
        return None if app is None else await _view(store, app)


async def lookup_blocked_until(
    store: Store, clock: Clock, platform: str, user_id: int
) -> datetime | None:
    """When this account may look up by tracking code again; None if it may now."""
    return await store.lookups.blocked_until(platform, user_id, now=clock())


async def lookup(
    store: Store,
    clock: Clock,
    platform: str,
    user_id: int,
    tracking_code: str,
    national_code: str,
) -> ApplicationView | None:
    """A filed application by tracking code and the applicant's national code, from any account.

    An unknown code and a wrong national code both give None and count as one failure of
    this account; LookupThrottled (nothing counted) after too many failures lately.
    """
    async with store.db.transaction() as conn:
        until = await store.lookups.blocked_until(platform, user_id, now=clock())
        if until is not None:
            raise LookupThrottled(until)
        app = await store.applications.find_by_tracking_code(tracking_code, conn=conn)
        if (
            app is None
            or app.national_code != national_code
            or app.status is ApplicationStatus.DRAFT
        ):
            await store.lookups.record_failure(platform, user_id, now=clock(), conn=conn)
            LOGGER.info("Failed tracking lookup by user %s", user_id)
            return None
        return await _view(store, app)


# --- what an officer reads ---------------------------------------------------------------------


async def search(store: Store, actor: Actor, by: SearchBy, value: str) -> list[Application]:
    """Applications by tracking code, national code or phone (values already normalised)."""
    await require_officer(store, actor)
    apps = store.applications
    if by == "code":
        found = await apps.find_by_tracking_code(value)
        return [] if found is None else [found]
    if by == "nc":
        return await apps.find_by_national_code(value)
    if by == "name":  # an indexed prefix of the name's words; [] when too short to search
        return await apps.search_by_name(value) or []
    return await apps.find_by_phone(value)


async def officer_view(store: Store, actor: Actor, application_id: int) -> ApplicationView | None:
    """Any application, for an officer: fields, documents, timeline (None if there is none)."""
    await require_officer(store, actor)
    async with store.db.read():
        app = await store.applications.get(application_id)
        return None if app is None else await _view(store, app)
