"""The application's draft in the store: find it, save each answer before the next question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update

from conversations.application.form import ApplicationForm, Step
from conversations.application.steps import first_unanswered
from domain.models import Application, Citizen
from domain.statuses import PlanType
from handlers.context import BotContext
from handlers.start import register_citizen
from services import applications
from services.actors import Actor

# user_data key of the draft this conversation works on (the store is the truth).
APPLICATION_KEY = "application_id"


@dataclass
class Draft:
    """The citizen, their draft application and its form."""

    citizen: Citizen
    app: Application
    form: ApplicationForm

    @property
    def actor(self) -> Actor:
        """The citizen, as the services know them."""
        return Actor("citizen", self.citizen.id)

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
    remembered = (context.user_data or {}).get(APPLICATION_KEY)
    app = await applications.current_draft(
        context.services.store,
        Actor("citizen", citizen.id),
        remembered if isinstance(remembered, int) else None,
    )
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
    app = await applications.start_draft(
        context.services.store,
        Actor("citizen", citizen.id),
        plan_type,
        form.dump(),
        Step.PHONE.value,
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
    saved = await applications.save_answers(
        context.services.store,
        draft.actor,
        draft.app.id,
        draft.form.dump(),
        step.value,
        fields=columns,
        citizen_fields=citizen_fields,
    )
    draft.app, draft.citizen = saved.application, saved.citizen
    return draft


async def change_plan_type(context: BotContext, draft: Draft, plan_type: PlanType) -> None:
    """Move a draft to another plan type; OpenApplicationExists if that plan is already open."""
    await applications.change_plan(context.services.store, draft.actor, draft.app.id, plan_type)
