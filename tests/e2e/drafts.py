"""Drafts seeded at the step under test, instead of walking there message by message.

The walk from /start to the documents step is a whole journey of its own
(tests/e2e/test_application.py::test_independent_applicant_from_start_to_tracking_code).
A test about what happens at the documents step seeds the draft that walk leaves, through
the services the application conversation itself calls (services.applications); then the
citizen sends /start and presses «continue the unfinished application», and the bot resumes
the draft at its stored step, over HTTP.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from botapi_emulator import BotMessage, Citizen
from conversations.application.form import ApplicationForm, Step
from domain.answers import Gender
from domain.models import Application
from domain.statuses import PlanType
from services import applications
from services.actors import Actor
from storage import Store
from tests.e2e.application_walk import VALID_PHONE
from texts.i18n import _

NAME = "مریم احمدی"


async def draft_at_documents(
    store: Store, user_id: int, code: str, *, platform: str = "telegram"
) -> Application:
    """The draft ``open_application``, ``identity`` and ``business`` (their defaults) leave: a
    woman in Khorramabad, own home, kilim weaving, the independent plan, 200 million toman;
    the bot waits for the first document (the national card)."""
    citizen = await store.citizens.get_or_create(platform, user_id, user_id)
    actor = Actor("citizen", citizen.id)
    born = date(1991, 8, 3)  # ۱۳۷۰/۰۵/۱۲, as identity() types it
    form = ApplicationForm(
        consented_at=datetime.now(UTC),
        phone=VALID_PHONE,
        full_name=NAME,
        national_code=code,
        birth_date=born,
        gender=Gender.WOMAN,
        county="khorramabad",
        home_rented=False,
        activity="kilim",
        plan_type=PlanType.INDEPENDENT,
        requested_toman=200_000_000,
        awaiting_document="national_card",
    )
    draft = await applications.start_draft(
        store, actor, PlanType.INDEPENDENT, form.dump(), Step.PHONE.value
    )
    contact = {"phone": VALID_PHONE, "full_name": NAME, "national_code": code}
    saved = await applications.save_answers(
        store,
        actor,
        draft.id,
        form.dump(),
        Step.DOCUMENTS.value,
        fields={
            **contact,
            "birth_date": born,
            "county": "khorramabad",
            "activity_code": "kilim",
            "requested_rials": 2_000_000_000,
        },
        citizen_fields=contact,
    )
    return saved.application


async def resume_application(citizen: Citizen) -> list[BotMessage]:
    """/start, then its «continue the unfinished application»: the bot asks the seeded
    draft's step (the documents checklist)."""
    welcome = await citizen.sends_command("/start")
    assert welcome and welcome[-1].inline_buttons, "no offer to continue the draft"
    return await citizen.presses(_("Continue the unfinished application"))
