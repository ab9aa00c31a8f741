"""Ticket rules: service-level reminders counted in working hours, whether one still makes
sense when it fires, and the figures `homebiz stats` prints."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.office_hours import OfficeHours
from domain.reminders import Reminder, ReminderKind, Verdict, ticket_id_of, ticket_subject
from domain.tickets import (
    SlaHours,
    Ticket,
    TicketStatus,
    preview,
    sla_plans,
    sla_relevance,
    ticket_stats,
    waited,
)

TEHRAN = ZoneInfo("Asia/Tehran")
HOURS = OfficeHours.of((5, 6, 0, 1, 2), time(8), time(14))
SLA = SlaHours(remind_hours=4, escalate_hours=8)
OPENED = datetime(2025, 11, 5, 12, 0, tzinfo=TEHRAN)  # a Wednesday, two hours before closing


def ticket(**fields: object) -> Ticket:
    values: dict[str, object] = {
        "id": 5,
        "citizen_id": 7,
        "chat_id": 700,
        "opened_at": OPENED,
        "last_activity_at": OPENED,
        "waiting_since": OPENED,
        "waiting_message_id": 31,
    }
    values.update(fields)
    return Ticket.model_validate(values)


def reminder(kind: ReminderKind, sequence: str = "31") -> Reminder:
    return Reminder(
        kind=kind, subject=ticket_subject(5), sequence=sequence, chat_id=0, due_at=OPENED
    )


def test_a_waiting_ticket_reminds_after_working_hours_then_escalates() -> None:
    remind, escalate = sla_plans(ticket(), HOURS, SLA)
    assert (remind.kind, remind.subject, remind.sequence) == (
        ReminderKind.TICKET_OVERDUE,
        "ticket:5",
        "31",
    )
    # Two hours on Wednesday; Thursday and Friday are not working days.
    assert remind.due_at == datetime(2025, 11, 8, 10, 0, tzinfo=TEHRAN)
    assert escalate.kind is ReminderKind.TICKET_ESCALATED
    assert escalate.due_at == datetime(2025, 11, 8, 14, 0, tzinfo=TEHRAN)  # two + six
    assert ticket_id_of(remind.subject) == 5 and ticket_id_of("application:5") is None


def test_an_answered_or_closed_ticket_calls_for_no_reminder() -> None:
    assert sla_plans(ticket(waiting_since=None, waiting_message_id=None), HOURS, SLA) == []
    assert sla_plans(ticket(status=TicketStatus.CLOSED), HOURS, SLA) == []


def test_a_reminder_fires_only_for_the_same_unanswered_wait() -> None:
    overdue = reminder(ReminderKind.TICKET_OVERDUE)
    assert sla_relevance(overdue, ticket()).verdict is Verdict.SEND
    answered = sla_relevance(overdue, ticket(waiting_since=None, waiting_message_id=None))
    assert (answered.verdict, answered.reason) == (Verdict.CANCEL, "answered")
    newer_wait = sla_relevance(overdue, ticket(waiting_message_id=40))
    assert newer_wait.verdict is Verdict.CANCEL
    closed = sla_relevance(overdue, ticket(status=TicketStatus.CLOSED))
    assert (closed.verdict, closed.reason) == (Verdict.CANCEL, "ticket_closed")
    assert sla_relevance(overdue, None).reason == "ticket_gone"


def test_the_wait_is_counted_in_working_hours() -> None:
    saturday_ten = datetime(2025, 11, 8, 10, 0, tzinfo=TEHRAN)
    assert waited(ticket(), saturday_ten, HOURS) == 4
    assert waited(ticket(waiting_message_id=None), saturday_ten, HOURS) == 0


def test_figures_medians_and_mean_rating() -> None:
    h = timedelta(hours=1)
    tickets = [
        ticket(id=1, first_reply_at=OPENED + 1 * h),
        ticket(
            id=2,
            first_reply_at=OPENED + 3 * h,
            status=TicketStatus.CLOSED,
            closed_at=OPENED + 10 * h,
            rating=5,
        ),
        ticket(
            id=3,
            first_reply_at=OPENED + 2 * h,
            status=TicketStatus.CLOSED,
            closed_at=OPENED + 20 * h,
            rating=2,
        ),
        ticket(id=4),
    ]
    stats = ticket_stats(tickets)
    assert (stats.opened, stats.answered, stats.closed, stats.ratings) == (4, 3, 2, 2)
    assert stats.median_first_reply == 2 * h
    assert stats.median_close == 15 * h
    assert stats.mean_rating == 3.5
    empty = ticket_stats([])
    assert (empty.opened, empty.median_first_reply, empty.mean_rating) == (0, None, None)


def test_a_preview_is_cut_at_a_word() -> None:
    assert preview("  سلام  ") == "سلام"
    long = "واژه " * 100
    cut = preview(long, limit=22)
    assert cut.endswith("…") and len(cut) <= 23 and not cut[:-1].endswith(" ")
    assert datetime.now(UTC)  # the module imports cleanly without a clock of its own
