"""Which documents an application needs, from its answers (the check's or the form's) and plan."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

from domain.answers import EligibilityAnswers, Gender
from domain.catalogue import Catalogue, DocumentCondition, DocumentRequirement
from domain.models import Application
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


# The stored application form's answers that document conditions rest on.
_CONDITION_FIELDS = ("gender", "home_rented", "county", "activity", "covered_workers")


def answers_of_application(app: Application) -> EligibilityAnswers:
    """The document-relevant answers of a stored application (an unreadable one is unknown)."""
    stored = {name: app.answers.get(name) for name in _CONDITION_FIELDS}
    if stored["activity"] is None:
        stored["activity"] = app.activity_code
    if stored["county"] is None:
        stored["county"] = app.county
    answers = EligibilityAnswers()
    for name, value in stored.items():
        if value is None:
            continue
        try:
            answers = EligibilityAnswers.model_validate({**answers.model_dump(), name: value})
        except ValidationError:
            continue  # one unreadable answer leaves that condition unknown, not the others
    return answers


def application_documents(
    app: Application, catalogue: Catalogue, uploaded: Iterable[str] = ()
) -> list[DocumentRequirement]:
    """What this application requires by its answers and plan, and whatever it has uploaded.

    An uploaded kind is kept even if the answers no longer require it: it was required when
    sent, and an officer may still need it corrected. documents.yaml order.
    """
    required = {
        d.code for d in required_documents(answers_of_application(app), app.plan_type, catalogue)
    }
    wanted = required | set(uploaded)
    return [doc for doc in catalogue.documents if doc.code in wanted]
