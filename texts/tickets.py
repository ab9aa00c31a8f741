"""What citizens and officers read of tickets, and the buttons the outbox sends with it.

The citizen reads every reply as «an officer» of the office (the bot sends it), never an
officer's own name or account. Buttons carry record ids only; ``Callback`` packs and reads
them (the conversations answer them, the services put them on outbox rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.models import Application
from domain.office_hours import OfficeHours
from domain.tickets import (
    RATINGS,
    AttachmentKind,
    Author,
    Ticket,
    TicketMessage,
    TicketStats,
    TicketView,
    preview,
)
from texts import buttons
from texts.formatting import (
    format_decimal,
    format_jalali_date,
    format_jalali_datetime,
    format_tracking_code,
    format_typed_text,
    to_persian_digits,
)
from texts.i18n import N_, _
from texts.notifications import status_label

MAX_MESSAGE = 4096  # one platform message


WRITE_BACK = N_("✍️ Write back")
OPEN_TICKET = N_("📂 Open ticket {number}")

WEEKDAY_NAMES: dict[int, str] = {
    5: N_("Saturday"),
    6: N_("Sunday"),
    0: N_("Monday"),
    1: N_("Tuesday"),
    2: N_("Wednesday"),
    3: N_("Thursday"),
    4: N_("Friday"),
}
# The Iranian week starts on Saturday.
_WEEK_ORDER = (5, 6, 0, 1, 2, 3, 4)


def number(ticket_id: int) -> str:
    """A ticket's number as people read it: «۱۲»."""
    return to_persian_digits(ticket_id)


def write_back_markup(ticket_id: int) -> dict[str, Any]:
    """«Write back» under a reply the citizen received."""
    return buttons.inline_keyboard([(_(WRITE_BACK), buttons.TicketWrite(ticket_id).pack())])


def open_markup(ticket_id: int) -> dict[str, Any]:
    """«Open ticket N» under an officer's notification."""
    label = _(OPEN_TICKET).format(number=number(ticket_id))
    return buttons.inline_keyboard([(label, buttons.TicketOpen(ticket_id).pack())])


def rating_markup(ticket_id: int) -> dict[str, Any]:
    """Five rows of stars, the best on top."""
    return buttons.inline_keyboard(
        *(
            [("⭐" * stars, buttons.TicketRate(ticket_id, stars).pack())]
            for stars in reversed(RATINGS)
        )
    )


def describe(message: TicketMessage) -> str:
    """A message in one line for a notification: its text, or what file it carries."""
    text = format_typed_text(preview(message.text)) if message.text else ""
    if message.attachment is None:
        return text
    kind = (
        _("📎 a photo")
        if message.attachment.kind is AttachmentKind.PHOTO
        else _("📎 a file (PDF or picture)")
    )
    return f"{kind}\n{text}" if text else kind


def _codes(applications: Iterable[Application]) -> str:
    codes = [format_tracking_code(a.tracking_code) for a in applications if a.tracking_code]
    return "، ".join(codes) or "—"


# --- to officers ---------------------------------------------------------------------------


def new_ticket_alert(
    ticket: Ticket, first: TicketMessage, applications: Sequence[Application]
) -> tuple[str, dict[str, Any]]:
    """The officers' notice of a new ticket: who, their applications, the first message."""
    text = _("🎫 New ticket {number} from {name}\nApplications: {codes}\n\n{message}").format(
        number=number(ticket.id),
        name=ticket.citizen_name or "—",
        codes=_codes(applications),
        message=describe(first),
    )
    return text, open_markup(ticket.id)


def citizen_message_alert(ticket: Ticket, message: TicketMessage) -> tuple[str, dict[str, Any]]:
    """The assignee's notice of the citizen's further message."""
    text = _("✉️ New message in ticket {number}:\n\n{message}").format(
        number=number(ticket.id), message=describe(message)
    )
    return text, open_markup(ticket.id)


