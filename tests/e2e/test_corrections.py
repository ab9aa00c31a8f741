"""Corrections asked by an officer: the tick list fits the application, the prompts the document.

Issue 8, items 5 and 6, walked by an officer and a citizen through the emulator.
"""

from __future__ import annotations

from botapi_emulator import Citizen
from domain.statuses import ApplicationStatus as S
from domain.statuses import DocumentStatus
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from tests.e2e.application_walk import pdf_bytes
from tests.e2e.test_foundation import assert_persian
from tests.e2e.test_officer_desk import move_button, officer_opens, wait_text
from tests.e2e.test_tracking import _no_quiet_hours, jpeg, submitted_application
from texts.i18n import _

__all__ = ["_no_quiet_hours"]  # the autouse fixture applies here too

# A woman in her own home, independent plan, an activity that needs no certificate.
WOMAN = {"gender": "woman", "home_rented": False, "activity": "programming"}
WOMAN_DOCUMENTS = ["کارت ملی", "شناسنامه", "عکس پرسنلی", "مدرک محل سکونت"]


def tick_list(officer: Citizen) -> list[str]:
    """The document names offered on the officer's latest tick list."""
    message = officer.last_message
    assert message is not None
    return [
        text.removeprefix("⬜ ").removeprefix("☑️ ")
        for row in message.inline_buttons
        for text, data in row
        if data.startswith("off:fx:")
    ]


async def test_tick_list_offers_only_what_this_application_requires(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    """Item 6: no military card for a woman; a man renting his home gets his own list."""
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(
        bot, citizen.user_id, seed=21, answers=WOMAN, activity_code="programming"
    )
    assert app.tracking_code is not None
    await officer_opens(officer, app.tracking_code)
    await officer.presses(move_button(S.NEEDS_CORRECTION))
    assert tick_list(officer) == WOMAN_DOCUMENTS
    # A forged tick for a document this application does not have changes nothing.
    anchor = officer.last_message
    assert anchor is not None
    await officer.sends_callback(anchor.message_id, f"off:fx:{app.id}:military_service_card")
    await officer.presses("⬜ شناسنامه")
    assert tick_list(officer) == WOMAN_DOCUMENTS
    await officer.presses(_("Continue ▶️"))
    await officer.says("صفحهٔ اول خوانا نیست")
    await wait_text(citizen, "صفحهٔ اول خوانا نیست")
    events = await bot.application.services.store.status_events.timeline(app.id)
    assert events[-1].details["documents"] == ["birth_certificate"]

    man = await make_citizen()
    await man.sends_command("/start")
    renting = {"gender": "man", "home_rented": True, "activity": "kilim"}
    other = await submitted_application(bot, man.user_id, seed=22, answers=renting)
    assert other.tracking_code is not None
    await officer_opens(officer, other.tracking_code)
    await officer.presses(move_button(S.NEEDS_CORRECTION))
    assert tick_list(officer) == [
        "کارت ملی",
        "شناسنامه",
        "عکس پرسنلی",
        "گواهی مهارت",
        "کارت پایان خدمت یا معافیت",
        "مدرک محل سکونت",
        "اجاره‌نامه",
        "رضایت‌نامه مالک",
    ]


async def test_a_photo_only_correction_asks_for_a_photo_and_refuses_in_the_same_words(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    """Item 5: «عکس پرسنلی» is photo only: prompt, refusals and the hint never offer a PDF."""
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(
        bot,
        citizen.user_id,
        seed=23,
        answers=WOMAN,
        documents=("national_card", "birth_certificate", "photo"),
    )
    assert app.tracking_code is not None
    await officer_opens(officer, app.tracking_code)
    await officer.presses(move_button(S.NEEDS_CORRECTION))
    await officer.presses("⬜ عکس پرسنلی")
    await officer.presses(_("Continue ▶️"))
    await officer.says("عکس تار است")
    await wait_text(citizen, "عکس تار است")

    prompt = await citizen.presses(_("📤 Send {document} again").format(document="عکس پرسنلی"))
    asked = prompt[-1].content
    assert "به صورت عکس (JPG یا PNG)" in asked and "PDF" not in asked
    refused = (await citizen.sends_document(pdf_bytes("photo"), "photo.pdf", "application/pdf"))[
        -1
    ].content
    assert "عکس پرسنلی با این نوع فایل پذیرفته نمی‌شود" in refused
    assert "به صورت عکس (JPG یا PNG)" in refused and "PDF" not in refused
    typed = (await citizen.says("سلام"))[-1].content
    assert "عکس پرسنلی" in typed and "PDF" not in typed
    for text in (asked, refused, typed):
        assert_persian(text)

    done = await citizen.sends_photo(jpeg(7))
    assert "دوباره در حال بررسی" in done[-1].content
    store = bot.application.services.store
    docs = await store.documents.list_for_application(app.id)
    assert docs.latest["photo"].status is DocumentStatus.RECEIVED
    assert docs.latest["photo"].mime_type == "image/jpeg"
    assert [d.mime_type for d in docs.history if d.kind == "photo"] == ["image/jpeg"] * 2
