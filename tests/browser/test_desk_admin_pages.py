"""Officers, audit log and exports in Chromium: a non-admin officer is refused the Officers
page (and cannot add one by posting the form); an admin adds one, and the audit log shows it;
the list's filters download as a spreadsheet."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

from tests.browser.conftest import desk_url, sign_in_link, signed_in
from tests.conftest import CitizenFactory, RunningBot
from tests.integration.office_seed import TRACKING
from tests.integration.test_import_bank_report import seed_office
from texts.i18n import _


async def test_a_non_admin_is_refused_the_officers_page(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    store = bot.application.services.store
    platform = bot.settings.bot_platform.value
    await store.officers.add(platform, 777002, "test", name="Sara")
    officer = await make_citizen(user_id=777002)
    await page.goto(await sign_in_link(officer))
    await page.click("#enter")
    await page.wait_for_url(desk_url(bot) + "/")

    response = await page.goto(desk_url(bot) + "/officers")
    assert response is not None and response.status == 403
    assert _("Only an admin manages officers.") in await page.inner_text("main")
    # Posting the add form directly (with a valid token) is refused the same way.
    await page.goto(desk_url(bot) + "/imports")
    csrf = await page.get_attribute("input[name=csrf]", "value")
    posted = await page.request.post(
        desk_url(bot) + "/officers/add", form={"user_id": "123456", "csrf": csrf}
    )
    assert posted.status == 403
    assert not await store.officers.is_officer(platform, 123456)


async def test_an_admin_adds_an_officer_and_the_audit_log_shows_it(
    bot: RunningBot, page: Any
) -> None:
    store = bot.application.services.store
    platform = bot.settings.bot_platform.value
    await signed_in(bot, page)
    await page.click(f"nav a:has-text('{_('Officers')}')")
    form = page.locator("#add-officer")
    await form.locator("input[name=user_id]").fill("۵۵۵۰۰۱")  # Persian digits
    await form.locator("input[name=name]").fill("مریم")
    await form.locator("button[type=submit]").click()
    assert _("The officer was added.") in await page.inner_text("main")
    assert await store.officers.is_officer(platform, 555001)

    await page.click(f"nav a:has-text('{_('Audit log')}')")
    await page.select_option("select[name=action]", "officer_add")
    await page.click("form.filters button[type=submit]")
    rows = page.locator("#audit tbody tr")
    assert await rows.count() == 1
    assert "555001" in await rows.first.inner_text()


async def test_the_lists_filters_download_as_csv(bot: RunningBot, page: Any) -> None:
    store = bot.application.services.store
    await seed_office(store)
    await signed_in(bot, page, f"/applications?q={TRACKING[1]}")
    await page.click("#export-these")
    await page.select_option("select[name=format]", "csv")
    async with page.expect_download() as waiting:
        await page.click("#export button[type=submit]")
    download = await waiting.value
    path = Path(await download.path())
    text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2  # the header and the one application the search found
    entry = (await store.audit.list(limit=1))[0]
    assert entry.action == "export" and entry.after["rows"] == 1
