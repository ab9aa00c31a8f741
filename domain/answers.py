"""The eligibility check's answers and questions: what the conversation collects, step by step."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.statuses import PlanType

# --- answers --------------------------------------------------------------------------------


class Gender(StrEnum):
    MAN = "man"
    WOMAN = "woman"


class Employment(StrEnum):
    """Is the citizen a government employee of any kind?"""

    NO = "no"
    YES = "yes"
    RETIRED = "retired"


class PermitStatus(StrEnum):
    """Does the citizen hold a home-business permit?"""

    YES = "yes"
    IN_PROGRESS = "in_progress"
    NO = "no"


class PlanChoice(StrEnum):
    """The loan plan(s) the citizen wants to know about."""

    INDEPENDENT = "independent"
    SUPPORTING = "supporting"
    BOTH = "both"

    @property
    def plan_types(self) -> frozenset[PlanType]:
        """The plan types this choice covers."""
        if self is PlanChoice.BOTH:
            return frozenset(PlanType)
        return frozenset({PlanType(self.value)})


class EligibilityAnswers(BaseModel):
    """What the check asks; None means not asked (yet) on this citizen's path."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    iranian: bool | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)  # Gregorian
    gender: Gender | None = None
    resident_in_province: bool | None = None
    county: str | None = None
    activity: str | None = None
    permit: PermitStatus | None = None
    government_employee: Employment | None = None
    plan: PlanChoice | None = None
    other_body_loan: bool | None = None  # from the Relief Committee, Welfare, …
    bad_debt: bool | None = None  # bounced cheques or overdue debt
    skills_certificate: bool | None = None
    health_certificate: bool | None = None  # food activities only
    home_rented: bool | None = None
    # Supporting plan only.
    criminal_record: bool | None = None
    experience_years: int | None = Field(default=None, ge=0, le=80)
    own_contribution: bool | None = None
    covered_workers: int | None = Field(default=None, ge=0, le=100_000)

    def age(self, today: date) -> int | None:
        """Age in whole years from the birth year (generous by up to a year)."""
        return None if self.birth_year is None else today.year - self.birth_year


class QuestionId(StrEnum):
    """One question of the check; its value is the EligibilityAnswers field it fills."""

    IRANIAN = "iranian"
    BIRTH_YEAR = "birth_year"
    GENDER = "gender"
    RESIDENT_IN_PROVINCE = "resident_in_province"
    COUNTY = "county"
    ACTIVITY = "activity"
    PERMIT = "permit"
    GOVERNMENT_EMPLOYEE = "government_employee"
    PLAN = "plan"
    OTHER_BODY_LOAN = "other_body_loan"
    BAD_DEBT = "bad_debt"
    SKILLS_CERTIFICATE = "skills_certificate"
    HEALTH_CERTIFICATE = "health_certificate"
    HOME_RENTED = "home_rented"
    CRIMINAL_RECORD = "criminal_record"
    EXPERIENCE_YEARS = "experience_years"
    OWN_CONTRIBUTION = "own_contribution"
    COVERED_WORKERS = "covered_workers"


SUPPORTING_QUESTIONS = (
    QuestionId.CRIMINAL_RECORD,
    QuestionId.EXPERIENCE_YEARS,
    QuestionId.OWN_CONTRIBUTION,
    QuestionId.COVERED_WORKERS,
)


def is_answered(answers: EligibilityAnswers, question: QuestionId) -> bool:
    """Whether the field this question fills has a value."""
    return getattr(answers, question.value) is not None
