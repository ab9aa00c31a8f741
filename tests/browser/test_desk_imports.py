"""An officer imports a bank report in Chromium: the dry-run table first (nothing changes),
then apply, and the application is paid; a file that is not a spreadsheet is refused."""

from __future__ import annotations

from typing import Any

from domain.statuses import ApplicationStatus as S
from tests.browser.conftest import desk_url, signed_in
from tests.conftest import RunningBot
from tests.integration.office_seed import TRACKING
from tests.integration.test_import_bank_report import DATA, seed_office
from texts.i18n import _
from texts.notifications import status_label


async def test_a_bank_report_dry_run_then_apply_marks_it_paid(bot: RunningBot, page: Any) -> None:
    store = bot.application.services.store
    ids = await seed_office(store)
    await signed_in(bot, page)
    await page.click(f"nav a:has-text('{_('Imports')}')")
    form = page.locator("#upload-bank")
    await form.locator("input[type=file]").set_input_files(str(DATA / "bank_report_good.csv"))
    await form.locator("button[type=submit]").click()
    rows = page.locator("#dry-run tbody tr.change")
    assert await rows.count() == 3
    app = await store.applications.get(ids[TRACKING[0]])
    assert app is not None and app.status is S.INTRODUCED_TO_BANK  # a dry run changes nothing

    token = await page.get_attribute("#apply input[name=token]", "value")
    csrf = await page.get_attribute("#apply input[name=csrf]", "value")
    await page.click("#apply button[type=submit]")
    assert "۳" in await page.inner_text("#result")
    app = await store.applications.get(ids[TRACKING[0]])
    assert app is not None and app.status is S.PAID
    await page.goto(desk_url(bot) + f"/applications/{app.id}")
    assert status_label(S.PAID) in await page.inner_text("#status")

    # The same form again (a stale page): its file is spent, nothing happens twice.
    events = len(await store.status_events.timeline(app.id))
    again = await page.request.post(
        desk_url(bot) + "/imports/apply",
        form={"kind": "bank", "token": token, "name": "r.csv", "csrf": csrf},
    )
    assert again.status == 400
    assert _("This import is no longer waiting: upload the file again.") in await again.text()
    assert len(await store.status_events.timeline(app.id)) == events


async def test_a_file_that_is_not_a_spreadsheet_is_refused(
    bot: RunningBot, page: Any, tmp_path: Any
) -> None:
    await signed_in(bot, page, "/imports")
    picture = tmp_path / "report.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    form = page.locator("#upload-bank")
    await form.locator("input[type=file]").set_input_files(str(picture))
    await form.locator("button[type=submit]").click()
    message = await page.inner_text(".message p")
    assert message.strip() == _("The file is not a spreadsheet: upload an .xlsx or .csv file.")
