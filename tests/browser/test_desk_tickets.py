"""Tickets in Chromium: a citizen's message opens a ticket; the officer finds it in the inbox,
adds a note the citizen never sees, replies, and the reply reaches the citizen over the
emulator from «our officer»; then a canned reply, and the close (the citizen is asked to rate)."""

from __future__ import annotations

from typing import Any

from services import tickets
from services.tickets import Content
from tests.browser.conftest import signed_in
from tests.conftest import CitizenFactory, RunningBot
from tests.e2e.test_officer_desk import wait_text
from texts.i18n import _


async def test_a_reply_on_the_desk_reaches_the_citizen(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    services = bot.application.services
    platform = bot.settings.bot_platform.value
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    actor = await tickets.citizen_actor(services.store, platform, citizen.user_id, citizen.user_id)
    written = await tickets.write(
        services.store,
        services.clock,
        actor,
        Content(text="وام من کی پرداخت می‌شود؟"),
        chat_id=citizen.user_id,
        citizen_name="زهرا",
    )

    await signed_in(bot, page)
    await page.click(f"nav a:has-text('{_('Tickets')}')")
    await page.click(f"#open-tickets a[href$='/tickets/{written.ticket.id}']")
    assert "وام من کی پرداخت می‌شود؟" in await page.inner_text("#messages")

    await page.fill("#note textarea", "یادداشت داخلی: پرونده در بانک است")
    await page.click("#note button[type=submit]")
    assert _("The note was added (the citizen does not see it).") in await page.inner_text("#done")

    await page.fill("#reply textarea", "پرداخت تا پایان هفته انجام می‌شود")
    await page.click("#reply button[type=submit]")
    assert _("The reply was sent to the citizen.") in await page.inner_text("#done")
    answer = await wait_text(citizen, "پرداخت تا پایان هفته انجام می‌شود")
    assert "یادداشت داخلی" not in answer.content

    canned = services.catalogue.canned_replies[0]
    await page.select_option("#canned select", canned.code)
    await page.click("#canned button[type=submit]")
    await wait_text(citizen, canned.text.splitlines()[0])

    await page.click("#close button[type=submit]")
    assert _("Closed") in await page.inner_text("#ticket-status")
    stored = await services.store.tickets.get(written.ticket.id)
    assert stored is not None and not stored.is_open
