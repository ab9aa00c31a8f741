"""Tickets: a citizen's conversation with the officers, its messages, service levels and figures.

A citizen has at most one open ticket; everything they write while it is open joins it.
Officers take it (assignment), reply (the citizen reads «an officer», never an officer's own
account), add internal notes the citizen never sees, close and reopen it; on close the
citizen rates it 1–5. A ticket *waits* from the first citizen message no officer has
answered yet; its service-level reminders count working hours from that moment.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.models import Application, Record, UtcDatetime
from domain.office_hours import OfficeHours
from domain.reminders import Plan, Relevance, Reminder, ReminderKind, Verdict, ticket_subject

CANNED_REPLIES_FILE = "canned_replies.yaml"

MAX_TEXT_CHARS = 3000  # one message: a reply header fits beside it in one platform message
MAX_CAPTION_CHARS = 800  # a file's caption (the platform allows 1024 with our header)
PREVIEW_CHARS = 300  # what an officer's notification quotes of a message
RATINGS = range(1, 6)


class TicketStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Author(StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"  # a PDF (or a picture sent as a file)


class TicketSource(StrEnum):
    CONTACT = "contact"  # «☎️ Contact an officer»
    FAQ = "faq"  # the FAQ had no answer


class Attachment(BaseModel):
    """A checked file in a ticket: stored on disk, and re-sent by the platform's file id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: AttachmentKind
    file_id: str = Field(min_length=1)
    # The platform whose bot received it: only that bot can send it on by file_id (None: the
    # first bot's); the other one sends the stored copy.
    platform: str | None = None
    stored_name: str  # relative to DATA_DIR/files
    sha256: str
    mime_type: str
    size_bytes: int = Field(ge=0)


class TicketMessage(Record):
    """One message of a ticket: the citizen's, an officer's reply, or an internal note."""

    id: int | None = None
    ticket_id: int
    author: Author
    officer_id: int | None = None  # the officer's user id (replies and notes)
    officer_name: str | None = None  # shown to officers only
    internal: bool = False  # a note: officers only, never the citizen
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    attachment: Attachment | None = None
    canned_code: str | None = None  # the canned reply it came from
    created_at: UtcDatetime | None = None


class Ticket(Record):
    """One ticket; the number a citizen sees is its id."""

    id: int
    citizen_id: int
    chat_id: int
    citizen_name: str | None = None
    status: TicketStatus = TicketStatus.OPEN
    source: TicketSource = TicketSource.CONTACT
    assignee: int | None = None  # the officer's user id
    assignee_platform: str | None = None  # and platform (None: the first bot's)
    opened_at: UtcDatetime
    # The first citizen message no officer has answered yet (None: the citizen has an answer).
    waiting_since: UtcDatetime | None = None
    waiting_message_id: int | None = None
    first_reply_at: UtcDatetime | None = None
    last_activity_at: UtcDatetime
    closed_at: UtcDatetime | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    rated_at: UtcDatetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status is TicketStatus.OPEN

    @property
    def waiting(self) -> bool:
        """An open ticket whose citizen waits for an officer."""
        return self.is_open and self.waiting_message_id is not None


class TicketView(BaseModel):
    """A ticket with its messages and the citizen's applications, as an officer opens it."""

    model_config = ConfigDict(frozen=True)

    ticket: Ticket
    messages: tuple[TicketMessage, ...]
    applications: tuple[Application, ...] = ()


class TicketClosed(Exception):
    """The ticket is closed: it takes no more messages, replies or notes."""


class TicketConflict(Exception):
    """Reopening would give the citizen two open tickets."""

    def __init__(self, open_ticket_id: int) -> None:
        super().__init__(f"the citizen already has open ticket {open_ticket_id}")
        self.open_ticket_id = open_ticket_id


