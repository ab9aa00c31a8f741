"""The application form: its steps, the answers kept in a draft, and the loan cap that applies.

Pure: no messenger, no store. The draft's ``answers`` column holds ``ApplicationForm`` as JSON
and its ``step`` column holds the ``Step`` the citizen is on, so a draft resumes from the store.
The steps' order, conditions and questions are a ``Form`` in ``steps.py``.
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
    """One step of the application; the value is the conversation state and the stored step.

    Each is the state of one ``FormStep`` in ``steps.STEPS`` (a persisted name: keep it).
    """

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

    def answers(self) -> dict[str, Any]:
        """The answers given so far (the fields holding a value), as the application's steps
        read them (``conversations/application/steps.py``): a step is answered once its field is.
        """
        return {name: value for name, value in self.model_dump().items() if value is not None}

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


def documents_for(form: ApplicationForm, catalogue: Catalogue) -> list[DocumentRequirement]:
    """The documents this application needs, in documents.yaml order."""
    return required_documents(form.eligibility(), form.plan_type, catalogue)


def cap_rials(form: ApplicationForm, catalogue: Catalogue) -> int:
    """The loan cap for the chosen plan (supporting: by covered workers)."""
    loans = catalogue.rules.loans
    if form.plan_type is PlanType.SUPPORTING:
        return loans.supporting.cap_for(form.covered_workers)
    return loans.independent.cap_rials
