"""The application walk by simulated citizens over HTTP, checked on replies and in the store."""

from __future__ import annotations

import hashlib
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from botapi_emulator import Citizen, Emulator
from domain.models import Application
from domain.statuses import ApplicationStatus, DocumentStatus, PlanType
from domain.tracking import is_valid_tracking_code
from storage import Store
from storage.files import FILES_FOLDER
from tests.conftest import CitizenFactory, RunningBot, bot_running, make_settings
from tests.e2e.application_walk import (
    VALID_PHONE,
    business,
    identity,
    jpeg_bytes,
    last,
    national_code,
    open_application,
    pdf_bytes,
    submit,
    upload_all,
)
from tests.e2e.drafts import draft_at_documents, resume_application
from tests.e2e.process import BotProcess
from tests.e2e.test_foundation import assert_persian
from tests.settle import store_settled
from texts.formatting import format_tracking_code, to_persian_digits
from texts.i18n import _


async def _only_application(store: Store, user_id: int) -> Application:
    citizen = await store.citizens.get_by_platform_user("telegram", user_id)
    assert citizen is not None
    apps = await store.applications.list_for_citizen(citizen.id)
    assert len(apps) == 1
    return apps[0]


async def _kinds(store: Store, app_id: int) -> set[str]:
    return set((await store.documents.list_for_application(app_id)).latest)


def _files_match(store_dir: Path, stored_name: str, sha256: str) -> bool:
    data = (store_dir / FILES_FOLDER / stored_name).read_bytes()
    return hashlib.sha256(data).hexdigest() == sha256


async def test_independent_applicant_from_start_to_tracking_code(
    citizen: Citizen, bot: RunningBot
) -> None:
    store = bot.application.services.store
    consent = await open_application(citizen)
    assert "۱ از ۱۳" in last(consent)
    # One way in, one way out: no second ✖️ beside «I do not agree».
    assert [[text for text, _data in row] for row in consent[-1].inline_buttons] == [
        [_("✅ I agree"), _("✖️ I do not agree")]
    ]
    code = national_code(1)
    await identity(citizen, code)
    amount_question = await business(citizen, amount="")
    assert "۲۰۰ میلیون تومان" in last(amount_question)

    too_much = await citizen.says("۳۰۰ میلیون")
    assert "۲۰۰ میلیون تومان" in last(too_much)
    app = await _only_application(store, citizen.user_id)
    assert app.requested_rials is None and app.step == "amount"

    checklist = await citizen.says("۱۵۰ میلیون")
    text = last(checklist)
    assert "۱۲ از ۱۳" in text and "۰ از ۵" in text and "⬜ کارت ملی" in text
    app = await _only_application(store, citizen.user_id)
    assert app.requested_rials == 1_500_000_000 and app.step == "documents"
    assert app.national_code == code and app.phone == VALID_PHONE and app.county == "khorramabad"

    replies = await upload_all(citizen, 5)
    assert "۵ از ۵" in last(replies) and "⬜" not in last(replies)
    kinds = await _kinds(store, app.id)
    assert kinds == {
        "national_card",
        "birth_certificate",
        "photo",
        "skills_certificate",
        "residence_proof",
    }

    done = await submit(citizen)
    app = await _only_application(store, citizen.user_id)
    assert app.status is ApplicationStatus.SUBMITTED and app.plan_type is PlanType.INDEPENDENT
    assert app.tracking_code is not None and is_valid_tracking_code(app.tracking_code)
    assert format_tracking_code(app.tracking_code) in last(done)
    assert_persian(last(done))
    events = await store.status_events.timeline(app.id)
    assert [e.actor for e in events] == [f"citizen:{app.citizen_id}"]
    docs = await store.documents.list_for_application(app.id)
    for doc in docs.latest.values():
        assert doc.mime_type == "image/jpeg" and doc.stored_name.endswith(".jpg")
        assert _files_match(bot.settings.data_dir, doc.stored_name, doc.sha256)
    registered = await store.citizens.get(app.citizen_id)
    assert registered is not None and registered.national_code == code
    for message in citizen.messages:
        assert_persian(message.content)


async def test_wrong_national_code_is_refused_and_retried(
    citizen: Citizen, bot: RunningBot
) -> None:
    await open_application(citizen)
    await citizen.presses(_("✅ I agree"))
    await citizen.presses(_("📱 Share my mobile number"))
    await citizen.says("مریم احمدی")
    refused = await citizen.says("۱۲۳۴۵۶۷۸۹۰")
    assert "کد ملی درست نیست" in last(refused)
    assert_persian(last(refused))
    store = bot.application.services.store
    app = await _only_application(store, citizen.user_id)
    assert app.national_code is None and app.step == "national_code"
    code = national_code(7)
    accepted = await citizen.says(to_persian_digits(code))
    assert "تاریخ تولد" in last(accepted)
    app = await _only_application(store, citizen.user_id)
    assert app.national_code == code and app.step == "birth_date"