def overdue_alert(
    ticket: Ticket, waited_hours: float, *, escalated: bool
) -> tuple[str, dict[str, Any]]:
    """A ticket left unanswered: to its assignee (or every officer), later to the admins."""
    msgid = (
        N_(
            "⚠️ Ticket {number} has waited {hours} working hours for an answer and is still "
            "unanswered. Please see that it gets one."
        )
        if escalated
        else N_("⏰ Ticket {number} has waited {hours} working hours for an answer.")
    )
    text = _(msgid).format(
        number=number(ticket.id), hours=to_persian_digits(max(1, round(waited_hours)))
    )
    return text, open_markup(ticket.id)


# --- to the citizen ------------------------------------------------------------------------


def reply_for_citizen(ticket: Ticket, text: str) -> tuple[str, dict[str, Any]]:
    """An officer's reply as the citizen reads it: from «an officer», never a person."""
    body = _("💬 Reply from our officer (ticket {number}):\n\n{text}").format(
        number=number(ticket.id), text=text
    )
    return body, write_back_markup(ticket.id)


def file_for_citizen(ticket: Ticket, caption: str | None) -> tuple[str, dict[str, Any]]:
    """The caption of a file an officer sent."""
    head = _("📎 A file from our officer (ticket {number})").format(number=number(ticket.id))
    return (f"{head}\n{caption}" if caption else head), write_back_markup(ticket.id)


def closed_notice(ticket: Ticket) -> tuple[str, dict[str, Any]]:
    """The ticket was closed: ask for a rating."""
    text = _(
        "✅ Your ticket {number} was closed. How satisfied are you with the answer? "
        "Choose from one to five stars."
    ).format(number=number(ticket.id))
    return text, rating_markup(ticket.id)


def reopened_notice(ticket: Ticket) -> tuple[str, dict[str, Any]]:
    """An officer opened the ticket again."""
    text = _("🔄 Your ticket {number} was opened again. Our officer will continue it here.").format(
        number=number(ticket.id)
    )
    return text, write_back_markup(ticket.id)


def _days(days: Iterable[int]) -> str:
    ordered = [d for d in _WEEK_ORDER if d in set(days)]
    positions = [_WEEK_ORDER.index(d) for d in ordered]
    consecutive = positions == list(range(positions[0], positions[0] + len(positions)))
    if len(ordered) > 2 and consecutive:
        return _("{first} to {last}").format(
            first=_(WEEKDAY_NAMES[ordered[0]]), last=_(WEEKDAY_NAMES[ordered[-1]])
        )
    return "، ".join(_(WEEKDAY_NAMES[d]) for d in ordered)


def _clock(value: Any) -> str:
    return to_persian_digits(f"{value.hour}:{value.minute:02d}")


def office_hours_text(hours: OfficeHours) -> str:
    """«Our officers answer Saturday to Wednesday, 8:00 to 14:00 (not on holidays).»"""
    return _("Our officers answer {days}, from {opens} to {closes}, except on holidays.").format(
        days=_days(hours.days), opens=_clock(hours.opens), closes=_clock(hours.closes)
    )


def outside_hours_text(hours: OfficeHours, now: datetime) -> str:
    """Outside office hours: when an answer can be expected."""
    opening = hours.next_opening(now).astimezone(hours.zone)
    when = _("{day} {date}, from {time}").format(
        day=_(WEEKDAY_NAMES[opening.weekday()]),
        date=format_jalali_date(opening, hours.zone),
        time=_clock(opening),
    )
    return _(
        "{hours} It is outside office hours now: your message is saved, and you can expect an "
        "answer from {when}."
    ).format(hours=office_hours_text(hours), when=when)


# --- what an officer reads in the bot --------------------------------------------------------


def _author(message: TicketMessage) -> str:
    if message.author is Author.CITIZEN:
        return _("👤 Citizen")
    name = message.officer_name or to_persian_digits(message.officer_id or 0)
    return _("🔒 Note by {name}").format(name=name) if message.internal else f"🧑‍💼 {name}"


def _message_block(message: TicketMessage, zone: ZoneInfo) -> str:
    stamp = format_jalali_datetime(message.created_at, zone) if message.created_at else ""
    lines = [f"{_author(message)} — {stamp}"]
    if message.attachment is not None:
        lines.append(describe(message.model_copy(update={"text": None})))
    if message.text:
        lines.append(message.text)
    return "\n".join(lines)


