"""The application walk, by simulated citizens over HTTP, checked on the replies and in the store."""

from __future__ import annotations

import hashlib
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.formatting import to_persian_digits
from bot.i18n import _
from bot.uploads import FILES_FOLDER
from botapi_emulator import Citizen, Emulator
from domain.models import Application
from domain.statuses import ApplicationStatus, DocumentStatus, PlanType
from domain.tracking import format_tracking_code, is_valid_tracking_code
from storage import Store
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
from tests.e2e.process import BotProcess
from tests.e2e.test_foundation import assert_persian


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
    assert to_persian_digits(format_tracking_code(app.tracking_code)) in last(done)
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
