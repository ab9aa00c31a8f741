"""An officer removed half-way through a conversation can finish nothing (issue 8, item 1).

An admin adds an officer, the officer starts something, the admin removes them, and the
officer presses on: every step checks the store, so nothing is stored, audited or sent, and
the officer hears only the ordinary «not understood».
"""

from __future__ import annotations

from datetime import timedelta

from botapi_emulator import Citizen, Emulator
from domain.exhibitions import BoothStatus
from domain.statuses import ApplicationStatus as S
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from tests.e2e.test_exhibitions import _citizen_id, _draft, _jalali, _today
from tests.e2e.test_officer_desk import move_button, officer_opens
from tests.e2e.test_tracking import submitted_application
from texts.i18n import _

NEWCOMER = 777002
NEWCOMER_LABEL = "۷۷۷۰۰۲"
NOT_UNDERSTOOD = _("Sorry, I did not understand that. Please choose one of the menu buttons below.")


async def _add(admin: Citizen, bot: RunningBot) -> None:
    await admin.sends_command("/officers")
    await admin.presses(_("➕ Add an officer"))
    await admin.says(str(NEWCOMER))
    assert await bot.application.services.store.officers.is_officer("telegram", NEWCOMER)


async def _remove(admin: Citizen, bot: RunningBot) -> None:
    await admin.sends_command("/officers")
    await admin.presses(_("➖ Remove {officer}").format(officer=NEWCOMER_LABEL))
    assert not await bot.application.services.store.officers.is_officer("telegram", NEWCOMER)


async def _actions(bot: RunningBot) -> list[str]:
    return [e.action for e in await bot.application.services.store.audit.list()]


async def test_a_removed_officer_cannot_send_the_announcement_they_prepared(
    bot: RunningBot, make_citizen: CitizenFactory, emulator: Emulator
) -> None:
    store = bot.application.services.store
    subscriber = await make_citizen()
    await subscriber.sends_command("/start")
    await store.subscriptions.replace(await _citizen_id(store, subscriber), [], [])
    admin = await make_citizen(user_id=OFFICER_ID, first_name="مدیر")
    officer = await make_citizen(user_id=NEWCOMER, first_name="کارشناس")
    await _add(admin, bot)

    await officer.sends_command("/announce")
    await officer.presses(_("✏️ A free text"))
    await officer.says("بازارچهٔ خیریه روز جمعه برپاست")
    await officer.presses(_("All counties"))
    preview = await officer.presses(_("All groups"))
    assert _("✅ Send now") in [t for row in officer.buttons for t in row], preview

    await _remove(admin, bot)
    after = await officer.presses(_("✅ Send now"))

    assert after == []  # not even a progress message
    async with store.db.read() as c, c.execute("SELECT COUNT(*) FROM broadcasts") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 0
    assert "broadcast.create" not in await _actions(bot)
    assert not any("بازارچهٔ خیریه" in t for t in emulator.delivered_texts(subscriber.user_id))
    # The conversation ended: typing now is answered like any unknown text.
    assert (await officer.says("سلام"))[-1].content == NOT_UNDERSTOOD


async def test_a_removed_officer_cannot_finish_an_exhibition_or_answer_a_booth(
    bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    store = bot.application.services.store
    admin = await make_citizen(user_id=OFFICER_ID, first_name="مدیر")
    officer = await make_citizen(user_id=NEWCOMER, first_name="کارشناس")
    await _add(admin, bot)

    await officer.sends_command("/exhibitions_admin")
    await officer.presses(_("➕ New exhibition"))
    await officer.says("بازارچهٔ نوروزی ازنا")
    await officer.presses("فصلی")
    await officer.presses("ازنا")
    await officer.says("پارک شهر")
    await officer.says(_jalali(_today() + timedelta(days=20)))
    await officer.says(_jalali(_today() + timedelta(days=25)))
    await officer.presses(_("⏭ Skip"))
    await officer.presses(_("⏭ Skip"))  # the poster is the last field

    await _remove(admin, bot)
    assert await officer.presses(_("⏭ Skip")) == []
    assert await store.exhibitions.upcoming(_today(), include_cancelled=True) == []
    assert not any(a.startswith("exhibition.") for a in await _actions(bot))

    # Booth requests: the list was open when the officer was removed.
    exhibition = await store.exhibitions.create(_draft("بازارچهٔ یلدا"), "officer:1")
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    request = await store.exhibitions.request_booth(
        exhibition.id, await _citizen_id(store, citizen)
    )
    await _add(admin, bot)
    await officer.sends_command("/exhibitions_admin")
    await officer.presses(_("📋 Booth requests ({count})").format(count="۱"))
    await _remove(admin, bot)
    assert await officer.presses("✅") == []
    booth = await store.exhibitions.booth(request.id)
    assert booth is not None and booth.status is BoothStatus.PENDING
    assert not any(a.startswith("booth.") for a in await _actions(bot))


async def test_a_removed_officer_cannot_act_from_the_desk(
    bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    store = bot.application.services.store
    admin = await make_citizen(user_id=OFFICER_ID, first_name="مدیر")
    officer = await make_citizen(user_id=NEWCOMER, first_name="کارشناس")
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=21)
    assert app.tracking_code is not None
    await _add(admin, bot)
    await officer_opens(officer, app.tracking_code)

    await _remove(admin, bot)
    assert await officer.presses(move_button(S.UNDER_REVIEW)) == []
    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.SUBMITTED
    assert "status_change" not in await _actions(bot)

    # Half-way through a search: the typed code is «not understood», no card is shown.
    await _add(admin, bot)
    await officer.sends_command("/officer")
    await officer.presses(_("🔎 Find by tracking code"))
    await _remove(admin, bot)
    replies = await officer.says(app.tracking_code)
    assert [m.content for m in replies] == [NOT_UNDERSTOOD]