def _status_line(ticket: Ticket, officer: str | None, waited_hours: float) -> str:
    if not ticket.is_open:
        return _("Closed on {date}.").format(
            date=format_jalali_date(ticket.closed_at) if ticket.closed_at else "—"
        )
    who = officer or _("nobody yet")
    if ticket.waiting:
        return _("Open; officer: {officer}; waiting {hours} working hours for an answer.").format(
            officer=who, hours=to_persian_digits(round(waited_hours))
        )
    return _("Open; officer: {officer}; answered.").format(officer=who)


def card_text(
    view: TicketView,
    *,
    officer: str | None,
    waited_hours: float,
    zone: ZoneInfo,
) -> str:
    """A ticket as an officer opens it: status, the citizen's applications, the latest messages.

    ``officer`` names the assignee (None: nobody).
    """
    ticket = view.ticket
    head = [
        _("🎫 Ticket {number} — {name}").format(
            number=number(ticket.id), name=ticket.citizen_name or "—"
        ),
        _("Opened on {date}.").format(date=format_jalali_datetime(ticket.opened_at, zone)),
        _status_line(ticket, officer, waited_hours),
    ]
    if ticket.rating is not None:
        head.append(_("Rating: {stars}").format(stars="⭐" * ticket.rating))
    if view.applications:
        head.append(_("Applications:"))
        head += [
            f"• {format_tracking_code(a.tracking_code) if a.tracking_code else '—'}"
            f" — {status_label(a.status)}"
            for a in view.applications
        ]
    else:
        head.append(_("No application yet."))
    text = "\n".join(head)
    blocks: list[str] = []
    room = MAX_MESSAGE - len(text) - 100
    for message in reversed(view.messages):
        block = _message_block(message, zone)
        if len(block) + 2 > room:
            blocks.append(_("… earlier messages are not shown."))
            break
        blocks.append(block)
        room -= len(block) + 2
    return "\n\n".join([text, *reversed(blocks)])


def list_label(ticket: Ticket, *, mine: bool, waited_hours: float) -> str:
    """One ticket as an inbox button: number, name, who has it, how long it waits."""
    if ticket.assignee is None:
        who = _("🆕 new")
    elif mine:
        who = _("👤 mine")
    else:
        who = _("👥 another officer")
    label = f"{number(ticket.id)} · {ticket.citizen_name or '—'} · {who}"
    if ticket.waiting:
        label += " · ⏳" + to_persian_digits(round(waited_hours))
    return label[:60]


def inbox_text(tickets: Sequence[Ticket]) -> str:
    """The head of the inbox."""
    if not tickets:
        return _("No open tickets. 🎉")
    waiting = sum(1 for t in tickets if t.waiting)
    new = sum(1 for t in tickets if t.assignee is None)
    return _("Open tickets: {open}; waiting for an answer: {waiting}; not taken: {new}.").format(
        open=to_persian_digits(len(tickets)),
        waiting=to_persian_digits(waiting),
        new=to_persian_digits(new),
    )


# --- `homebiz stats` -----------------------------------------------------------------------


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return _("{minutes} minutes").format(minutes=to_persian_digits(minutes))
    if minutes < 48 * 60:
        return _("{hours} hours").format(hours=format_decimal(minutes / 60))
    return _("{days} days").format(days=format_decimal(minutes / 60 / 24))


def stats_lines(stats: TicketStats) -> list[str]:
    """The ticket figures of `homebiz stats`."""
    rating = (
        "—"
        if stats.mean_rating is None
        else _("{mean} of 5, from {count} ratings").format(
            mean=format_decimal(stats.mean_rating),
            count=to_persian_digits(stats.ratings),
        )
    )
    return [
        _("Tickets opened: {opened}; answered by an officer: {answered}; closed: {closed}").format(
            opened=to_persian_digits(stats.opened),
            answered=to_persian_digits(stats.answered),
            closed=to_persian_digits(stats.closed),
        ),
        _("Median time to the first reply: {first}; median time to close: {close}").format(
            first=_duration(stats.median_first_reply), close=_duration(stats.median_close)
        ),
        _("Mean rating: {rating}").format(rating=rating),
    ]
