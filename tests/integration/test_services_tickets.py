"""The ticket services on a real SQLite file: a citizen's messages, officers' actions with their
audit and outbox rows in one transaction, refusals that write nothing, service levels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from bot.workers.reminders import ReminderService
from config.settings import Settings
from domain.accounts import Account
from domain.reminders import ReminderKind, ReminderStatus
from domain.statuses import PlanType
from domain.tickets import Attachment, AttachmentKind, TicketClosed, TicketConflict
from handlers.context import Services
from services import officers, ticket_desk, tickets
from services.actors import Actor
from services.errors import NotAllowed
from services.tickets import Content, NotRateable
from storage import Store
from tests.catalogues import parsed_catalogue
from tests.clock import FakeClock
from tests.conftest import migrated
from texts.buttons import TicketRate, TicketWrite

ADMIN = 900001  # OFFICER_IDS
OFFICER = 900002  # added by the admin in the bot
OFFICER_ACTOR = Actor("officer", OFFICER)
ADMIN_ACTOR = Actor("officer", ADMIN)
TEHRAN = ZoneInfo("Asia/Tehran")
SATURDAY_TEN = datetime(2025, 11, 1, 10, 0, tzinfo=TEHRAN)  # 1404/08/10, a working morning
PHOTO = Attachment(
    kind=AttachmentKind.PHOTO,
    file_id="photo-file-id",
    stored_name="2025/11/x.jpg",
    sha256="0" * 64,
    mime_type="image/jpeg",
    size_bytes=1234,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SATURDAY_TEN.astimezone(UTC))


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(migrated(tmp_path / "bot.sqlite3"), clock=clock)
    opened.officers.configure({Account("telegram", ADMIN)}, "telegram")
    await opened.officers.add("telegram", OFFICER, f"officer:{ADMIN}", name="رضا")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def reminders(tmp_path: Path, store: Store, clock: FakeClock) -> ReminderService:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    return ReminderService(Services(settings, store, parsed_catalogue(), clock))


async def citizen(store: Store, user_id: int) -> Actor:
    return await tickets.citizen_actor(store, "telegram", user_id, user_id)


async def rows(store: Store, sql: str, *params: object) -> list[tuple[object, ...]]:
    async with store.db.read() as c, c.execute(sql, params) as cur:
        return [tuple(row) for row in await cur.fetchall()]


async def outbox(store: Store) -> list[tuple[object, ...]]:
    return await rows(
        store, "SELECT chat_id, kind, text, reply_markup_json, attachment_json FROM outbox"
    )


async def written(store: Store) -> tuple[int, int, int, int]:
    """Counts of what a refused call must not have written."""
    (counts,) = await rows(
        store,
        "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM ticket_messages),"
        " (SELECT COUNT(*) FROM outbox), (SELECT COUNT(*) FROM audit_log)",
    )
    return counts  # type: ignore[return-value]


async def write(store: Store, who: Actor, text: str, **kwargs: object) -> tickets.Written:
    return await tickets.write(
        store,
        store.db.now,
        who,
        Content(text=text),
        chat_id=int(str(who.id)) + 7000,
        citizen_name="مریم احمدی",
        **kwargs,  # type: ignore[arg-type]
    )


async def test_a_citizen_opens_a_ticket_and_every_officer_hears(store: Store) -> None:
    maryam = await citizen(store, 11)
    assert maryam.kind == "citizen"
    app = await store.applications.create_draft(int(maryam.id), PlanType.INDEPENDENT)

    first = await write(store, maryam, "وام من کی پرداخت می‌شود؟")
    assert first.opened and first.ticket.is_open and first.ticket.waiting
    assert first.ticket.waiting_message_id == first.message.id
    alerts = await outbox(store)
    assert sorted(a[0] for a in alerts) == [ADMIN, OFFICER]
    assert all("وام من کی پرداخت" in str(a[2]) for a in alerts)
    assert all(f"tko:o:{first.ticket.id}" in str(a[3]) for a in alerts)
    assert await store.tickets.application_ids(first.ticket.id) == [app.id]

    again = await write(store, maryam, "کد رهگیری را هم می‌فرستم")
    assert not again.opened and again.ticket.id == first.ticket.id
    assert again.ticket.waiting_message_id == first.message.id  # still the first unanswered
    assert len(await outbox(store)) == 2, "nobody took it: no second alert"


async def test_a_reply_reaches_the_citizen_as_our_officer_and_ends_the_wait(
    store: Store, clock: FakeClock
) -> None:
    maryam = await citizen(store, 12)
    opened = (await write(store, maryam, "سلام")).ticket
    clock.advance(minutes=30)
    message = await ticket_desk.reply(
        store, clock, OFFICER_ACTOR, opened.id, Content(text="سلام، بررسی شد."), officer_name="رضا"
    )
    ticket = await store.tickets.get(opened.id)
    assert ticket is not None and not ticket.waiting
    assert ticket.assignee == OFFICER, "replying to a ticket nobody took takes it"
    assert ticket.first_reply_at == clock() and message.officer_id == OFFICER
    chat, kind, text, markup, attachment = (await outbox(store))[-1]
    assert chat == opened.chat_id and kind == "ticket_reply" and attachment is None
    assert "سلام، بررسی شد." in str(text) and "رضا" not in str(text)
    assert TicketWrite(opened.id).pack() in str(markup)
    (audit,) = await store.audit.list(subject=f"ticket:{opened.id}")
    assert (audit.actor, audit.action) == (f"officer:{OFFICER}", "ticket_reply")
    assert "سلام" not in str(audit.after), "the audit names the message, not its words"

    await ticket_desk.reply(
        store, clock, OFFICER_ACTOR, opened.id, Content(attachment=PHOTO), officer_name="رضا"
    )
    _chat, _kind, caption, _markup, sent_file = (await outbox(store))[-1]
    assert '"photo-file-id"' in str(sent_file) and '"photo"' in str(sent_file)
    assert str(caption).startswith("📎")


async def test_a_note_is_for_officers_only(store: Store) -> None:
    maryam = await citizen(store, 13)
    ticket = (await write(store, maryam, "سلام")).ticket
    before = len(await outbox(store))
    await ticket_desk.note(
        store, store.db.now, ADMIN_ACTOR, ticket.id, "پرونده ناقص است", officer_name=None
    )
    assert len(await outbox(store)) == before, "the citizen hears nothing of a note"
    officer_view = await ticket_desk.view(store, ADMIN_ACTOR, ticket.id)
    assert [m.internal for m in officer_view.messages] == [False, True]
    own = await tickets.own_ticket(store, maryam, ticket.id)
    assert [m.text for m in own.messages] == ["سلام"]
    actions = [e.action for e in await store.audit.list(subject=f"ticket:{ticket.id}")]
    assert actions == ["ticket_view", "ticket_note"]


async def test_close_asks_for_a_rating_that_only_the_owner_gives_once(
    store: Store, clock: FakeClock
) -> None:
    maryam, other = await citizen(store, 14), await citizen(store, 15)
    ticket = (await write(store, maryam, "سلام")).ticket
    with pytest.raises(NotRateable):
        await tickets.rate(store, clock, maryam, ticket.id, 5)
    closed = await ticket_desk.close(store, clock, OFFICER_ACTOR, ticket.id)
    assert not closed.is_open and closed.closed_at == clock()
    _chat, _kind, _text, markup, _file = (await outbox(store))[-1]
    assert all(TicketRate(ticket.id, n).pack() in str(markup) for n in range(1, 6))

    with pytest.raises(NotAllowed):
        await tickets.rate(store, clock, other, ticket.id, 1)
    with pytest.raises(NotAllowed):
        await tickets.own_ticket(store, other, ticket.id)
    rated = await tickets.rate(store, clock, maryam, ticket.id, 4)
    assert rated.rating == 4
    with pytest.raises(NotRateable):
        await tickets.rate(store, clock, maryam, ticket.id, 1)
    with pytest.raises(TicketClosed):
        await ticket_desk.reply(
            store, clock, OFFICER_ACTOR, ticket.id, Content(text="x"), officer_name=None
        )

    # Written again after closing: a new ticket.
    newer = await write(store, maryam, "یک پرسش دیگر")
    assert newer.opened and newer.ticket.id != ticket.id
    with pytest.raises(TicketConflict):
        await ticket_desk.reopen(store, clock, ADMIN_ACTOR, ticket.id)
    await ticket_desk.close(store, clock, ADMIN_ACTOR, newer.ticket.id)
    reopened = await ticket_desk.reopen(store, clock, ADMIN_ACTOR, ticket.id)
    assert reopened.is_open and reopened.closed_at is None
    text = str((await outbox(store))[-1][2])
    assert "🔄" in text
    actions = [e.action for e in await store.audit.list(subject=f"ticket:{ticket.id}")]
    assert actions == ["ticket_reopen", "ticket_close"]


async def test_a_non_officer_is_refused_and_nothing_is_written(store: Store) -> None:
    maryam = await citizen(store, 16)
    ticket = (await write(store, maryam, "سلام")).ticket
    await store.officers.remove("telegram", OFFICER, f"officer:{ADMIN}")
    before = await written(store)
    for actor in (maryam, Actor("officer", OFFICER), Actor("officer", 123), Actor("system", "x")):
        with pytest.raises(NotAllowed):
            await ticket_desk.take(store, store.db.now, actor, ticket.id)
        with pytest.raises(NotAllowed):
            await ticket_desk.reply(
                store, store.db.now, actor, ticket.id, Content(text="x"), officer_name=None
            )
        with pytest.raises(NotAllowed):
            await ticket_desk.note(store, store.db.now, actor, ticket.id, "x", officer_name=None)
        with pytest.raises(NotAllowed):
            await ticket_desk.close(store, store.db.now, actor, ticket.id)
        with pytest.raises(NotAllowed):
            await ticket_desk.view(store, actor, ticket.id)
        with pytest.raises(NotAllowed):
            await ticket_desk.open_tickets(store, actor)
    with pytest.raises(NotAllowed):  # an officer is no citizen: writes no ticket
        await write(store, ADMIN_ACTOR, "x")
    assert await written(store) == before
    current = await store.tickets.get(ticket.id)
    assert current is not None and current.is_open and current.assignee is None


class Failing:
    """A reminder hook that fails after the service wrote its rows."""

    async def sync_ticket(self, ticket_id: int, *, conn: aiosqlite.Connection | None = None) -> int:
        raise RuntimeError("disk full")


async def test_a_failure_half_way_writes_nothing(store: Store) -> None:
    maryam = await citizen(store, 17)
    with pytest.raises(RuntimeError):
        await write(store, maryam, "سلام", reminders=Failing())
    assert await written(store) == (0, 0, 0, 1)  # only the officer added by the fixture
    ticket = (await write(store, maryam, "سلام")).ticket
    before = await written(store)
    with pytest.raises(RuntimeError):
        await ticket_desk.reply(
            store,
            store.db.now,
            OFFICER_ACTOR,
            ticket.id,
            Content(text="x"),
            officer_name=None,
            reminders=Failing(),
        )
    assert await written(store) == before


async def test_a_service_joins_the_callers_transaction(store: Store) -> None:
    maryam = await citizen(store, 18)
    with pytest.raises(ZeroDivisionError):
        async with store.db.transaction():
            await write(store, maryam, "سلام")
            raise ZeroDivisionError
    assert (await written(store))[:3] == (0, 0, 0)


async def test_service_levels_remind_the_assignee_then_every_admin(
    store: Store, clock: FakeClock, reminders: ReminderService
) -> None:
    maryam = await citizen(store, 19)
    ticket = (await write(store, maryam, "سلام", reminders=reminders)).ticket
    await ticket_desk.take(store, clock, OFFICER_ACTOR, ticket.id)
    pending = await reminders.repo.pending()
    assert [(r.kind, r.due_at) for r in pending] == [
        (ReminderKind.TICKET_OVERDUE, datetime(2025, 11, 1, 14, 0, tzinfo=TEHRAN)),
        (ReminderKind.TICKET_ESCALATED, datetime(2025, 11, 2, 12, 0, tzinfo=TEHRAN)),
    ]
    alerts = len(await outbox(store))

    clock.now = datetime(2025, 11, 1, 14, 0, tzinfo=TEHRAN)
    assert len((await reminders.run_due()).sent) == 1
    (reminded,) = (await outbox(store))[alerts:]
    assert reminded[0] == OFFICER and "⏰" in str(reminded[2]) and "۴" in str(reminded[2])

    # Downtime past the grace period: an overdue ticket is escalated all the same.
    clock.now = datetime(2025, 11, 5, 12, 0, tzinfo=TEHRAN)
    assert len((await reminders.run_due()).sent) == 1
    (escalated,) = (await outbox(store))[alerts + 1 :]
    assert escalated[0] == ADMIN and "⚠️" in str(escalated[2])
    assert await reminders.reconcile() == 0, "nothing derived twice"


async def test_a_reply_cancels_the_reminders_and_a_new_message_starts_new_ones(
    store: Store, clock: FakeClock, reminders: ReminderService
) -> None:
    maryam = await citizen(store, 20)
    ticket = (await write(store, maryam, "سلام", reminders=reminders)).ticket
    await ticket_desk.reply(
        store,
        clock,
        ADMIN_ACTOR,
        ticket.id,
        Content(text="بفرمایید"),
        officer_name=None,
        reminders=reminders,
    )
    counts = await reminders.repo.counts()
    assert (counts["pending"], counts["cancelled"]) == (0, 2)
    clock.advance(hours=1)
    await write(store, maryam, "ممنون، یک پرسش دیگر", reminders=reminders)
    assert len(await reminders.repo.pending()) == 2
    # Derived again from the store (a hook forgotten, a restart): nothing new.
    assert await reminders.reconcile() == 0
    await ticket_desk.close(store, clock, ADMIN_ACTOR, ticket.id, reminders=reminders)
    assert await reminders.repo.pending() == []
    clock.advance(days=10)
    assert (await reminders.run_due()).sent == []
    assert all(
        r.status is not ReminderStatus.PENDING
        for r in await reminders.repo.for_subject(f"ticket:{ticket.id}")
    )


async def test_figures_of_the_tickets_opened_in_a_period(store: Store, clock: FakeClock) -> None:
    for user_id, minutes, stars in ((21, 30, 5), (22, 90, 3), (23, None, None)):
        ticket = (await write(store, await citizen(store, user_id), "سلام")).ticket
        if minutes is None:
            continue
        clock.advance(minutes=minutes)
        await ticket_desk.reply(
            store, clock, ADMIN_ACTOR, ticket.id, Content(text="پاسخ"), officer_name=None
        )
        await ticket_desk.close(store, clock, ADMIN_ACTOR, ticket.id)
        assert stars is not None
        await tickets.rate(store, clock, Actor("citizen", ticket.citizen_id), ticket.id, stars)
    stats = await tickets.statistics(store)
    assert (stats.opened, stats.answered, stats.closed, stats.ratings) == (3, 2, 2, 2)
    assert stats.mean_rating == 4.0
    assert stats.median_first_reply is not None and stats.median_first_reply >= timedelta(0)
    later = await tickets.statistics(store, since=clock() + timedelta(days=1))
    assert later.opened == 0


def test_homebiz_stats_prints_the_ticket_figures_before_the_faq_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`homebiz stats`: tickets opened, answered, median times, mean rating, then the FAQ."""
    import asyncio

    from bot.cli import main

    data_dir = tmp_path / "data"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    clock = FakeClock(datetime.now(UTC) - timedelta(hours=3))

    async def seed() -> None:
        store = await Store.open(data_dir / "homebiz.db", clock=clock)
        store.officers.configure({Account("telegram", ADMIN)}, "telegram")
        try:
            for user_id, minutes, stars in ((31, 30, 5), (32, 90, 4), (33, None, None)):
                ticket = (await write(store, await citizen(store, user_id), "سلام")).ticket
                if minutes is None:
                    continue
                clock.advance(minutes=minutes)
                content = Content(text="پاسخ")
                await ticket_desk.reply(
                    store, clock, ADMIN_ACTOR, ticket.id, content, officer_name=None
                )
                await ticket_desk.close(store, clock, ADMIN_ACTOR, ticket.id)
                who = Actor("citizen", ticket.citizen_id)
                assert stars is not None
                await tickets.rate(store, clock, who, ticket.id, stars)
        finally:
            await store.close()

    asyncio.run(seed())
    assert main(["stats"]) == 0
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert lines[-4] == "تیکت‌های بازشده: ۳؛ پاسخ‌گرفته از کارشناس: ۲؛ بسته‌شده: ۲"
    # First replies after 30 and 90 minutes, closed with them: an hour, in the middle.
    assert lines[-3] == "میانهٔ زمان تا نخستین پاسخ: ۱ ساعت؛ میانهٔ زمان تا بستن: ۱ ساعت"
    assert lines[-2] == "میانگین امتیاز: ۴٫۵ از ۵، از ۲ امتیاز"
    assert lines[-1] == "هنوز پرسشی نوشته نشده است."  # the FAQ share line, last


