"""Which documents an application needs, from the check's answers and the plan type."""

from __future__ import annotations

from domain.answers import EligibilityAnswers, Gender
from domain.catalogue import Catalogue, DocumentCondition, DocumentRequirement
from domain.statuses import PlanType


def conditions_met(
    answers: EligibilityAnswers, plan_type: PlanType | None, catalogue: Catalogue
) -> frozenset[DocumentCondition]:
    """The document conditions these answers satisfy; an unknown answer satisfies none."""
    activity = catalogue.activity(answers.activity) if answers.activity else None
    met = {DocumentCondition.ALWAYS}
    if answers.gender is Gender.MAN:
        met.add(DocumentCondition.MAN)
    if answers.home_rented:
        met.add(DocumentCondition.RENTED_HOME)
    if activity is not None and activity.needs_health_certificate:
        met.add(DocumentCondition.FOOD_ACTIVITY)
    if activity is not None and activity.needs_skills_certificate:
        met.add(DocumentCondition.SKILLS_CERTIFICATE_NEEDED)
    if activity is not None and activity.starred:
        met.add(DocumentCondition.STARRED_ACTIVITY)
    if plan_type is PlanType.SUPPORTING:
        met.add(DocumentCondition.SUPPORTING_PLAN)
    if plan_type is PlanType.INDEPENDENT:
        met.add(DocumentCondition.INDEPENDENT_PLAN)
    return frozenset(met)


def required_documents(
    answers: EligibilityAnswers, plan_type: PlanType | None, catalogue: Catalogue
) -> list[DocumentRequirement]:
    """Documents whose every condition holds, in documents.yaml order (None: permit only)."""
    met = conditions_met(answers, plan_type, catalogue)
    return [doc for doc in catalogue.documents if all(c in met for c in doc.when)]