async def test_someone_elses_contact_is_refused(citizen: Citizen, bot: RunningBot) -> None:
    await open_application(citizen)
    await citizen.presses(_("✅ I agree"))
    refused = await citizen.shares_contact("+989350000000", user_id=citizen.user_id + 1)
    assert "فقط شمارهٔ همراه همین حساب" in last(refused)
    assert any(_("📱 Share my mobile number") in row for row in citizen.buttons)
    store = bot.application.services.store
    app = await _only_application(store, citizen.user_id)
    assert app.phone is None and app.step == "phone"
    accepted = await citizen.shares_contact("+989121234567")
    assert "نام و نام خانوادگی" in last(accepted)
    app = await _only_application(store, citizen.user_id)
    assert app.phone == VALID_PHONE


async def test_rented_home_adds_lease_and_owner_consent(citizen: Citizen, bot: RunningBot) -> None:
    await open_application(citizen)
    await identity(citizen, national_code(2))
    checklist = await business(citizen, rented=True)
    text = last(checklist)
    assert "⬜ اجاره‌نامه" in text and "⬜ رضایت‌نامه مالک" in text and "۰ از ۷" in text
    replies = await upload_all(citizen, 5)
    assert "اجاره‌نامه" in last(replies)  # the lease is awaited next
    await citizen.sends_document(pdf_bytes("lease"), "lease.pdf", "application/pdf")
    await citizen.sends_document(pdf_bytes("consent"), "consent.pdf", "application/pdf")
    store = bot.application.services.store
    app = await _only_application(store, citizen.user_id)
    docs = (await store.documents.list_for_application(app.id)).latest
    assert docs["lease"].mime_type == "application/pdf" and docs["lease"].stored_name.endswith(
        ".pdf"
    )
    assert "lease" not in docs["lease"].stored_name  # never the citizen's file name
    assert set(docs) >= {"lease", "owner_consent"}
    done = await submit(citizen)
    assert "کد پیگیری" in last(done)


async def test_supporting_plan_adds_its_documents_and_its_cap(
    citizen: Citizen, bot: RunningBot
) -> None:
    await open_application(citizen)
    await identity(citizen, national_code(3))
    amount_question = await business(
        citizen, woman=False, plan="Supporting plan", covered_workers="۱۰", amount=""
    )
    # 10 + 1.6 × 10 billion rials = 2.6 billion toman.
    assert "۲٫۶ میلیارد تومان" in last(amount_question)
    over = await citizen.says("۳ میلیارد")
    assert "۲٫۶ میلیارد تومان" in last(over)
    checklist = await citizen.says("۲ میلیارد")
    text = last(checklist)
    for name in ("گواهی عدم سوء پیشینه", "مدرک سابقه کار", "فهرست کارکنان خانگی تحت پوشش"):
        assert "⬜ " + name in text
    assert "⬜ کارت پایان خدمت یا معافیت" in text  # a man
    store = bot.application.services.store
    app = await _only_application(store, citizen.user_id)
    assert app.plan_type is PlanType.SUPPORTING and app.requested_rials == 20_000_000_000
    await upload_all(citizen, 9)
    done = await submit(citizen)
    app = await _only_application(store, citizen.user_id)
    assert app.status is ApplicationStatus.SUBMITTED and "کد پیگیری" in last(done)
    assert len(await _kinds(store, app.id)) == 9


async def _at_documents(citizen: Citizen, store: Store, seed: int) -> None:
    """The documents step, seeded: the walk there is test_independent_applicant_from_start_..."""
    await draft_at_documents(store, citizen.user_id, national_code(seed))
    checklist = await resume_application(citizen)
    assert "۰ از ۵" in last(checklist), last(checklist)


async def test_renamed_executable_and_corrupt_image_are_refused(
    citizen: Citizen, bot: RunningBot
) -> None:
    store = bot.application.services.store
    await _at_documents(citizen, store, 4)
    app = await _only_application(store, citizen.user_id)
    executable = b"MZ\x90\x00\x03" + bytes(2000)
    refused = await citizen.sends_document(executable, "national_card.pdf", "application/pdf")
    assert "عکس یا PDF نیست" in last(refused)
    # Each reason once over HTTP; which bytes give which reason (an ELF, a PDF without
    # %%EOF...) is tests/integration/test_uploads.py::test_bad_files_are_refused_with_a_reason.
    corrupt = jpeg_bytes()[:40]  # a JPEG header and then nothing
    refused = await citizen.sends_photo(corrupt)
    assert "خراب است" in last(refused)
    text_reply = await citizen.says("سلام")
    assert "فقط عکس یا فایل PDF" in last(text_reply)
    for reply in (refused, text_reply):
        assert_persian(last(reply))
    assert await _kinds(store, app.id) == set()
    assert not (bot.settings.data_dir / FILES_FOLDER).exists()