def preview(text: str | None, limit: int = PREVIEW_CHARS) -> str:
    """The start of a message, cut at a word where possible."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…"


# --- canned replies (data/canned_replies.yaml) -------------------------------------------


class CannedReply(BaseModel):
    """A reply an officer sends with two presses: its title is the button."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


class CannedRepliesFile(BaseModel):
    """data/canned_replies.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    replies: tuple[CannedReply, ...] = Field(min_length=1)


def canned_problems(file: CannedRepliesFile) -> list[str]:
    """What the schema cannot see: a code used twice."""
    seen: set[str] = set()
    problems = []
    for index, reply in enumerate(file.replies):
        if reply.code in seen:
            problems.append(f"replies[{index}].code: duplicate code {reply.code!r}")
        seen.add(reply.code)
    return problems


# --- service levels ----------------------------------------------------------------------


class SlaHours(BaseModel):
    """Working hours without an officer reply before the assignee, then the admins, hear."""

    model_config = ConfigDict(frozen=True)

    remind_hours: float = Field(default=4.0, gt=0)
    escalate_hours: float = Field(default=8.0, gt=0)


def sla_plans(ticket: Ticket, hours: OfficeHours, sla: SlaHours) -> list[Plan]:
    """The reminders a waiting ticket calls for (none when it is answered or closed).

    The sequence is the first unanswered message's id: a new wait gets new reminders.
    """
    if not ticket.waiting or ticket.waiting_since is None:
        return []
    subject = ticket_subject(ticket.id)
    sequence = str(ticket.waiting_message_id)
    return [
        Plan(
            kind=kind,
            subject=subject,
            sequence=sequence,
            due_at=hours.add_working_hours(ticket.waiting_since, delay),
        )
        for kind, delay in (
            (ReminderKind.TICKET_OVERDUE, sla.remind_hours),
            (ReminderKind.TICKET_ESCALATED, sla.escalate_hours),
        )
    ]


def sla_relevance(reminder: Reminder, ticket: Ticket | None) -> Relevance:
    """Whether a ticket reminder still makes sense: the same wait is still unanswered."""
    if ticket is None:
        return Relevance(verdict=Verdict.CANCEL, reason="ticket_gone")
    if not ticket.is_open:
        return Relevance(verdict=Verdict.CANCEL, reason="ticket_closed")
    if not ticket.waiting or reminder.sequence != str(ticket.waiting_message_id):
        return Relevance(verdict=Verdict.CANCEL, reason="answered")
    return Relevance(verdict=Verdict.SEND)


# --- figures for `homebiz stats` ---------------------------------------------------------


class TicketStats(BaseModel):
    """Tickets opened in a period and how they went."""

    model_config = ConfigDict(frozen=True)

    opened: int = 0
    answered: int = 0  # got at least one officer reply
    closed: int = 0
    median_first_reply: timedelta | None = None
    median_close: timedelta | None = None
    mean_rating: float | None = None
    ratings: int = 0


def _median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def ticket_stats(tickets: Iterable[Ticket]) -> TicketStats:
    """The figures of these tickets (those opened in the period)."""
    listed = list(tickets)
    replies = [t.first_reply_at - t.opened_at for t in listed if t.first_reply_at is not None]
    closes = [
        t.closed_at - t.opened_at
        for t in listed
        if t.status is TicketStatus.CLOSED and t.closed_at is not None
    ]
    ratings = [t.rating for t in listed if t.rating is not None]
    return TicketStats(
        opened=len(listed),
        answered=len(replies),
        closed=len(closes),
        median_first_reply=_median(replies),
        median_close=_median(closes),
        mean_rating=statistics.fmean(ratings) if ratings else None,
        ratings=len(ratings),
    )


def waited(ticket: Ticket, now: datetime, hours: OfficeHours) -> float:
    """Working hours the citizen has waited for an answer (0 when answered or closed)."""
    if not ticket.waiting or ticket.waiting_since is None:
        return 0.0
    return hours.working_hours_between(ticket.waiting_since, now)