async def test_an_officer_on_bale_answers_a_telegram_citizen_each_on_their_own_bot(
    store: Store, clock: FakeClock
) -> None:
    """Officers may sit on either platform: notices to them go out on theirs (issue 13)."""
    await store.officers.add("bale", 77, f"officer:{ADMIN}", name="زهرا")
    on_bale = Actor("officer", 77, "bale")
    maryam = await citizen(store, 13)  # on Telegram
    opened = (await write(store, maryam, "سلام")).ticket
    alerts = await rows(store, "SELECT chat_id, platform FROM outbox ORDER BY id")
    assert sorted(alerts) == [(77, "bale"), (ADMIN, "telegram"), (OFFICER, "telegram")]

    await ticket_desk.take(store, clock, on_bale, opened.id)
    taken = await store.tickets.get(opened.id)
    assert taken is not None and (taken.assignee, taken.assignee_platform) == (77, "bale")
    # the Telegram officer with the same number is someone else: not the assignee
    assert officers.assignee_account(store, taken) == Account("bale", 77)

    bale_photo = PHOTO.model_copy(update={"platform": "bale"})
    await ticket_desk.reply(
        store, clock, on_bale, opened.id, Content(attachment=bale_photo), officer_name="زهرا"
    )
    (reply,) = await rows(
        store, "SELECT platform, attachment_json FROM outbox WHERE kind = 'ticket_reply'"
    )
    assert reply[0] == "telegram", "the citizen's bot delivers it"
    assert '"platform":"bale"' in str(reply[1]) and '"stored_name"' in str(reply[1])

    await write(store, maryam, "ممنون، یک سؤال دیگر")
    (last_chat, last_platform) = (await rows(store, "SELECT chat_id, platform FROM outbox"))[-1]
    assert (last_chat, last_platform) == (77, "bale"), "the assignee hears on Bale"
    (audit,) = [
        e
        for e in await store.audit.list(subject=f"ticket:{opened.id}")
        if e.action == "ticket_take"
    ]
    assert audit.actor == "officer:bale:77"
