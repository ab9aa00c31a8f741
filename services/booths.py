"""Booth requests: a citizen asks for a booth at an exhibition; an officer approves or declines.

A request needs a submitted application or a permit, one per exhibition, before the deadline;
it is stored with its day-before reminder. The officer's answer reaches the citizen through the
outbox (dedupe key ``booth:<request id>:<status>``) in the answer's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from domain.exhibitions import (
    BoothRefusal,
    BoothRequest,
    BoothStatus,
    Exhibition,
    booth_refusal,
)
from domain.notifications import OutboxKind, OutboxMessage
from services.actors import Actor
from services.errors import NotAllowed
from services.exhibitions import Clock, ExhibitionReminders, local_today, schedule_day_before
from services.officers import require_officer
from storage import Store
from storage.exhibitions import DuplicateBoothRequest
from texts.formatting import format_jalali_date, format_typed_text
from texts.i18n import _


@dataclass(frozen=True)
class BoothAnswer:
    """A citizen's booth request: stored (``request``), or why not (``refusal``)."""

    exhibition: Exhibition
    request: BoothRequest | None = None
    refusal: BoothRefusal | None = None


@dataclass(frozen=True)
class Decided:
    """An officer's answer to a booth request; ``told``: the citizen's outbox row is new."""

    request: BoothRequest
    told: bool


@dataclass(frozen=True)
class PendingBooth:
    """A booth request waiting for an answer, with what the officer needs to read."""

    request: BoothRequest
    title: str | None
    citizen_name: str | None


def booth_answer_text(status: BoothStatus, title: str, starts_on: date) -> str:
    """What the citizen hears when an officer answers the booth request."""
    title = format_typed_text(title)
    if status is BoothStatus.APPROVED:
        return _(
            "Good news: your booth request for «{title}» was approved. "
            "The exhibition starts on {date}; the office will contact you about the details."
        ).format(title=title, date=format_jalali_date(starts_on))
    return _(
        "We are sorry: your booth request for «{title}» could not be accepted this time. "
        "Please look out for the next exhibitions."
    ).format(title=title)


async def count_pending_booths(store: Store, actor: Actor) -> int:
    """How many booth requests wait for an answer (officers only)."""
    await require_officer(store, actor)
    return await store.exhibitions.count_booths(BoothStatus.PENDING)


async def pending_booths(store: Store, actor: Actor, *, limit: int = 10) -> list[PendingBooth]:
    """The oldest booth requests waiting for an answer (officers only)."""
    async with store.db.read():
        await require_officer(store, actor)
        result = []
        for request in await store.exhibitions.booths(BoothStatus.PENDING, limit=limit):
            exhibition = await store.exhibitions.get(request.exhibition_id)
            citizen = await store.citizens.get(request.citizen_id)
            result.append(
                PendingBooth(
                    request=request,
                    title=format_typed_text(exhibition.title) if exhibition else None,
                    citizen_name=format_typed_text(citizen.full_name)
                    if citizen and citizen.full_name
                    else None,
                )
            )
    return result


async def ask_booth(
    store: Store,
    clock: Clock,
    actor: Actor,
    exhibition_id: int,
    *,
    zone: tzinfo,
    reminders: ExhibitionReminders | None = None,
) -> BoothAnswer | None:
    """A citizen asks for a booth: stored with its day-before reminder, or refused (a
    submitted application or a permit is needed, one request per exhibition, before the
    deadline). None when there is no such exhibition or citizen."""
    if actor.kind != "citizen" or not isinstance(actor.id, int):
        raise NotAllowed("only a citizen asks for a booth")
    citizen_id = actor.id
    async with store.db.transaction() as c:
        exhibition = await store.exhibitions.get(exhibition_id, c)
        citizen = await store.citizens.get(citizen_id, c)
        if exhibition is None or citizen is None:
            return None
        refusal = booth_refusal(
            exhibition,
            local_today(clock, zone),
            has_application=await store.exhibitions.has_application(citizen_id, c),
            already_requested=await store.exhibitions.booth_for(exhibition.id, citizen_id, c)
            is not None,
        )
        if refusal is not None:
            return BoothAnswer(exhibition, refusal=refusal)
        try:
            request = await store.exhibitions.request_booth(exhibition.id, citizen_id, c)
        except DuplicateBoothRequest:
            return BoothAnswer(exhibition, refusal=BoothRefusal.ALREADY_REQUESTED)
        if reminders is not None:
            await schedule_day_before(
                reminders, clock, zone, exhibition, citizen_id, citizen.chat_id, conn=c
            )
    return BoothAnswer(exhibition, request=request)


async def decide_booth(
    store: Store, actor: Actor, request_id: int, *, approve: bool
) -> Decided | None:
    """Approve or decline a pending booth request (officers only), audited, and tell the
    citizen through the outbox. None when it was already answered (or does not exist)."""
    status = BoothStatus.APPROVED if approve else BoothStatus.DECLINED
    async with store.db.transaction() as c:
        await require_officer(store, actor)
        decided = await store.exhibitions.decide_booth(request_id, status, str(actor), c)
        if decided is None:
            return None
        await store.audit.record(
            str(actor), f"booth.{status.value}", f"booth_request:{decided.id}", conn=c
        )
        exhibition = await store.exhibitions.get(decided.exhibition_id, c)
        citizen = await store.citizens.get(decided.citizen_id, c)
        told = False
        if citizen is not None and exhibition is not None:
            row = await store.outbox.enqueue(
                OutboxMessage(
                    chat_id=citizen.chat_id,
                    citizen_id=citizen.id,
                    kind=OutboxKind.STATUS_CHANGE.value,
                    text=booth_answer_text(status, exhibition.title, exhibition.starts_on),
                    dedupe_key=f"booth:{decided.id}:{status.value}",
                ),
                conn=c,
            )
            told = row is not None
    return Decided(decided, told)
