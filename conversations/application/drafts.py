"""The application's draft in the store: find it, save each answer before the next question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update

from conversations.application.form import ApplicationForm, Step, first_unanswered
from domain.models import Application, Citizen
from domain.statuses import ApplicationStatus, PlanType
from handlers.context import BotContext
from handlers.start import register_citizen

# user_data key of the draft this conversation works on (the store is the truth).
APPLICATION_KEY = "application_id"


@dataclass
class Draft:
    """The citizen, their draft application and its form."""

    citizen: Citizen
    app: Application
    form: ApplicationForm

    @property
    def step(self) -> Step:
        """The stored step; an unknown one falls back to the first unanswered question."""
        try:
            return Step(self.app.step or "")
        except ValueError:
            return first_unanswered(self.form)


async def load_draft(update: Update, context: BotContext) -> Draft | None:
    """The draft this conversation is on: the remembered one if still a draft, else the latest."""
    citizen = await register_citizen(update, context)
    if citizen is None:
        return None
    apps = context.services.store.applications
    app: Application | None = None
    remembered = (context.user_data or {}).get(APPLICATION_KEY)
    if isinstance(remembered, int):
        app = await apps.get_for_citizen(remembered, citizen.id)
    if app is None or app.status is not ApplicationStatus.DRAFT:
        app = await apps.open_draft_for_citizen(citizen.id)
    if app is None:
        return None
    remember(context, app.id)
    return Draft(citizen, app, ApplicationForm.from_answers(app.answers))


def remember(context: BotContext, application_id: int | None) -> None:
    """Keep (or forget) which draft the conversation works on."""
    if context.user_data is None:
        return
    if application_id is None:
        context.user_data.pop(APPLICATION_KEY, None)
    else:
        context.user_data[APPLICATION_KEY] = application_id


async def create_draft(
    context: BotContext, citizen: Citizen, form: ApplicationForm, plan_type: PlanType
) -> Draft:
    """Store a new draft at consent (OpenApplicationExists if one of this plan is open)."""
    # The column needs a plan type now; the form keeps None until the citizen chooses one.
    app = await context.services.store.applications.create_draft(
        citizen.id, plan_type, form.dump(), step=Step.PHONE.value
    )
    remember(context, app.id)
    return Draft(citizen, app, form)


async def save(
    context: BotContext,
    draft: Draft,
    step: Step,
    *,
    citizen_fields: dict[str, str] | None = None,
    **columns: Any,
) -> Draft:
    """Store the form, the step the citizen goes to, and the given columns, in one transaction."""
    store = context.services.store
    async with store.db.transaction() as conn:
        app = await store.applications.update_fields(
            draft.app.id, conn=conn, answers=draft.form.dump(), step=step.value, **columns
        )
        citizen = draft.citizen
        if citizen_fields:
            citizen = await store.citizens.update_contact(citizen.id, conn=conn, **citizen_fields)
    draft.app, draft.citizen = app, citizen
    return draft


async def change_plan_type(context: BotContext, draft: Draft, plan_type: PlanType) -> None:
    """Move a draft to another plan type; OpenApplicationExists if that plan is already open."""
    if draft.app.plan_type is plan_type:
        return
    await context.services.store.applications.change_draft_plan_type(draft.app.id, plan_type)
