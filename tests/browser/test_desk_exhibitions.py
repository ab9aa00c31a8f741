"""Exhibitions in Chromium: the officer adds one with Jalali dates in Persian digits; a citizen
asks for a booth; the officer approves it on the desk and the citizen hears over the emulator;
a wrong date changes nothing; cancelling marks it cancelled."""

from __future__ import annotations

from typing import Any

from domain.statuses import ApplicationStatus as S
from services import booths
from services.actors import Actor
from tests.browser.conftest import signed_in
from tests.conftest import CitizenFactory, RunningBot
from tests.e2e.test_officer_desk import wait_text
from tests.integration.office_seed import seed_application
from texts.i18n import _


async def test_add_an_exhibition_approve_a_booth_and_cancel(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    services = bot.application.services
    store = services.store
    await signed_in(bot, page)
    await page.click(f"nav a:has-text('{_('Exhibitions')}')")
    form = page.locator("#add-exhibition")
    await form.locator("input[name=title]").fill("نمایشگاه نوروزی")
    await form.locator("select[name=county]").select_option("khorramabad")
    await form.locator("input[name=starts_on]").fill("۱۴۲۰/۰۱/۱۰")
    await form.locator("input[name=ends_on]").fill("۱۴۱۰/۰۱/۰۵")  # before the start
    await form.locator("button[type=submit]").click()
    assert _("The exhibition is not valid: check the title, kind, county and dates.") in (
        await page.inner_text("main")
    )
    assert await store.exhibitions.upcoming(services.clock().date()) == []

    await page.click(f"nav a:has-text('{_('Exhibitions')}')")
    await form.locator("input[name=title]").fill("نمایشگاه نوروزی")
    await form.locator("select[name=county]").select_option("khorramabad")
    await form.locator("input[name=starts_on]").fill("۱۴۲۰/۰۱/۱۰")
    await form.locator("input[name=ends_on]").fill("۱۴۲۰/۰۱/۱۵")
    await form.locator("button[type=submit]").click()
    assert _("Saved.") in await page.inner_text("#done")
    [exhibition] = await store.exhibitions.upcoming(services.clock().date())

    citizen = await make_citizen()
    await citizen.sends_command("/start")
    app = await seed_application(
        store, user_id=citizen.user_id, chat_id=citizen.user_id, status=S.SUBMITTED
    )
    answer = await booths.ask_booth(
        store,
        services.clock,
        Actor("citizen", app.citizen_id),
        exhibition.id,
        zone=services.settings.zone,
    )
    assert answer is not None and answer.request is not None
    await page.reload()
    await page.click("#booths button[value=approve]")
    assert _("The booth request is approved; the citizen is told.") in await page.inner_text(
        "#done"
    )
    await wait_text(citizen, "نمایشگاه نوروزی")

    await page.click("#exhibitions button[type=submit]")
    assert _("cancelled") in await page.inner_text("#exhibitions")
