"""Tickets walked through the emulator: a citizen's question answered by an officer inside the
bot, service levels on a moved clock, refusals of forged buttons, and Bale's flavour."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from botapi_emulator import BotMessage, Citizen, Emulator
from botapi_emulator.bot_message import newest_with_button
from domain.reminders import ReminderStatus
from domain.tickets import Ticket
from handlers.menu import MenuItem, label
from storage import Store
from tests.clock import ShiftedClock
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot, bot_running, make_settings
from tests.e2e.application_walk import pdf_bytes
from tests.e2e.test_reminders import move_clock, reminders_of
from tests.e2e.test_tracking import jpeg, submitted_application
from tests.settle import store_settled
from texts.formatting import format_tracking_code
from texts.i18n import _
from texts.tickets import number

TEHRAN = ZoneInfo("Asia/Tehran")
SATURDAY_TEN = datetime(2025, 11, 1, 10, 0, tzinfo=TEHRAN)  # 1404/08/10, a working morning
THURSDAY_TEN = datetime(2025, 11, 6, 10, 0, tzinfo=TEHRAN)  # no office on Thursdays
OFFICER_NAME = "رضا رضایی"
HELPER_ID = 900002  # an officer an admin added; not an admin
NOT_UNDERSTOOD = _("Sorry, I did not understand that. Please choose one of the menu buttons below.")
STALE = _("This button is no longer active. Please use the menu.")
ADDED = _("Added to your ticket {number}.")


@pytest.fixture
async def office_bot(emulator: Emulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The bot on a clock set to a Saturday morning in Tehran (office open), time flowing."""
    settings = make_settings(emulator, tmp_path / "data")
    async with bot_running(settings, clock=ShiftedClock(SATURDAY_TEN)) as running:
        yield running


def store_of(bot: RunningBot) -> Store:
    return bot.application.services.store


async def the_ticket(store: Store, citizen: Citizen, platform: str = "telegram") -> Ticket:
    """The citizen's newest ticket."""
    registered = await store.citizens.get_by_platform_user(platform, citizen.user_id)
    assert registered is not None
    ticket = await store.tickets.latest_for_citizen(registered.id)
    assert ticket is not None
    return ticket


def has_stars(message: BotMessage) -> bool:
    """The rating question: its buttons are stars."""
    return any("⭐" in text for row in message.inline_buttons for text, _data in row)


async def wait_for(user: Citizen, needle: str, timeout: float = 15) -> BotMessage:  # noqa: ASYNC109
    return await user.wait_for_message(timeout=timeout, predicate=lambda m: needle in m.content)


