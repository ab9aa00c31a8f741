"""The officer's walk in Chromium: a citizen applies over the emulator, the officer finds the
application on the desk, opens a document, asks for a correction (the citizen is told over the
emulator), accepts the re-sent document and introduces the applicant to a bank."""

from __future__ import annotations

from typing import Any

from domain.statuses import ApplicationStatus as S
from domain.statuses import DocumentStatus
from tests.browser.conftest import desk_url, signed_in
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from tests.e2e.application_walk import (
    business,
    identity,
    jpeg_bytes,
    national_code,
    open_application,
    submit,
    upload_all,
)
from tests.e2e.test_officer_desk import wait_text
from tests.e2e.test_tracking import store_change, submitted_application
from texts.i18n import _
from texts.notifications import status_label


async def test_officer_reviews_corrects_accepts_and_introduces_to_a_bank(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    store = bot.application.services.store
    citizen = await make_citizen()
    await open_application(citizen)
    code = national_code(41)
    await identity(citizen, code)
    await business(citizen)
    await upload_all(citizen, 5)
    await submit(citizen)
    [app] = await store.applications.find_by_national_code(code)
    assert app.status is S.SUBMITTED

    await signed_in(bot, page)
    # Find it: the list, searched by the national code typed in Persian digits.
    await page.click(f"nav a:has-text('{_('Applications')}')")
    persian_code = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    await page.fill("input[name=q]", persian_code)
    await page.click("form.filters button[type=submit]")
    rows = page.locator("#applications tbody tr")
    assert await rows.count() == 1
    await rows.first.locator("a").click()
    assert status_label(S.SUBMITTED) in await page.inner_text("#status")

    # Open a document: shown in the page, served only through the desk with safe headers.
    await page.wait_for_load_state()  # the click waited for the page, not for its images
    card = page.locator("#doc-national_card")
    image = card.locator("img")
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    source = await image.get_attribute("src")
    served = await page.request.get(desk_url(bot) + source)
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline;")

    # Ask for a correction of the national card; the citizen is told over the emulator.
    form = page.locator(f"#move-{S.NEEDS_CORRECTION.value}")
    await form.locator("input[value=national_card]").check()
    await form.locator("textarea[name=reason]").fill("تصویر کارت ملی خوانا نیست")
    await form.locator("button[type=submit]").click()
    assert status_label(S.NEEDS_CORRECTION) in await page.inner_text("#status")
    note = await wait_text(citizen, "تصویر کارت ملی خوانا نیست")
    assert note.inline_buttons, "the same «send again» button as from the bot"

    # The citizen sends it again; the application is back under review.
    await citizen.presses(_("📤 Send {document} again").format(document="کارت ملی"))
    await citizen.sends_photo(jpeg_bytes(4242))
    await page.reload()
    assert status_label(S.UNDER_REVIEW) in await page.inner_text("#status")

    # The officer accepts the new card.
    await page.locator("#doc-national_card button.accept").click()
    assert _("The document is accepted.") in await page.inner_text(".notice")
    docs = await store.documents.list_for_application(app.id)
    assert docs.latest["national_card"].status is DocumentStatus.ACCEPTED

    # Approved by the working group, then introduced to a bank and branch.
    await page.locator(f"#move-{S.APPROVED.value} button").click()
    bank_form = page.locator(f"#move-{S.INTRODUCED_TO_BANK.value}")
    await bank_form.locator("select[name=bank]").select_option("ملت")
    await bank_form.locator("input[name=branch]").fill("مرکزی خرم‌آباد")
    await bank_form.locator("button").click()
    assert "ملت" in await page.inner_text("#bank")
    await wait_text(citizen, "شعبهٔ مرکزی خرم‌آباد معرفی شد")

    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.INTRODUCED_TO_BANK
    assert (current.bank, current.bank_branch) == ("ملت", "مرکزی خرم‌آباد")
    timeline = await store.status_events.timeline(app.id)
    officer = f"officer:{OFFICER_ID}"
    assert [(e.to_status, e.actor.split(":")[0]) for e in timeline] == [
        (S.SUBMITTED, "citizen"),
        (S.NEEDS_CORRECTION, "officer"),
        (S.UNDER_REVIEW, "citizen"),
        (S.APPROVED, "officer"),
        (S.INTRODUCED_TO_BANK, "officer"),
    ]
    assert all(e.actor == officer for e in timeline if e.actor.startswith("officer"))
    # The same audit rows as the bot writes, by the same officer.
    audit = await store.audit.list(f"application:{app.id}")
    accepted = [entry for entry in audit if entry.action == "document_accept"]
    assert [entry.actor for entry in accepted] == [officer]


async def test_one_document_is_asked_for_again_from_its_card(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=61)
    await signed_in(bot, page, f"/applications/{app.id}")
    card = page.locator("#doc-birth_certificate")
    await card.locator("form.ask-again input[name=reason]").fill("شناسنامه ناخواناست")
    await card.locator("form.ask-again button").click()
    assert status_label(S.NEEDS_CORRECTION) in await page.inner_text("#status")
    note = await wait_text(citizen, "شناسنامه ناخواناست")
    assert [text for row in note.inline_buttons for text, _data in row] == [
        _("📤 Send {document} again").format(document="شناسنامه")
    ]
    timeline = await bot.application.services.store.status_events.timeline(app.id)
    assert timeline[-1].details == {"documents": ["birth_certificate"]}


async def test_payment_and_permit_are_recorded_and_the_citizen_is_told(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    store = bot.application.services.store
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=71)
    officer = f"officer:{OFFICER_ID}"
    for status, details in (
        (S.UNDER_REVIEW, None),
        (S.APPROVED, None),
        (S.INTRODUCED_TO_BANK, {"bank": "ملت", "branch": "مرکزی"}),
    ):
        await store_change(store, app.id, status, officer, details=details)
    await signed_in(bot, page, f"/applications/{app.id}")

    pay = page.locator(f"#move-{S.PAID.value}")
    await pay.locator("input[name=amount]").fill("۲۰۰ میلیون")
    await pay.locator("input[name=paid_on]").fill("۱۴۰۴/۰۸/۱۵")
    await pay.locator("button").click()
    assert status_label(S.PAID) in await page.inner_text("#status")
    await page.fill("#permit input[name=permit_number]", "1404-123456")
    await page.click("#permit button")
    assert "مجوز" in await page.inner_text(".notice")

    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.PAID
    assert current.paid_rials == 2_000_000_000 and current.paid_on is not None
    assert current.paid_on.isoformat() == "2025-11-06"
    assert current.permit_number == "1404-123456"
    await wait_text(citizen, "شمارهٔ مجوز")
    # The page shows the payment with its Jalali date.
    assert "۱۵ آبان ۱۴۰۴" in await page.inner_text("main")
