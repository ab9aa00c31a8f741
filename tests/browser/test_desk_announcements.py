"""Announcements in Chromium: the officer sees how many subscribers the chosen county reaches
before sending; after sending, the subscribers receive it over the emulator and the progress
page counts them."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.exhibitions import BroadcastFilter
from tests.browser.conftest import signed_in
from tests.conftest import CitizenFactory, RunningBot
from tests.e2e.test_officer_desk import wait_text
from texts.formatting import format_number
from texts.i18n import _


async def test_the_audience_is_counted_before_sending(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    store = bot.application.services.store
    platform = bot.settings.bot_platform.value
    readers = []
    for n, counties in enumerate((["khorramabad"], ["khorramabad", "borujerd"], ["borujerd"], [])):
        citizen = await make_citizen()
        await citizen.sends_command("/start")
        record = await store.citizens.get_or_create(platform, citizen.user_id, citizen.user_id)
        await store.subscriptions.replace(record.id, counties, [])
        readers.append((n, citizen))
    expected = await store.subscriptions.count_matching(BroadcastFilter(county="khorramabad"))
    assert expected == 3  # two chose Khorramabad, one chose every county

    await signed_in(bot, page)
    await page.click(f"nav a:has-text('{_('Announcements')}')")
    await page.fill("textarea[name=text]", "نمایشگاه یلدا در خرم‌آباد برپاست")
    await page.select_option("select[name=county]", "khorramabad")
    await page.click("#announce button[type=submit]")
    audience = await page.inner_text("#audience p")
    assert audience == _("This announcement reaches {count} subscribers.").format(
        count=format_number(expected)
    )

    await page.click("#send button[type=submit]")
    for n, citizen in readers:
        if n != 2:  # the Borujerd-only subscriber is not in the audience
            await wait_text(citizen, "نمایشگاه یلدا در خرم‌آباد برپاست")
    for _attempt in range(200):  # the page refreshes itself until the runner has finished
        if _("Finished.") in await page.inner_text("#progress"):
            break
        await asyncio.sleep(0.1)
        await page.reload()
    progress = await page.inner_text("#progress")
    assert _("Finished.") in progress and format_number(3) in progress