async def test_an_unknown_question_becomes_a_ticket_answered_with_a_file_and_rated(
    office_bot: RunningBot, make_citizen: CitizenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    store = store_of(office_bot)
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID, first_name=OFFICER_NAME)
    await officer.sends_command("/start")
    await citizen.sends_command("/start")
    app = await submitted_application(office_bot, citizen.user_id, seed=21)
    assert app.tracking_code is not None
    await wait_for(citizen, format_tracking_code(app.tracking_code))  # «registered», first
    caplog.set_level(logging.INFO)

    # A question the FAQ cannot answer goes to the officers as it is.
    await citizen.says("قیمت دلار امروز چنده؟")
    registered = await citizen.presses(_("✉️ Ask an officer"))
    ticket = await the_ticket(store, citizen)
    assert f"{number(ticket.id)} " in (registered[-1].text or "")
    assert "خارج از ساعت کاری" not in (registered[-1].text or ""), "the office is open"

    # The officer hears of it, opens it, sees the question and the application, takes it.
    alert = await wait_for(officer, "قیمت دلار امروز چنده؟")
    assert format_tracking_code(app.tracking_code) in alert.content
    card = await officer.presses(
        _("📂 Open ticket {number}").format(number=number(ticket.id)), on=alert
    )
    assert "قیمت دلار امروز چنده؟" in card[-1].content
    assert any(
        format_tracking_code(app.tracking_code) in t
        for row in card[-1].inline_buttons
        for t, _d in row
    )
    taken = await officer.presses(_("🙋 Take it"))
    assert taken[0].content == _("The ticket is yours now.")

    # A reply with a file: the citizen receives it from «our officer», never from the officer.
    await officer.presses(_("✍️ Reply"))
    sent = await officer.sends_photo(jpeg(31), caption="نرخ ارز را بانک مرکزی اعلام می‌کند.")
    assert sent[0].content == _("✅ Sent to the citizen.")
    answer = await citizen.wait_for_message(timeout=15, predicate=lambda m: m.photo is not None)
    assert "نرخ ارز را بانک مرکزی" in answer.content
    assert answer.content.startswith(
        _("📎 A file from our officer (ticket {number})").format(number=number(ticket.id))
    )

    # The citizen writes again: it joins the same ticket, and the assignee hears of it.
    await citizen.presses(_("✍️ Write back"), on=answer)
    more = await citizen.sends_document(pdf_bytes("receipt"), "receipt.pdf", "application/pdf")
    assert more[-1].content.startswith(ADDED.format(number=number(ticket.id)))
    added = await citizen.says("ممنون، رسید پرداخت را فرستادم")
    assert added[-1].content.startswith(ADDED.format(number=number(ticket.id)))
    notice = await wait_for(officer, "ممنون، رسید پرداخت")
    assert (await the_ticket(store, citizen)).id == ticket.id

    # A canned reply, and a note the citizen never sees.
    await officer.presses(_("📂 Open ticket {number}").format(number=number(ticket.id)), on=notice)
    await officer.presses(_("📋 Canned reply"))
    received = office_bot.application.services.catalogue.canned_reply("received")
    assert received is not None
    preview = await officer.presses(received.title)
    assert preview[-1].content == received.text
    await officer.presses(_("📤 Send this reply"))
    await wait_for(citizen, received.text.splitlines()[0])
    await officer.presses(_("📝 Internal note"))
    await officer.says("یادداشت داخلی: رسید را با بانک تطبیق دهید")
    files = await officer.presses(_("📎 Files ({count})").format(count="۲"))
    assert sum(1 for m in files if m.photo or m.document) == 2

    # The conversation as the citizen reads it: no note, no officer's name.
    citizen_view = await citizen.presses(
        _("📜 See the conversation"), on=await _contact_card(citizen)
    )
    assert "ممنون، رسید پرداخت" in citizen_view[-1].content
    assert "یادداشت داخلی" not in citizen_view[-1].content

    # Closed: the citizen is asked for stars, and gives five.
    await officer.presses(_("✅ Close"))
    closed = await citizen.wait_for_message(timeout=15, predicate=has_stars)
    rated = await citizen.presses("⭐⭐⭐⭐⭐", on=closed)
    assert "⭐⭐⭐⭐⭐" in rated[-1].content
    final = await the_ticket(store, citizen)
    assert (final.status.value, final.rating, final.assignee) == ("closed", 5, OFFICER_ID)
    everything = "\n".join(m.content for m in citizen.messages)
    assert "یادداشت داخلی" not in everything
    assert OFFICER_NAME not in everything and "رضا" not in everything

    # Every officer action is audited; no log line carries the citizen's or officer's words.
    actions = [e.action for e in reversed(await store.audit.list(subject=f"ticket:{ticket.id}"))]
    assert actions[:3] == ["ticket_view", "ticket_take", "ticket_reply"]
    assert {"ticket_note", "ticket_close"} <= set(actions)
    assert actions.count("ticket_reply") == 2
    assert all(
        e.actor == f"officer:{OFFICER_ID}"
        for e in await store.audit.list(subject=f"ticket:{ticket.id}")
    )
    for words in ("قیمت دلار", "نرخ ارز", "رسید پرداخت", "یادداشت داخلی", received.text[:20]):
        assert words not in caplog.text


async def _contact_card(citizen: Citizen) -> BotMessage:
    """The contact screen (with the citizen's latest ticket, when one is open)."""
    shown = await citizen.says(label(MenuItem.CONTACT))
    return shown[-1]


