"""One process, one store, a Telegram bot and a Bale bot at once (issue 13).

The emulator serves both flavours (a mode per token). The same user id on each platform is
two people; an officer on Bale acts on a Telegram citizen's application and the notice goes
out through the Telegram bot, to the Telegram chat, and not to Bale; a Bale citizen's notice
goes through Bale.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from botapi_emulator import Emulator
from config.settings import Settings
from domain.accounts import Account
from domain.statuses import ApplicationStatus as S
from tests.clock import ShiftedClock
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot, bot_running, make_settings
from tests.e2e.application_walk import pdf_bytes
from tests.e2e.test_officer_desk import move_button, officer_opens, wait_text
from tests.e2e.test_tickets import SATURDAY_TEN, the_ticket, wait_for
from tests.e2e.test_tracking import _no_quiet_hours, jpeg, submitted_application
from texts.i18n import _
from texts.tickets import number

__all__ = ["_no_quiet_hours"]  # the autouse fixture applies here too

TELEGRAM = "111111:TELEGRAM-token-two-platforms"
BALE = "222222:BALE-token-two-platforms"
SAME_NUMBER = 5005  # a Telegram user and a Bale user with one id: two people
REVIEWING = "در حال بررسی کارشناسان"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(modes={TELEGRAM: "telegram", BALE: "bale"}) as emu:
        yield emu


@pytest.fixture
def settings(emulator: Emulator, tmp_path: Path) -> Settings:
    urls = {
        f"{platform}_{kind}_base_url": url
        for platform in ("telegram", "bale")
        for kind, url in (("api", emulator.api_base_url), ("file", emulator.file_base_url))
    }
    return make_settings(
        emulator,
        tmp_path / "data",
        bot_token=None,
        bot_api_base_url=None,
        bot_file_base_url=None,
        telegram_bot_token=SecretStr(TELEGRAM),
        bale_bot_token=SecretStr(BALE),
        officer_ids=frozenset({Account("bale", OFFICER_ID)}),
        # The broadcast's report is written when its runner next looks (every 3 s by default).
        broadcast_progress_seconds=0.2,
        **urls,
    )


def _sent_by(emulator: Emulator, token: str, chat_id: int, needle: str) -> int:
    """How many sendMessage calls of this bot to this chat carried the text."""
    bot_id = emulator.bot(token).bot_id
    return sum(
        1
        for call in emulator.calls
        if call.method == "sendMessage"
        and call.ok
        and call.bot_id == bot_id
        and str(call.params.get("chat_id")) == str(chat_id)
        and needle in str(call.params.get("text", ""))
    )


async def test_one_process_serves_a_telegram_and_a_bale_citizen_at_once(
    make_citizen: CitizenFactory, bot: RunningBot, emulator: Emulator
) -> None:
    assert set(bot.application.bots) == {"telegram", "bale"}
    on_telegram = await make_citizen(user_id=SAME_NUMBER, bot_token=TELEGRAM)
    on_bale = await make_citizen(user_id=SAME_NUMBER, first_name="زهرا", bot_token=BALE)
    assert await on_telegram.sends_command("/start")
    assert await on_bale.sends_command("/start")
    assert emulator.delivered_texts(SAME_NUMBER, TELEGRAM)
    assert emulator.delivered_texts(SAME_NUMBER, BALE)
    # Bale got no setMyCommands (it has none); Telegram did.
    methods = {(c.bot_id, c.method) for c in emulator.calls}
    assert (111111, "setMyCommands") in methods and (222222, "setMyCommands") not in methods
    store = bot.application.services.store
    telegram_row = await store.citizens.get_by_platform_user("telegram", SAME_NUMBER)
    bale_row = await store.citizens.get_by_platform_user("bale", SAME_NUMBER)
    assert telegram_row is not None and bale_row is not None and telegram_row.id != bale_row.id


async def test_an_officer_on_bale_moves_a_telegram_application_and_telegram_tells_the_citizen(
    make_citizen: CitizenFactory, bot: RunningBot, emulator: Emulator
) -> None:
    on_telegram = await make_citizen(user_id=SAME_NUMBER, bot_token=TELEGRAM)
    on_bale = await make_citizen(user_id=SAME_NUMBER, first_name="زهرا", bot_token=BALE)
    await on_telegram.sends_command("/start")
    await on_bale.sends_command("/start")
    officer = await make_citizen(user_id=OFFICER_ID, bot_token=BALE)
    app = await submitted_application(bot, SAME_NUMBER, seed=31, platform="telegram")
    assert app.tracking_code is not None

    card = await officer_opens(officer, app.tracking_code)
    assert "مریم احمدی" in card[-1].content
    await officer.presses(move_button(S.UNDER_REVIEW))
    await officer.presses(_("No note"))

    await wait_text(on_telegram, REVIEWING)
    assert _sent_by(emulator, TELEGRAM, SAME_NUMBER, REVIEWING) == 1
    assert _sent_by(emulator, BALE, SAME_NUMBER, REVIEWING) == 0
    assert not any(REVIEWING in text for text in emulator.delivered_texts(SAME_NUMBER, BALE))
    store = bot.application.services.store
    assert set(await _platforms_of(bot, app.citizen_id)) == {"telegram"}  # every row for them
    audit = await store.audit.list(subject=f"application:{app.id}")
    assert [e.actor for e in audit] == ["officer:bale:900001"]  # BOT_PLATFORM is telegram


async def test_a_status_notice_to_a_bale_citizen_goes_through_bale(
    make_citizen: CitizenFactory, bot: RunningBot, emulator: Emulator
) -> None:
    on_telegram = await make_citizen(user_id=SAME_NUMBER, bot_token=TELEGRAM)
    on_bale = await make_citizen(user_id=SAME_NUMBER, first_name="زهرا", bot_token=BALE)
    await on_telegram.sends_command("/start")
    await on_bale.sends_command("/start")
    officer = await make_citizen(user_id=OFFICER_ID, bot_token=BALE)
    app = await submitted_application(bot, SAME_NUMBER, seed=32, platform="bale")
    assert app.tracking_code is not None
    await officer_opens(officer, app.tracking_code)
    await officer.presses(move_button(S.UNDER_REVIEW))
    await officer.presses(_("No note"))

    await wait_text(on_bale, REVIEWING)
    assert _sent_by(emulator, BALE, SAME_NUMBER, REVIEWING) == 1
    assert _sent_by(emulator, TELEGRAM, SAME_NUMBER, REVIEWING) == 0
    assert set(await _platforms_of(bot, app.citizen_id)) == {"bale"}


async def test_the_officers_telegram_namesake_is_not_an_officer(
    make_citizen: CitizenFactory, bot: RunningBot, emulator: Emulator
) -> None:
    namesake = await make_citizen(user_id=OFFICER_ID, bot_token=TELEGRAM)
    replies = await namesake.sends_command("/officer")
    assert replies and all(_("🔎 Find by tracking code") not in m.content for m in replies)
    assert not any(
        _("🔎 Find by tracking code") in str(m.get("reply_markup", ""))
        for m in emulator.messages_to(OFFICER_ID, TELEGRAM)
    )


async def _platforms_of(bot: RunningBot, citizen_id: int) -> list[str]:
    """The platform of every outbox row written for this citizen."""
    sql = "SELECT platform FROM outbox WHERE citizen_id = ? ORDER BY id"
    async with (
        bot.application.services.store.db.read() as c,
        c.execute(sql, (citizen_id,)) as cur,
    ):
        return [str(row[0]) for row in await cur.fetchall()]


async def test_a_bale_officer_answers_a_telegram_citizens_ticket_files_crossing_platforms(
    settings: Settings, make_citizen: CitizenFactory, emulator: Emulator
) -> None:
    """A file id is only its own bot's (the emulator refuses another's): the files cross
    as their stored copies, both ways."""
    async with bot_running(settings, clock=ShiftedClock(SATURDAY_TEN)) as running:
        store = running.application.services.store
        on_telegram = await make_citizen(user_id=SAME_NUMBER, bot_token=TELEGRAM)
        officer = await make_citizen(user_id=OFFICER_ID, bot_token=BALE)
        await officer.sends_command("/start")
        await on_telegram.sends_command("/start")
        await on_telegram.says("قیمت دلار امروز چنده؟")
        await on_telegram.presses(_("✉️ Ask an officer"))
        ticket = await the_ticket(store, on_telegram, "telegram")
        open_it = _("📂 Open ticket {number}").format(number=number(ticket.id))

        alert = await wait_for(officer, "قیمت دلار امروز چنده؟")  # on Bale
        await officer.presses(open_it, on=alert)
        await officer.presses(_("🙋 Take it"))
        await officer.presses(_("✍️ Reply"))
        sent = await officer.sends_photo(jpeg(41), caption="نرخ را بانک مرکزی اعلام می‌کند.")
        assert sent[0].content == _("✅ Sent to the citizen.")
        answer = await on_telegram.wait_for_message(
            timeout=15, predicate=lambda m: m.photo is not None
        )
        assert "بانک مرکزی" in answer.content

        await on_telegram.presses(_("✍️ Write back"), on=answer)
        await on_telegram.sends_document(pdf_bytes("receipt"), "receipt.pdf", "application/pdf")
        await on_telegram.says("رسید پرداخت را فرستادم")
        notice = await wait_for(officer, "رسید پرداخت را فرستادم")  # the assignee, on Bale
        await officer.presses(open_it, on=notice)
        files = await officer.presses(_("📎 Files ({count})").format(count="۲"))
        assert sum(1 for m in files if m.photo or m.document) == 2  # the Telegram PDF too
        refused = [c for c in emulator.calls if "wrong file identifier" in (c.description or "")]
        assert refused == [], "no bot was handed another bot's file id"


async def test_an_announcement_by_a_bale_officer_reaches_each_subscriber_on_their_platform(
    make_citizen: CitizenFactory, bot: RunningBot, emulator: Emulator
) -> None:
    store = bot.application.services.store
    on_telegram = await make_citizen(user_id=SAME_NUMBER, bot_token=TELEGRAM)
    on_bale = await make_citizen(user_id=SAME_NUMBER, first_name="زهرا", bot_token=BALE)
    for citizen, platform in ((on_telegram, "telegram"), (on_bale, "bale")):
        await citizen.sends_command("/start")
        row = await store.citizens.get_by_platform_user(platform, SAME_NUMBER)
        assert row is not None
        await store.subscriptions.replace(row.id, ["khorramabad"], [])
    officer = await make_citizen(user_id=OFFICER_ID, first_name="کارشناس", bot_token=BALE)

    text = "بازارچهٔ خیریه روز جمعه برپاست"
    await officer.sends_command("/announce")
    await officer.presses("متن آزاد")
    await officer.says(text)
    await officer.presses("خرم‌آباد")
    await officer.presses("همهٔ گروه‌ها")
    await officer.presses("ارسال کن")
    report = await officer.wait_for_message(30, lambda m: "پایان رسید" in m.content)  # on Bale
    assert "رسیده: ۲" in report.content
    assert _sent_by(emulator, TELEGRAM, SAME_NUMBER, text) == 1
    assert _sent_by(emulator, BALE, SAME_NUMBER, text) == 1