async def test_a_document_can_be_replaced(citizen: Citizen, bot: RunningBot) -> None:
    store = bot.application.services.store
    await _at_documents(citizen, store, 5)
    await citizen.sends_photo(jpeg_bytes(1))
    await citizen.presses("کارت ملی")
    await citizen.sends_photo(jpeg_bytes(2))
    app = await _only_application(store, citizen.user_id)
    docs = await store.documents.list_for_application(app.id)
    cards = [d for d in docs.history if d.kind == "national_card"]
    assert [d.status for d in cards] == [DocumentStatus.REPLACED, DocumentStatus.RECEIVED]
    assert docs.latest["national_card"].id == cards[1].id


async def test_oversized_file_is_refused(
    emulator: Emulator, tmp_path: Path, make_citizen: CitizenFactory
) -> None:
    settings = make_settings(emulator, tmp_path / "data", max_upload_mb=1)
    async with bot_running(settings) as running:
        citizen = await make_citizen()
        store = running.application.services.store
        await _at_documents(citizen, store, 6)
        big = b"%PDF-1.4\n" + bytes(1_500_000) + b"\n%%EOF\n"
        refused = await citizen.sends_document(big, "big.pdf", "application/pdf")
        assert "بیش از ۱ مگابایت" in last(refused)
        assert_persian(last(refused))
        app = await _only_application(store, citizen.user_id)
        assert await _kinds(store, app.id) == set()
        downloads = [c for c in emulator.calls if c.method == "getFile"]
        assert downloads == []  # refused from the reported size, before downloading


async def test_apply_from_the_check_carries_the_answers(citizen: Citizen, bot: RunningBot) -> None:
    await citizen.sends_command("/start")
    user_data = bot.application.user_data[citizen.user_id]
    user_data["eligibility"] = {
        "gender": "woman",
        "county": "borujerd",
        "activity": "kilim",
        "plan": "independent",
        "home_rented": True,
    }
    await bot.application.bot.send_message(
        citizen.user_id,
        "verdict",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("apply", callback_data="apply:from_check")]]
        ),
    )
    consent = await citizen.presses("apply")
    assert "۱ از ۱۱" in last(consent)  # gender and rented home are not asked again
    await identity(citizen, national_code(8))
    county = citizen.last_text or ""
    assert "بروجرد" in county
    await citizen.presses(_("✅ Confirm"))
    activity = await citizen.presses(_("✏️ Change"))
    assert "گروه فعالیت" in last(activity)
    await citizen.says("قلم")
    await citizen.presses("قلم‌زنی")
    plan = citizen.last_text or ""
    assert "طرح مستقل" in plan
    checklist = await citizen.presses(_("✅ Confirm"))
    assert "۲۰۰ میلیون" in last(checklist)
    checklist = await citizen.says("۱۰۰ میلیون")
    assert "⬜ اجاره‌نامه" in last(checklist)
    store = bot.application.services.store
    app = await _only_application(store, citizen.user_id)
    assert app.county == "borujerd" and app.activity_code == "engraving"


async def test_kill_9_during_documents_then_start_continues(
    emulator: Emulator, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    process = BotProcess(emulator, data_dir)
    await process.start()
    citizen = Citizen(
        emulator.url,
        user_id=5151,
        first_name="زهرا",
        timeout=30,
        settle=store_settled(data_dir / "homebiz.db"),
    )
    try:
        store = await Store.open(data_dir / "homebiz.db")  # beside the bot process's own
        try:
            await _at_documents(citizen, store, 9)
        finally:
            await store.close()
        await citizen.sends_photo(jpeg_bytes(11))
        await citizen.sends_photo(jpeg_bytes(12))

        await process.kill()
        await process.start()

        welcome = await citizen.sends_command("/start")
        assert welcome[-1].inline_buttons, "no offer to continue the draft"
        resumed = await citizen.presses("ادامهٔ درخواست نیمه‌تمام")
        text = last(resumed)
        assert "۲ از ۵" in text and "✅ کارت ملی" in text and "✅ شناسنامه" in text
        assert "⬜ عکس پرسنلی" in text
        replies = await upload_all(citizen, 3, seed=3)
        assert "۵ از ۵" in last(replies)
        done = await submit(citizen)
        assert "کد پیگیری" in last(done)
    finally:
        await citizen.close()
        await process.stop()
    store = await Store.open(data_dir / "homebiz.db")
    try:
        app = await _only_application(store, 5151)
        assert app.status is ApplicationStatus.SUBMITTED
        docs = await store.documents.list_for_application(app.id)
        assert len(docs.latest) == 5
        for doc in docs.latest.values():
            assert _files_match(data_dir, doc.stored_name, doc.sha256)
    finally:
        await store.close()