async def test_outside_office_hours_the_citizen_is_told_when_to_expect_an_answer(
    emulator: Emulator, tmp_path: Path, make_citizen: CitizenFactory
) -> None:
    settings = make_settings(emulator, tmp_path / "data")
    async with bot_running(settings, clock=ShiftedClock(THURSDAY_TEN)):
        citizen = await make_citizen()
        await citizen.says(label(MenuItem.CONTACT))
        await citizen.presses(_("✉️ Leave a message"))
        replies = await citizen.says("سلام، مدارکم را کجا تحویل بدهم؟")
        text = replies[-1].content
        assert "خارج از ساعت کاری" in text
        assert "شنبه تا چهارشنبه" in text and "۸:۰۰" in text and "۱۴:۰۰" in text
        assert "شنبه ۱۷ آبان ۱۴۰۴، از ساعت ۸:۰۰" in text  # the next opening: Saturday morning
        again = await citizen.says("یک پرسش دیگر هم دارم")
        assert "خارج از ساعت کاری" not in again[-1].content, "said once for one wait"


async def test_an_overdue_ticket_reminds_its_assignee_then_every_admin(
    office_bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    app, store = office_bot.application, store_of(office_bot)
    await store.officers.add("telegram", HELPER_ID, f"officer:{OFFICER_ID}", name="سارا")
    admin = await make_citizen(user_id=OFFICER_ID)
    helper = await make_citizen(user_id=HELPER_ID)
    citizen = await make_citizen()
    for user in (admin, helper, citizen):
        await user.sends_command("/start")

    await citizen.says(label(MenuItem.CONTACT))
    await citizen.presses(_("✉️ Leave a message"))
    await citizen.says("درخواست من دو هفته است بررسی نشده")
    ticket = await the_ticket(store, citizen)
    alert = await wait_for(helper, "درخواست من دو هفته")
    await helper.presses(_("📂 Open ticket {number}").format(number=number(ticket.id)), on=alert)
    await helper.presses(_("🙋 Take it"))
    service = reminders_of(app)
    assert len(await service.repo.pending()) == 2
    overdue = "⏰"
    escalated = "⚠️"

    # Four hours later the office has closed for the day: only a moment short of four working
    # hours, so nothing yet. Sunday at opening they are up: the assignee, and nobody else.
    move_clock(app, SATURDAY_TEN + timedelta(hours=6))
    assert (await service.run_due()).sent == []
    move_clock(app, SATURDAY_TEN + timedelta(hours=22, minutes=2))  # Sunday 08:02
    assert len((await service.run_due()).sent) == 1
    reminded = await wait_for(helper, overdue)
    assert number(ticket.id) in reminded.content
    assert not any(overdue in m.content for m in await admin.refresh())

    # Eight working hours (Sunday at noon): every admin hears; the helper is no admin.
    move_clock(app, SATURDAY_TEN + timedelta(days=1, hours=2, minutes=2))
    assert len((await service.run_due()).sent) == 1
    up = await wait_for(admin, escalated)
    assert number(ticket.id) in up.content
    assert not any(escalated in m.content for m in helper.messages)

    # Answered: no reminder left; a new message starts a new wait with new reminders.
    await helper.presses(_("📂 Open ticket {number}").format(number=number(ticket.id)), on=reminded)
    await helper.presses(_("✍️ Reply"))
    await helper.says("پرونده شما را پیگیری کردیم.")
    await wait_for(citizen, "پرونده شما را پیگیری کردیم.")
    reminders = await service.repo.for_subject(f"ticket:{ticket.id}")
    assert [r.status for r in reminders] == [ReminderStatus.SENT, ReminderStatus.SENT]
    await citizen.says(label(MenuItem.CONTACT))
    await citizen.presses(_("✍️ Write to ticket {number}").format(number=number(ticket.id)))
    await citizen.says("ممنون")
    assert len(await service.repo.pending()) == 2


async def test_forged_buttons_and_another_citizens_ticket_change_nothing(
    office_bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    store = store_of(office_bot)
    owner, intruder = await make_citizen(), await make_citizen(first_name="ناشناس")
    await owner.says(label(MenuItem.CONTACT))
    await owner.presses(_("✉️ Leave a message"))
    await owner.says("شماره حساب من ۱۲۳ است")
    ticket = await the_ticket(store, owner)
    messages_before = await store.tickets.messages(ticket.id, with_notes=True)
    audit_before = await store.audit.list()

    refused = await intruder.sends_command("/tickets")
    assert refused[-1].content == NOT_UNDERSTOOD
    anchor = refused[-1].message_id
    officer_data = [
        "off:tickets",
        "tko:in",
        "tko:cl",
        f"tko:o:{ticket.id}",
        f"tko:t:{ticket.id}",
        f"tko:re:{ticket.id}",
        f"tko:no:{ticket.id}",
        f"tko:cn:{ticket.id}",
        f"tko:cp:{ticket.id}:received",
        f"tko:cs:{ticket.id}:received",
        f"tko:x:{ticket.id}",
        f"tko:ro:{ticket.id}",
        f"tko:f:{ticket.id}",
    ]
    for data in officer_data:
        replies = await intruder.sends_callback(anchor, data)
        assert replies == [], f"{data} answered with {[m.content for m in replies]}"
    # Typing after a forged «reply» or «note» goes nowhere near the ticket.
    await intruder.says("این پاسخ جعلی است")

    # Another citizen's ticket: not readable, not writable, not rateable.
    for data in (f"tk:v:{ticket.id}", f"tk:w:{ticket.id}", f"tk:r:{ticket.id}:1"):
        assert await intruder.sends_callback(anchor, data) == [], data
        assert intruder.last_callback_answer is not None
        assert intruder.last_callback_answer["text"] == STALE
    await intruder.says("پیام من باید به تیکت دیگری برود")

    assert await store.audit.list() == audit_before
    assert await store.tickets.messages(ticket.id, with_notes=True) == messages_before
    after = await the_ticket(store, owner)
    assert after == ticket
    assert not any("شماره حساب من" in m.content for m in intruder.messages)
    registered = await store.citizens.get_by_platform_user("telegram", intruder.user_id)
    assert registered is not None and await store.tickets.latest_for_citizen(registered.id) is None


async def test_a_ticket_on_bale(tmp_path: Path) -> None:
    """Bale: no supergroups or topics; the ticket lives in the private chats, plain text."""
    async with Emulator(mode="bale") as emulator:
        settings = make_settings(emulator, tmp_path / "data", bot_platform="bale")
        async with bot_running(settings, clock=ShiftedClock(SATURDAY_TEN)) as running:
            settle = store_settled(settings.database_path)
            citizen = Citizen(emulator.url, user_id=8181, first_name="زهرا", settle=settle)
            officer = Citizen(
                emulator.url, user_id=OFFICER_ID, first_name=OFFICER_NAME, settle=settle
            )
            try:
                await officer.sends_command("/start")
                await citizen.says(label(MenuItem.CONTACT))
                await citizen.presses(_("✉️ Leave a message"))
                await citizen.sends_photo(jpeg(41), caption="عکس پروانه کسب")
                store = running.application.services.store
                ticket = await the_ticket(store, citizen, "bale")

                await officer.sends_command("/tickets")
                card = await officer.presses(number(ticket.id))
                assert "عکس پروانه کسب" in card[-1].content
                await officer.presses(_("✍️ Reply"))
                await officer.sends_document(pdf_bytes("form"), "form.pdf", "application/pdf")
                sent = await citizen.wait_for_message(
                    timeout=15, predicate=lambda m: m.document is not None
                )
                assert sent.content.startswith("📎")
                await citizen.presses(_("✍️ Write back"), on=sent)
                await citizen.says("دریافت شد، سپاس")
                # The officer is told of the answer (through the outbox, in its own time).
                await wait_for(officer, "دریافت شد، سپاس")
                await officer.sends_command("/tickets")
                card = await officer.presses(number(ticket.id))
                await officer.presses(_("✅ Close"), on=newest_with_button(card, _("✅ Close")))
                closed = await citizen.wait_for_message(timeout=15, predicate=has_stars)
                await citizen.presses("⭐⭐⭐⭐", on=closed)
            finally:
                await citizen.close()
                await officer.close()
            final = await the_ticket(store, citizen, "bale")
            assert (final.rating, final.status.value) == (4, "closed")
            # The emulator's Bale refuses parse_mode: every reply above went out as plain text.
            assert not any(OFFICER_NAME in m.content for m in citizen.messages)
