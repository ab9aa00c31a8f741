"""Reminders, pure: kinds, due times, whether one still makes sense, grace after downtime.

A reminder is identified by ``kind:subject:sequence`` (its dedupe key), so deriving the same
reminder twice (a hook and the periodic reconciliation) stores it once. Applications give
three kinds: an unfinished draft (sequence 1, 2, … for each configured delay after the
draft's last update), a correction not yet made and a bank visit (sequence = the id of the
status event that started the state, so a second round of corrections gets its own reminder).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from domain.models import UtcDatetime
from domain.statuses import ApplicationStatus


class ReminderKind(StrEnum):
    DRAFT_UNFINISHED = "draft_unfinished"
    CORRECTION_PENDING = "correction_pending"
    BANK_VISIT = "bank_visit"
    EXHIBITION_TOMORROW = "exhibition_tomorrow"
    # A ticket with no officer reply: its assignee (or every officer) first, then the admins.
    TICKET_OVERDUE = "ticket_overdue"
    TICKET_ESCALATED = "ticket_escalated"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"  # its outbox row was written (delivery is the sender's job)
    CANCELLED = "cancelled"  # no longer made sense: never sent
    DROPPED = "dropped"  # missed (downtime) beyond the grace period: never sent


# The application status each application kind belongs to.
KIND_STATUS: dict[ReminderKind, ApplicationStatus] = {
    ReminderKind.DRAFT_UNFINISHED: ApplicationStatus.DRAFT,
    ReminderKind.CORRECTION_PENDING: ApplicationStatus.NEEDS_CORRECTION,
    ReminderKind.BANK_VISIT: ApplicationStatus.INTRODUCED_TO_BANK,
}
APPLICATION_KINDS = frozenset(KIND_STATUS)
# Sent to officers, chosen when it fires (the reminder's chat_id is 0); never dropped for
# lateness: a ticket still unanswered after downtime is more overdue, not less.
TICKET_KINDS = frozenset({ReminderKind.TICKET_OVERDUE, ReminderKind.TICKET_ESCALATED})


class Reminder(BaseModel):
    """One stored reminder."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: int | None = None
    kind: str  # a ReminderKind value; free text so other features can add kinds
    subject: str = Field(min_length=1)  # application:12 | exhibition:3:citizen:7 | ticket:5
    sequence: str = "1"
    citizen_id: int | None = None
    chat_id: int
    due_at: UtcDatetime
    status: ReminderStatus = ReminderStatus.PENDING
    payload: dict[str, Any] = Field(default_factory=dict)  # what the text needs (no PII)
    created_at: UtcDatetime | None = None
    settled_at: UtcDatetime | None = None
    reason: str | None = None

    @property
    def dedupe_key(self) -> str:
        return dedupe_key(self.kind, self.subject, self.sequence)

    @property
    def job_name(self) -> str:
        """The JobQueue name: one job per reminder, replaced by name."""
        assert self.id is not None
        return job_name(self.id)


class ReminderDelays(BaseModel):
    """The configured delays (settings REMINDER_*_HOURS)."""

    model_config = ConfigDict(frozen=True)

    draft_hours: tuple[float, ...] = (24.0, 72.0)
    correction_hours: float = 48.0
    bank_visit_hours: float = 72.0
    grace_hours: float = 12.0

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.grace_hours)


class ApplicationState(BaseModel):
    """What the reminders need to know about one application, read in one snapshot."""

    model_config = ConfigDict(frozen=True)

    application_id: int
    citizen_id: int
    chat_id: int
    status: ApplicationStatus
    updated_at: UtcDatetime
    # The status event that moved the application into its current status, if any.
    status_event_id: int | None = None
    status_event_at: UtcDatetime | None = None


class Plan(BaseModel):
    """A reminder the current state calls for (stored unless its dedupe key exists)."""

    model_config = ConfigDict(frozen=True)

    kind: ReminderKind
    subject: str
    sequence: str
    due_at: UtcDatetime


class Verdict(StrEnum):
    SEND = "send"
    CANCEL = "cancel"
    POSTPONE = "postpone"  # the draft was touched since: due later


class Relevance(BaseModel):
    """Whether a due reminder is still worth sending (and if not, why)."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    reason: str | None = None
    due_at: UtcDatetime | None = None  # the new due time when postponed


class Timing(StrEnum):
    WAIT = "wait"  # not due yet
    FIRE = "fire"  # due, within the grace period
    DROP = "drop"  # missed by more than the grace period


def dedupe_key(kind: str, subject: str, sequence: str) -> str:
    """The reminder's identity: the same reminder is never stored twice."""
    return f"{kind}:{subject}:{sequence}"


