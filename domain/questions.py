"""The check's question flow as data: which question comes next, the step count, path lengths."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.answers import (
    SUPPORTING_QUESTIONS,
    EligibilityAnswers,
    Employment,
    Gender,
    PermitStatus,
    PlanChoice,
    QuestionId,
    is_answered,
)
from domain.catalogue import Catalogue
from domain.statuses import PlanType


def questions_for(
    answers: EligibilityAnswers, catalogue: Catalogue, today: date
) -> list[QuestionId]:
    """The whole path for these answers; unanswered branches assume the common case.

    A knock-out (not Iranian, too young or old, living elsewhere) ends the path; loan
    questions are skipped when no loan is possible (government employee, closed activity).
    """
    rules = catalogue.rules
    path = [QuestionId.IRANIAN]
    if answers.iranian is False:
        return path
    path.append(QuestionId.BIRTH_YEAR)
    age = answers.age(today)
    if age is not None and (
        age < rules.age.minimum or (rules.age.maximum is not None and age > rules.age.maximum)
    ):
        return path
    path += [QuestionId.GENDER, QuestionId.RESIDENT_IN_PROVINCE]
    if answers.resident_in_province is False:
        return path
    path += [QuestionId.COUNTY, QuestionId.ACTIVITY, QuestionId.PERMIT]
    activity = catalogue.activity(answers.activity) if answers.activity else None
    closed = activity is not None and activity.closed_to_new_loans
    if not closed:
        path.append(QuestionId.GOVERNMENT_EMPLOYEE)
    loans_possible = not closed and answers.government_employee is not Employment.YES
    if loans_possible:
        path += [QuestionId.PLAN, QuestionId.OTHER_BODY_LOAN, QuestionId.BAD_DEBT]
        if activity is None or activity.needs_skills_certificate:
            path.append(QuestionId.SKILLS_CERTIFICATE)
    if activity is not None and activity.needs_health_certificate:
        path.append(QuestionId.HEALTH_CERTIFICATE)
    path.append(QuestionId.HOME_RENTED)
    wants_supporting = answers.plan is not None and PlanType.SUPPORTING in answers.plan.plan_types
    old_enough = age is None or age >= rules.age.supporter_minimum
    if loans_possible and wants_supporting and old_enough:
        path += SUPPORTING_QUESTIONS
    return path


def next_question(
    answers: EligibilityAnswers, catalogue: Catalogue, today: date
) -> QuestionId | None:
    """The first unanswered question on the path, or None when the verdict is due."""
    for question in questions_for(answers, catalogue, today):
        if not is_answered(answers, question):
            return question
    return None


def previous_question(
    answers: EligibilityAnswers, catalogue: Catalogue, today: date
) -> QuestionId | None:
    """The question a back button returns to (forget it, then ask it again), or None."""
    path = questions_for(answers, catalogue, today)
    current = next_question(answers, catalogue, today)
    index = len(path) if current is None else path.index(current)
    return path[index - 1] if index > 0 else None


def progress(answers: EligibilityAnswers, catalogue: Catalogue, today: date) -> tuple[int, int]:
    """(step, total) for "Step 3 of 8"; the total may change as answers open branches."""
    path = questions_for(answers, catalogue, today)
    current = next_question(answers, catalogue, today)
    step = len(path) if current is None else path.index(current) + 1
    return step, len(path)


def answer(answers: EligibilityAnswers, question: QuestionId, value: Any) -> EligibilityAnswers:
    """A copy with one question answered (validated; raises pydantic.ValidationError)."""
    return EligibilityAnswers.model_validate({**answers.model_dump(), question.value: value})


def forget(answers: EligibilityAnswers, question: QuestionId) -> EligibilityAnswers:
    """A copy with one answer cleared, for the back button."""
    return answers.model_copy(update={question.value: None})


# --- path lengths (for the README's "taps to a verdict") ------------------------------------

_REFERENCE_DAY = date(2025, 3, 21)  # path lengths depend on ages, not on the day


def _branch_values(question: QuestionId, catalogue: Catalogue, today: date) -> list[Any]:
    """One answer per branch the question can open; a single value where it opens none."""
    rules = catalogue.rules
    if question is QuestionId.BIRTH_YEAR:
        ages = {rules.age.minimum - 1, rules.age.minimum, rules.age.supporter_minimum}
        if rules.age.maximum is not None:
            ages.add(rules.age.maximum + 1)
        return [today.year - age for age in sorted(ages)]
    if question is QuestionId.ACTIVITY:
        kinds: dict[tuple[bool, bool, bool], str] = {}
        for activity in catalogue.activities:
            kind = (
                activity.needs_skills_certificate,
                activity.needs_health_certificate,
                activity.closed_to_new_loans,
            )
            kinds.setdefault(kind, activity.code)
        return list(kinds.values())
    if question is QuestionId.COUNTY:
        return [catalogue.counties[0].code]
    if question in (QuestionId.IRANIAN, QuestionId.RESIDENT_IN_PROVINCE):
        return [True, False]
    if question is QuestionId.GOVERNMENT_EMPLOYEE:
        return list(Employment)
    if question is QuestionId.PLAN:
        return list(PlanChoice)
    fixed: dict[QuestionId, Any] = {
        QuestionId.GENDER: Gender.WOMAN,
        QuestionId.PERMIT: PermitStatus.YES,
        QuestionId.EXPERIENCE_YEARS: 0,
        QuestionId.COVERED_WORKERS: 0,
    }
    return [fixed.get(question, False)]


def all_answer_sets(catalogue: Catalogue, today: date = _REFERENCE_DAY) -> list[EligibilityAnswers]:
    """The finished answers at the end of every distinct question path (one per path)."""
    finished: list[EligibilityAnswers] = []
    stack = [EligibilityAnswers()]
    while stack:
        answers = stack.pop()
        question = next_question(answers, catalogue, today)
        if question is None:
            finished.append(answers)
            continue
        for value in _branch_values(question, catalogue, today):
            stack.append(answer(answers, question, value))
    return finished


def all_paths(catalogue: Catalogue, today: date = _REFERENCE_DAY) -> list[list[QuestionId]]:
    """Every distinct question path from the first question to a verdict."""
    return [questions_for(a, catalogue, today) for a in all_answer_sets(catalogue, today)]


def shortest_path_length(catalogue: Catalogue) -> int:
    """Questions on the shortest path to a verdict (a knock-out at the first question)."""
    return min(len(path) for path in all_paths(catalogue))


def shortest_complete_path_length(catalogue: Catalogue) -> int:
    """Questions on the shortest path that is not cut short by a knock-out."""
    return min(len(p) for p in all_paths(catalogue) if QuestionId.HOME_RENTED in p)


def longest_path_length(catalogue: Catalogue) -> int:
    """Questions on the longest path to a verdict (a supporting plan, food activity)."""
    return max(len(path) for path in all_paths(catalogue))
