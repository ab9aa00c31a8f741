"""The application form: its steps, the answers kept in a draft, and the loan cap that applies.

Pure: no messenger, no store. The draft's ``answers`` column holds ``ApplicationForm`` as JSON
and its ``step`` column holds the ``Step`` the citizen is on, so a draft resumes from the store.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.answers import EligibilityAnswers, Gender, PlanChoice
from domain.catalogue import Catalogue, DocumentRequirement
from domain.documents import required_documents
from domain.statuses import PlanType


class Step(StrEnum):
    """One step of the application; the value is the conversation state and the stored step."""

    CONSENT = "consent"
    PHONE = "phone"
    FULL_NAME = "full_name"
    NATIONAL_CODE = "national_code"
    BIRTH_DATE = "birth_date"
    GENDER = "gender"
    COUNTY = "county"
    HOME_RENTED = "home_rented"
    ACTIVITY = "activity"
    PLAN_TYPE = "plan_type"
    COVERED_WORKERS = "covered_workers"
    AMOUNT = "amount"
    DOCUMENTS = "documents"  # one step, however many documents
    SUMMARY = "summary"


# Answers the eligibility check may carry over; a carried one is not asked again
# (gender, rented home, covered workers) or is shown for confirmation (county, activity, plan).
CARRIED_FIELDS = ("gender", "home_rented", "county", "activity", "plan_type", "covered_workers")


class ApplicationForm(BaseModel):
    """What the application collects; stored as the draft's answers."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    consented_at: datetime | None = None
    phone: str | None = None
    full_name: str | None = None
    national_code: str | None = None
    birth_date: date | None = None
    gender: Gender | None = None
    county: str | None = None
    home_rented: bool | None = None
    activity: str | None = None
    plan_type: PlanType | None = None
    covered_workers: int | None = Field(default=None, ge=1, le=100_000)
    requested_toman: int | None = Field(default=None, gt=0)
    # Which answers came from the eligibility check.
    carried: list[str] = Field(default_factory=list)
    # The step whose carried or earlier value the citizen chose to change (picker shown).
    changing: Step | None = None
    # The document the next upload is for.
    awaiting_document: str | None = None

    @classmethod
    def from_answers(cls, answers: dict[str, Any]) -> ApplicationForm:
        """The form of a stored draft (an unreadable one starts empty rather than failing)."""
        try:
            return cls.model_validate(answers)
        except ValidationError:
            return cls()

    def dump(self) -> dict[str, Any]:
        """JSON-ready answers for the store."""
        return self.model_dump(mode="json")

    def eligibility(self) -> EligibilityAnswers:
        """The answers documents are required from."""
        return EligibilityAnswers(
            gender=self.gender,
            home_rented=self.home_rented,
            county=self.county,
            activity=self.activity,
            covered_workers=self.covered_workers,
        )


def carried_over(check: dict[str, Any] | None, catalogue: Catalogue) -> ApplicationForm:
    """A new form pre-filled from the eligibility check's answers (ignored if unreadable)."""
    form = ApplicationForm()
    if not check:
        return form
    try:
        answers = EligibilityAnswers.model_validate(check)
    except ValidationError:
        return form
    if answers.gender is not None:
        form.gender = answers.gender
    if answers.home_rented is not None:
        form.home_rented = answers.home_rented
    if answers.county and catalogue.county(answers.county) is not None:
        form.county = answers.county
    if answers.activity and catalogue.activity(answers.activity) is not None:
        form.activity = answers.activity
    if answers.plan is not None and answers.plan is not PlanChoice.BOTH:
        form.plan_type = PlanType(answers.plan.value)
    if answers.covered_workers:
        form.covered_workers = answers.covered_workers
    form.carried = [name for name in CARRIED_FIELDS if getattr(form, name) is not None]
    return form


def path(form: ApplicationForm) -> list[Step]:
    """The steps on this citizen's path, in order."""
    steps = [Step.CONSENT, Step.PHONE, Step.FULL_NAME, Step.NATIONAL_CODE, Step.BIRTH_DATE]
    if "gender" not in form.carried:
        steps.append(Step.GENDER)
    steps.append(Step.COUNTY)
    if "home_rented" not in form.carried:
        steps.append(Step.HOME_RENTED)
    steps += [Step.ACTIVITY, Step.PLAN_TYPE]
    if form.plan_type is PlanType.SUPPORTING and "covered_workers" not in form.carried:
        steps.append(Step.COVERED_WORKERS)
    steps += [Step.AMOUNT, Step.DOCUMENTS, Step.SUMMARY]
    return steps


def position(form: ApplicationForm, step: Step) -> tuple[int, int]:
    """(number, total) of a step for «گام n از N»."""
    steps = path(form)
    number = steps.index(step) + 1 if step in steps else len(steps)
    return number, len(steps)


def next_step(form: ApplicationForm, step: Step) -> Step:
    """The step after this one (the summary is last)."""
    steps = path(form)
    if step not in steps:
        return first_unanswered(form)
    return steps[min(steps.index(step) + 1, len(steps) - 1)]


def previous_step(form: ApplicationForm, step: Step) -> Step:
    """The step before this one (consent is first)."""
    steps = path(form)
    if step not in steps:
        return first_unanswered(form)
    return steps[max(steps.index(step) - 1, 0)]


_FIELD_OF_STEP: dict[Step, str] = {
    Step.PHONE: "phone",
    Step.FULL_NAME: "full_name",
    Step.NATIONAL_CODE: "national_code",
    Step.BIRTH_DATE: "birth_date",
    Step.GENDER: "gender",
    Step.COUNTY: "county",
    Step.HOME_RENTED: "home_rented",
    Step.ACTIVITY: "activity",
    Step.PLAN_TYPE: "plan_type",
    Step.COVERED_WORKERS: "covered_workers",
    Step.AMOUNT: "requested_toman",
}


def first_unanswered(form: ApplicationForm) -> Step:
    """Where to go when a stored step is unknown: the first question without an answer."""
    if form.consented_at is None:
        return Step.CONSENT
    for step in path(form):
        name = _FIELD_OF_STEP.get(step)
        if name is not None and getattr(form, name) is None:
            return step
    return Step.DOCUMENTS


def documents_for(form: ApplicationForm, catalogue: Catalogue) -> list[DocumentRequirement]:
    """The documents this application needs, in documents.yaml order."""
    return required_documents(form.eligibility(), form.plan_type, catalogue)


def cap_rials(form: ApplicationForm, catalogue: Catalogue) -> int:
    """The loan cap for the chosen plan (supporting: by covered workers)."""
    loans = catalogue.rules.loans
    if form.plan_type is PlanType.SUPPORTING:
        return loans.supporting.cap_for(form.covered_workers)
    return loans.independent.cap_rials