def job_name(reminder_id: int) -> str:
    """The deterministic JobQueue name of a reminder."""
    return f"reminder:{reminder_id}"


def application_subject(application_id: int) -> str:
    """The subject of an application's reminders."""
    return f"application:{application_id}"


def exhibition_subject(exhibition_id: int, citizen_id: int) -> str:
    """The subject of one citizen's reminder about one exhibition."""
    return f"exhibition:{exhibition_id}:citizen:{citizen_id}"


def ticket_subject(ticket_id: int) -> str:
    """The subject of a ticket's service-level reminders."""
    return f"ticket:{ticket_id}"


def ticket_id_of(subject: str) -> int | None:
    """The ticket id in a ``ticket:<id>`` subject, else None."""
    prefix, _, rest = subject.partition(":")
    return int(rest) if prefix == "ticket" and rest.isdigit() else None


def application_id_of(subject: str) -> int | None:
    """The application id in an ``application:<id>`` subject, else None."""
    prefix, _, rest = subject.partition(":")
    return int(rest) if prefix == "application" and rest.isdigit() else None


def day_before(starts_on: date, zone: ZoneInfo, at: time = time(10)) -> datetime:
    """The exhibition reminder's due time: the day before it starts, at ``at`` local time."""
    return datetime.combine(starts_on - timedelta(days=1), at, tzinfo=zone)


def draft_due(updated_at: datetime, sequence: int, delays: ReminderDelays) -> datetime | None:
    """When the n-th (1-based) draft reminder is due, or None past the last configured one."""
    if not 1 <= sequence <= len(delays.draft_hours):
        return None
    return updated_at + timedelta(hours=delays.draft_hours[sequence - 1])


def plans_for(state: ApplicationState, delays: ReminderDelays) -> list[Plan]:
    """Every reminder the application's current state calls for."""
    subject = application_subject(state.application_id)
    if state.status is ApplicationStatus.DRAFT:
        plans = []
        for n in range(1, len(delays.draft_hours) + 1):
            due = draft_due(state.updated_at, n, delays)
            assert due is not None
            plans.append(
                Plan(
                    kind=ReminderKind.DRAFT_UNFINISHED, subject=subject, sequence=str(n), due_at=due
                )
            )
        return plans
    if state.status_event_id is None or state.status_event_at is None:
        return []  # moved without an event (e.g. a data fix): nothing to anchor on
    hours = {
        ApplicationStatus.NEEDS_CORRECTION: (
            ReminderKind.CORRECTION_PENDING,
            delays.correction_hours,
        ),
        ApplicationStatus.INTRODUCED_TO_BANK: (ReminderKind.BANK_VISIT, delays.bank_visit_hours),
    }.get(state.status)
    if hours is None:
        return []
    kind, delay = hours
    return [
        Plan(
            kind=kind,
            subject=subject,
            sequence=str(state.status_event_id),
            due_at=state.status_event_at + timedelta(hours=delay),
        )
    ]


def relevance(
    reminder: Reminder, state: ApplicationState | None, delays: ReminderDelays
) -> Relevance:
    """Whether an application reminder still makes sense now (checked when it fires)."""
    if state is None:
        return Relevance(verdict=Verdict.CANCEL, reason="application_gone")
    kind = ReminderKind(reminder.kind)
    wanted_status = KIND_STATUS[kind]
    if state.status is not wanted_status:
        return Relevance(verdict=Verdict.CANCEL, reason=f"status_{state.status.value}")
    if kind is ReminderKind.DRAFT_UNFINISHED:
        if not reminder.sequence.isdigit():
            return Relevance(verdict=Verdict.CANCEL, reason="bad_sequence")
        due = draft_due(state.updated_at, int(reminder.sequence), delays)
        if due is None:
            return Relevance(verdict=Verdict.CANCEL, reason="no_more_draft_reminders")
        if due > reminder.due_at:  # the citizen worked on the draft since: later
            return Relevance(verdict=Verdict.POSTPONE, reason="draft_updated", due_at=due)
        return Relevance(verdict=Verdict.SEND)
    if reminder.sequence != str(state.status_event_id):
        return Relevance(verdict=Verdict.CANCEL, reason="superseded")
    return Relevance(verdict=Verdict.SEND)


def timing(due_at: datetime, now: datetime, grace: timedelta) -> Timing:
    """Wait for it, fire it, or drop it (missed for longer than the grace period)."""
    if due_at > now:
        return Timing.WAIT
    if now - due_at > grace:
        return Timing.DROP
    return Timing.FIRE
