"""The eligibility rules one by one, the question flow, and every answer path to a verdict."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.catalogue import Catalogue
from domain.eligibility import (
    FINDINGS,
    EligibilityAnswers,
    EligibilityResult,
    Employment,
    Gender,
    Outcome,
    PermitStatus,
    PlanChoice,
    Product,
    QuestionId,
    Severity,
    evaluate,
)
from domain.questions import (
    all_paths,
    answer,
    forget,
    longest_path_length,
    next_question,
    previous_question,
    progress,
    questions_for,
    shortest_complete_path_length,
    shortest_path_length,
)
from tests.catalogues import parsed_catalogue

TODAY = date(2025, 6, 1)
CATALOGUE = parsed_catalogue()


def eligible(**changes: Any) -> EligibilityAnswers:
    """A citizen eligible for the permit and the independent loan, with some answers changed."""
    base: dict[str, Any] = {
        "iranian": True,
        "birth_year": 1990,
        "gender": Gender.WOMAN,
        "resident_in_province": True,
        "county": "khorramabad",
        "activity": "programming",  # not starred, no certificate needed, open to loans
        "permit": PermitStatus.YES,
        "government_employee": Employment.NO,
        "plan": PlanChoice.INDEPENDENT,
        "other_body_loan": False,
        "bad_debt": False,
        "home_rented": False,
    }
    return EligibilityAnswers.model_validate({**base, **changes})


def supporter(**changes: Any) -> EligibilityAnswers:
    """A citizen eligible for both loans."""
    supporting: dict[str, Any] = {
        "plan": PlanChoice.BOTH,
        "criminal_record": False,
        "experience_years": 5,
        "own_contribution": True,
        "covered_workers": 10,
    }
    return eligible(**{**supporting, **changes})


def check(answers: EligibilityAnswers) -> EligibilityResult:
    return evaluate(answers, CATALOGUE, TODAY)


def codes(result: EligibilityResult, product: Product) -> list[str]:
    return [f.code for f in result.verdict(product).findings]


LOANS = (Product.INDEPENDENT_LOAN, Product.SUPPORTING_LOAN)


# --- the clean cases ------------------------------------------------------------------------


def test_an_eligible_independent_applicant() -> None:
    result = check(eligible())
    assert result.permit.outcome is Outcome.ELIGIBLE
    assert result.independent_loan.outcome is Outcome.ELIGIBLE
    assert result.independent_loan.loan_cap_rials == 2_000_000_000
    assert result.permit.loan_cap_rials is None
    # Not asked about the supporting plan: said so, not refused.
    assert codes(result, Product.SUPPORTING_LOAN) == ["supporting_not_chosen"]
    assert result.supporting_loan.outcome is Outcome.CONDITIONAL


def test_an_eligible_supporter_gets_a_cap_by_covered_workers() -> None:
    result = check(supporter(covered_workers=10))
    assert [v.outcome for v in result.verdicts] == [Outcome.ELIGIBLE] * 3
    assert result.supporting_loan.loan_cap_rials == 10_000_000_000 + 10 * 1_600_000_000
    assert check(supporter(covered_workers=40)).supporting_loan.loan_cap_rials == 50_000_000_000


# --- rule by rule ---------------------------------------------------------------------------


def test_not_iranian_blocks_everything() -> None:
    result = check(eligible(iranian=False))
    for verdict in result.verdicts:
        assert verdict.outcome is Outcome.NOT_ELIGIBLE
        assert "not_iranian" in [f.code for f in verdict.findings]


def test_under_minimum_age_blocks_everything() -> None:
    result = check(eligible(birth_year=TODAY.year - 17))
    for verdict in result.verdicts:
        assert verdict.outcome is Outcome.NOT_ELIGIBLE
    (under,) = [f for f in result.permit.findings if f.code == "under_minimum_age"]
    assert under.params == {"minimum": 18}


def test_exactly_the_minimum_age_is_enough() -> None:
    assert check(eligible(birth_year=TODAY.year - 18)).permit.outcome is Outcome.ELIGIBLE


def test_maximum_age_applies_only_when_set() -> None:
    assert check(eligible(birth_year=1930)).permit.outcome is Outcome.ELIGIBLE
    capped = CATALOGUE.rules.model_copy(
        update={"age": CATALOGUE.rules.age.model_copy(update={"maximum": 65})}
    )
    catalogue = Catalogue(
        CATALOGUE.provinces, CATALOGUE.groups, CATALOGUE.activities, capped, CATALOGUE.documents
    )
    result = evaluate(eligible(birth_year=1930), catalogue, TODAY)
    assert "over_maximum_age" in codes(result, Product.PERMIT)


def test_living_outside_the_province_blocks_everything() -> None:
    result = check(eligible(resident_in_province=False))
    (finding,) = result.permit.findings
    assert finding.code == "not_resident"
    assert finding.params == {"province": "لرستان"}
    assert all(v.outcome is Outcome.NOT_ELIGIBLE for v in result.verdicts)


def test_unknown_county_blocks_everything() -> None:
    result = check(eligible(county="atlantis"))
    assert all("unknown_county" in [f.code for f in v.findings] for v in result.verdicts)


def test_activity_not_on_the_list_blocks_everything() -> None:
    result = check(eligible(activity="alchemy"))
    assert all("activity_not_listed" in [f.code for f in v.findings] for v in result.verdicts)


@pytest.mark.parametrize(
    ("activity", "code"),
    [
        ("honey", "sign_off_veterinary"),
        ("ornamental_fish", "sign_off_veterinary"),
        ("calligraphy", "sign_off_culture"),
        ("legume_packing", "sign_off_health"),
    ],
)
def test_starred_activity_makes_the_permit_conditional(activity: str, code: str) -> None:
    result = check(eligible(activity=activity, skills_certificate=True, health_certificate=True))
    assert codes(result, Product.PERMIT) == [code]
    assert result.permit.outcome is Outcome.CONDITIONAL
    assert code not in codes(result, Product.INDEPENDENT_LOAN)


def test_food_activity_without_health_certificate_is_a_condition() -> None:
    result = check(eligible(activity="legume_packing", health_certificate=False))
    assert "health_certificate_missing" in codes(result, Product.PERMIT)
    assert codes(result, Product.INDEPENDENT_LOAN) == ["health_certificate_missing"]
    assert result.independent_loan.outcome is Outcome.CONDITIONAL


def test_government_employee_is_refused_the_loans_but_not_the_permit() -> None:
    result = check(eligible(government_employee=Employment.YES))
    assert result.permit.outcome is Outcome.ELIGIBLE
    for product in LOANS:
        assert result.verdict(product).outcome is Outcome.NOT_ELIGIBLE
        assert "government_employee" in codes(result, product)
    finding = result.independent_loan.blocking[0]
    assert (finding.problem, finding.remedy) == FINDINGS["government_employee"][1:]


def test_retired_government_employee_may_borrow() -> None:
    result = check(eligible(government_employee=Employment.RETIRED))
    assert result.independent_loan.outcome is Outcome.ELIGIBLE


def test_closed_activity_blocks_loans_not_the_permit() -> None:
    result = check(eligible(activity="tailoring", skills_certificate=True))
    assert result.permit.outcome is Outcome.ELIGIBLE
    assert codes(result, Product.INDEPENDENT_LOAN) == ["activity_closed"]
    assert result.independent_loan.findings[0].params == {"year": 1404}
    assert result.supporting_loan.outcome is Outcome.NOT_ELIGIBLE


def test_permit_in_progress_is_a_condition_for_the_loans() -> None:
    result = check(eligible(permit=PermitStatus.IN_PROGRESS))
    assert codes(result, Product.INDEPENDENT_LOAN) == ["permit_in_progress"]
    assert result.independent_loan.outcome is Outcome.CONDITIONAL
    assert result.permit.outcome is Outcome.ELIGIBLE


def test_no_permit_is_a_condition_for_the_loans() -> None:
    result = check(eligible(permit=PermitStatus.NO))
    assert codes(result, Product.INDEPENDENT_LOAN) == ["permit_missing"]
    assert result.independent_loan.outcome is Outcome.CONDITIONAL


def test_similar_loan_from_another_body_blocks_the_loans() -> None:
    result = check(eligible(other_body_loan=True))
    assert codes(result, Product.INDEPENDENT_LOAN) == ["other_body_loan"]
    assert result.independent_loan.outcome is Outcome.NOT_ELIGIBLE
    assert result.permit.outcome is Outcome.ELIGIBLE


def test_bad_debt_blocks_the_loans() -> None:
    result = check(eligible(bad_debt=True))
    assert codes(result, Product.INDEPENDENT_LOAN) == ["bad_debt"]
    assert result.independent_loan.outcome is Outcome.NOT_ELIGIBLE


def test_missing_skills_certificate_is_a_condition() -> None:
    result = check(eligible(activity="kilim", skills_certificate=False))
    assert codes(result, Product.INDEPENDENT_LOAN) == ["skills_certificate_missing"]
    assert result.independent_loan.outcome is Outcome.CONDITIONAL
    assert check(eligible(activity="kilim", skills_certificate=True)).independent_loan.outcome is (
        Outcome.ELIGIBLE
    )


def test_skills_certificate_is_not_asked_of_activities_without_one() -> None:
    assert check(eligible(activity="programming")).independent_loan.outcome is Outcome.ELIGIBLE


def test_supporter_must_be_older() -> None:
    result = check(supporter(birth_year=TODAY.year - 19))
    assert codes(result, Product.SUPPORTING_LOAN) == ["supporter_under_age"]
    assert result.supporting_loan.findings[0].params == {"minimum": 20}
    assert result.independent_loan.outcome is Outcome.ELIGIBLE


def test_criminal_record_blocks_the_supporting_plan_only() -> None:
    result = check(supporter(criminal_record=True))
    assert codes(result, Product.SUPPORTING_LOAN) == ["criminal_record"]
    assert result.supporting_loan.outcome is Outcome.NOT_ELIGIBLE
    assert result.independent_loan.outcome is Outcome.ELIGIBLE


def test_too_little_experience_blocks_the_supporting_plan() -> None:
    result = check(supporter(experience_years=1))
    assert codes(result, Product.SUPPORTING_LOAN) == ["experience_too_short"]
    assert result.supporting_loan.findings[0].params == {"minimum": 2}
    assert check(supporter(experience_years=2)).supporting_loan.outcome is Outcome.ELIGIBLE


def test_no_own_contribution_is_a_condition() -> None:
    result = check(supporter(own_contribution=False))
    assert codes(result, Product.SUPPORTING_LOAN) == ["no_own_contribution"]
    assert result.supporting_loan.outcome is Outcome.CONDITIONAL


def test_too_few_covered_workers_is_a_condition() -> None:
    result = check(supporter(covered_workers=3))
    assert codes(result, Product.SUPPORTING_LOAN) == ["too_few_workers"]
    assert result.supporting_loan.outcome is Outcome.CONDITIONAL


def test_unanswered_questions_are_a_condition_not_a_crash() -> None:
    result = check(EligibilityAnswers())
    assert [v.outcome for v in result.verdicts] == [Outcome.CONDITIONAL] * 3
    assert codes(result, Product.PERMIT) == ["answers_missing"]


def test_every_failure_is_listed_not_just_the_first() -> None:
    result = check(eligible(other_body_loan=True, bad_debt=True, permit=PermitStatus.NO))
    assert codes(result, Product.INDEPENDENT_LOAN) == [
        "permit_missing",
        "other_body_loan",
        "bad_debt",
    ]


def test_findings_table_is_complete_and_consistent() -> None:
    for code, (severity, problem, remedy) in FINDINGS.items():
        assert isinstance(severity, Severity)
        assert problem.endswith(".") and remedy.endswith("."), code


# --- the question flow ----------------------------------------------------------------------


def walk(values: dict[QuestionId, Any]) -> tuple[EligibilityAnswers, list[QuestionId]]:
    """Answer questions in the order the flow asks them; return the answers and the order."""
    answers, asked = EligibilityAnswers(), []
    while (question := next_question(answers, CATALOGUE, TODAY)) is not None:
        asked.append(question)
        answers = answer(answers, question, values[question])
    return answers, asked


def test_the_common_path_in_order() -> None:
    values = {QuestionId(k): v for k, v in eligible().model_dump().items() if v is not None}
    _, asked = walk(values)
    assert asked == [
        QuestionId.IRANIAN,
        QuestionId.BIRTH_YEAR,
        QuestionId.GENDER,
        QuestionId.RESIDENT_IN_PROVINCE,
        QuestionId.COUNTY,
        QuestionId.ACTIVITY,
        QuestionId.PERMIT,
        QuestionId.GOVERNMENT_EMPLOYEE,
        QuestionId.PLAN,
        QuestionId.OTHER_BODY_LOAN,
        QuestionId.BAD_DEBT,
        QuestionId.HOME_RENTED,
    ]


def test_supporting_plan_and_food_activity_add_questions() -> None:
    answers = supporter(activity="pastry", skills_certificate=True, health_certificate=True)
    path = questions_for(answers, CATALOGUE, TODAY)
    assert path[-5:] == [
        QuestionId.HOME_RENTED,
        QuestionId.CRIMINAL_RECORD,
        QuestionId.EXPERIENCE_YEARS,
        QuestionId.OWN_CONTRIBUTION,
        QuestionId.COVERED_WORKERS,
    ]
    assert QuestionId.SKILLS_CERTIFICATE in path and QuestionId.HEALTH_CERTIFICATE in path
    assert len(path) == longest_path_length(CATALOGUE) == 18


def test_knock_outs_end_the_path_early() -> None:
    assert questions_for(EligibilityAnswers(iranian=False), CATALOGUE, TODAY) == [
        QuestionId.IRANIAN
    ]
    young = EligibilityAnswers(iranian=True, birth_year=TODAY.year - 15)
    assert next_question(young, CATALOGUE, TODAY) is None
    away = eligible(resident_in_province=False)
    assert questions_for(away, CATALOGUE, TODAY)[-1] is QuestionId.RESIDENT_IN_PROVINCE


def test_government_employee_skips_loan_questions() -> None:
    path = questions_for(eligible(government_employee=Employment.YES), CATALOGUE, TODAY)
    assert QuestionId.PLAN not in path and QuestionId.BAD_DEBT not in path
    assert path[-1] is QuestionId.HOME_RENTED


def test_closed_activity_skips_loan_questions() -> None:
    path = questions_for(eligible(activity="carpet"), CATALOGUE, TODAY)
    assert QuestionId.GOVERNMENT_EMPLOYEE not in path and QuestionId.PLAN not in path


def test_progress_counts_steps_and_back_returns_to_the_previous_question() -> None:
    answers = EligibilityAnswers(iranian=True, birth_year=1990)
    assert progress(answers, CATALOGUE, TODAY) == (3, 13)  # «گام ۳ از ۱۳»
    back = previous_question(answers, CATALOGUE, TODAY)
    assert back is QuestionId.BIRTH_YEAR
    assert next_question(forget(answers, back), CATALOGUE, TODAY) is QuestionId.BIRTH_YEAR
    assert previous_question(EligibilityAnswers(), CATALOGUE, TODAY) is None


def test_path_lengths_for_the_readme() -> None:
    assert shortest_path_length(CATALOGUE) == 1
    assert shortest_complete_path_length(CATALOGUE) == 8
    assert longest_path_length(CATALOGUE) == 18
    assert all(p[0] is QuestionId.IRANIAN for p in all_paths(CATALOGUE))


# --- every path ends in a verdict -----------------------------------------------------------

COUNTY_CODES = [c.code for c in CATALOGUE.counties] + ["atlantis"]
ACTIVITY_CODES = [a.code for a in CATALOGUE.activities] + ["alchemy"]
SHORTEST, LONGEST = shortest_path_length(CATALOGUE), longest_path_length(CATALOGUE)


# Built once: a walk draws one answer per question asked, and building the strategy anew for
# each draw cost more than the walk itself.
ANSWER_STRATEGIES: dict[QuestionId, st.SearchStrategy[Any]] = {
    QuestionId.BIRTH_YEAR: st.integers(1900, 2100),
    QuestionId.GENDER: st.sampled_from(Gender),
    QuestionId.COUNTY: st.sampled_from(COUNTY_CODES),
    QuestionId.ACTIVITY: st.sampled_from(ACTIVITY_CODES),
    QuestionId.PERMIT: st.sampled_from(PermitStatus),
    QuestionId.GOVERNMENT_EMPLOYEE: st.sampled_from(Employment),
    QuestionId.PLAN: st.sampled_from(PlanChoice),
    QuestionId.EXPERIENCE_YEARS: st.integers(0, 80),
    QuestionId.COVERED_WORKERS: st.integers(0, 500),
}
YES_OR_NO = st.booleans()


def answer_strategy(question: QuestionId) -> st.SearchStrategy[Any]:
    """Every answer the conversation can collect for a question."""
    return ANSWER_STRATEGIES.get(question, YES_OR_NO)


@st.composite
def answer_paths(draw: st.DrawFn) -> tuple[EligibilityAnswers, list[QuestionId]]:
    """A whole walk through the check, as a citizen pressing buttons would make it."""
    answers, asked = EligibilityAnswers(), []
    while (question := next_question(answers, CATALOGUE, TODAY)) is not None:
        assert question not in asked, "the flow asked the same question twice"
        asked.append(question)
        answers = answer(answers, question, draw(answer_strategy(question)))
    return answers, asked


def assert_no_loan_where_none_can_be(
    answers: EligibilityAnswers, result: EligibilityResult
) -> None:
    """A government employee, or an activity closed to loans: no loan, and no reason to refuse the
    permit."""
    if answers.government_employee is Employment.YES:
        for product in LOANS:
            assert result.verdict(product).outcome is Outcome.NOT_ELIGIBLE
        assert "government_employee" not in codes(result, Product.PERMIT)
    activity = CATALOGUE.activity(answers.activity or "")
    if activity is not None and activity.closed_to_new_loans:
        for product in LOANS:
            assert result.verdict(product).outcome is Outcome.NOT_ELIGIBLE
        assert "activity_closed" not in codes(result, Product.PERMIT)


# One set of walks for both properties (they were two tests drawing 400 and 300 walks from the
# same strategy; hypothesis spent far more on drawing a walk than either check on its verdict).
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_paths())
def test_every_answer_path_ends_in_a_verdict_and_no_loan_where_none_can_be(
    walked: tuple[EligibilityAnswers, list[Any]],
) -> None:
    answers, asked = walked
    result = check(answers)
    assert [v.product for v in result.verdicts] == list(Product)
    assert SHORTEST <= len(asked) <= LONGEST
    assert asked == questions_for(answers, CATALOGUE, TODAY)
    assert progress(answers, CATALOGUE, TODAY) == (len(asked), len(asked))
    for verdict in result.verdicts:
        blocked = any(f.severity is Severity.BLOCKING for f in verdict.findings)
        assert (verdict.outcome is Outcome.NOT_ELIGIBLE) == blocked
        assert (verdict.outcome is Outcome.ELIGIBLE) == (not verdict.findings)
        # A finished walk never leaves a product unassessed, except a plan not chosen.
        assert "answers_missing" not in [f.code for f in verdict.findings]
        assert all(f.code in FINDINGS for f in verdict.findings)
    for product in LOANS:
        assert result.verdict(product).loan_cap_rials is not None
    assert_no_loan_where_none_can_be(answers, result)


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        EligibilityAnswers,
        **{q.value: st.none() | answer_strategy(q) for q in QuestionId},
    )
)
def test_any_answers_at_all_give_three_verdicts(answers: EligibilityAnswers) -> None:
    result = check(answers)
    assert len(result.verdicts) == 3
    step, total = progress(answers, CATALOGUE, TODAY)
    assert 1 <= step <= total
