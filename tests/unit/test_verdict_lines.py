"""Every line of every verdict agrees with the rules, on every answer path of the check.

The verdict is read back from its Persian text (blocks per product, bullets, caps, remedies,
documents, buttons) and compared with ``evaluate``: no verdict for a loan nobody asked about,
no advice towards a product the citizen fails, no cap for a failed product, every failed rule
listed. Walks: every path of ``domain.questions.all_answer_sets`` with each answer varied in
turn, then random walks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations import eligibility_views as views
from domain.answers import (
    EligibilityAnswers,
    Employment,
    Gender,
    PermitStatus,
    PlanChoice,
    QuestionId,
    is_answered,
)
from domain.eligibility import (
    OUTCOME_LABELS,
    PRODUCT_LABELS,
    EligibilityResult,
    Outcome,
    Product,
    ProductVerdict,
    RuleFinding,
    evaluate,
)
from domain.questions import _branch_values, all_answer_sets, answer, next_question, questions_for
from domain.statuses import PlanType
from tests.catalogues import parsed_catalogue
from tests.e2e.test_foundation import assert_persian
from texts.formatting import format_toman_short, to_persian_digits
from texts.i18n import _

TODAY = date(2025, 6, 1)
CATALOGUE = parsed_catalogue()
ICONS = {Outcome.ELIGIBLE: "✅", Outcome.CONDITIONAL: "⚠️", Outcome.NOT_ELIGIBLE: "❌"}
LOAN_OF_PLAN = {
    PlanType.INDEPENDENT: Product.INDEPENDENT_LOAN,
    PlanType.SUPPORTING: Product.SUPPORTING_LOAN,
}

# What a remedy sends the citizen towards, read from its English source (not from the code
# that picks remedies): a remedy that names a product must not be given when that product fails.
ADVISES = {
    "independent plan": Product.INDEPENDENT_LOAN,
    "get the permit": Product.PERMIT,
}


def _params(finding: RuleFinding) -> dict[str, str]:
    return {k: to_persian_digits(v) if isinstance(v, int) else v for k, v in finding.params.items()}


def problem_line(finding: RuleFinding) -> str:
    return "• " + _(finding.problem).format(**_params(finding))


def remedy_line(finding: RuleFinding) -> str:
    remedy = _(finding.remedy).format(**_params(finding))
    return "   " + _("What to do: {remedy}").format(remedy=remedy)


@cache  # nine texts, looked up for every block of every verdict
def header(product: Product, outcome: Outcome) -> str:
    label = _("{product}: {outcome}").format(
        product=_(PRODUCT_LABELS[product]), outcome=_(OUTCOME_LABELS[outcome])
    )
    return f"{ICONS[outcome]} {label}"


@cache
def headed_products(first_line: str) -> tuple[Product, ...]:
    """The products whose header (with any outcome) a block's first line is."""
    return tuple(
        product
        for product in Product
        if any(first_line == header(product, outcome) for outcome in Outcome)
    )


def product_blocks(text: str) -> dict[Product, list[str]]:
    """The lines of each product's block, keyed by the product its first line names."""
    blocks: dict[Product, list[str]] = {}
    for block in text.split("\n\n"):
        lines = block.split("\n")
        for product in headed_products(lines[0]):
            assert product not in blocks, f"{product} shown twice"
            blocks[product] = lines
    return blocks


def asked_loans(answers: EligibilityAnswers) -> set[Product]:
    if answers.plan is None:
        return set()
    return {LOAN_OF_PLAN[plan] for plan in answers.plan.plan_types}


def check_verdict(answers: EligibilityAnswers) -> None:
    """Render the verdict for finished answers and hold every line against the rules."""
    result = evaluate(answers, CATALOGUE, TODAY)
    text, markup = views.verdict_view(answers, result, CATALOGUE)
    assert_persian(text)
    blocks = product_blocks(text)
    ruled_out = {v.product for v in result.verdicts if v.outcome is Outcome.NOT_ELIGIBLE}

    # Which products: the permit always; a loan only when asked about, or when the plan was
    # never asked because the answers rule every loan out.
    assert Product.PERMIT in blocks
    shown_loans = set(blocks) - {Product.PERMIT}
    if answers.plan is not None:
        assert shown_loans == asked_loans(answers), text
    else:
        assert shown_loans <= ruled_out, text

    for product, lines in blocks.items():
        _check_block(result.verdict(product), lines, text)

    # Every failed rule is explained once, with a remedy that advises nothing ruled out.
    for product in blocks:
        for finding in result.verdict(product).findings:
            assert remedy_line(finding) in text.split("\n"), (finding.code, text)
            for phrase, advised in ADVISES.items():
                if phrase in finding.remedy:
                    assert advised not in ruled_out, (finding.code, text)
    _check_documents(answers, result, text)
    _check_buttons(answers, result, markup.inline_keyboard, ruled_out)


def _check_block(verdict: ProductVerdict, lines: list[str], text: str) -> None:
    assert lines[0] == header(verdict.product, verdict.outcome), text
    cap_lines = [line for line in lines if line.startswith(_("Loan cap: {amount}")[:6])]
    if verdict.loan_cap_rials is not None and verdict.outcome is not Outcome.NOT_ELIGIBLE:
        expected = _("Loan cap: {amount}").format(amount=format_toman_short(verdict.loan_cap_rials))
        assert cap_lines == [expected], text
    else:
        assert cap_lines == [], f"a cap shown for {verdict.product}: {text}"
    bullets = [line for line in lines if line.startswith("• ")]
    assert bullets == [problem_line(f) for f in verdict.findings], text
    remedies = {line for line in lines if line.startswith("   ")}
    assert remedies <= {remedy_line(f) for f in verdict.findings}, text


def _check_documents(answers: EligibilityAnswers, result: EligibilityResult, text: str) -> None:
    documents_shown = _("Documents you will need:") in text
    open_plans = [
        plan
        for plan, product in LOAN_OF_PLAN.items()
        if product in asked_loans(answers) and product not in _ruled_out(result)
    ]
    if result.permit.outcome is Outcome.NOT_ELIGIBLE and not open_plans:
        assert not documents_shown, text
    else:
        assert documents_shown, text
    if _("For the supporting plan, also:") in text:
        assert PlanType.SUPPORTING in open_plans and len(open_plans) == 2, text
    if PlanType.SUPPORTING not in open_plans:
        for code in ("no_criminal_record", "experience_proof", "covered_workers_list"):
            document = CATALOGUE.document(code)
            assert document is not None and f"• {document.name}" not in text, text


def _ruled_out(result: EligibilityResult) -> set[Product]:
    return {v.product for v in result.verdicts if v.outcome is Outcome.NOT_ELIGIBLE}


def _check_buttons(
    answers: EligibilityAnswers,
    result: EligibilityResult,
    keyboard: Any,
    ruled_out: set[Product],
) -> None:
    data = [button.callback_data for row in keyboard for button in row]
    assert (views.APPLY_DATA in data) == views.can_apply(result)
    offered = views.OTHER_PLAN_DATA in data
    single = answers.plan in (PlanChoice.INDEPENDENT, PlanChoice.SUPPORTING)
    if not single:
        assert not offered
        return
    assert answers.plan is not None
    (asked,) = answers.plan.plan_types
    other = PlanType.SUPPORTING if asked is PlanType.INDEPENDENT else PlanType.INDEPENDENT
    already_failed = bool(result.verdict(LOAN_OF_PLAN[other]).blocking)
    assert offered == (not already_failed)
    if offered:
        labels = [
            b.text for row in keyboard for b in row if b.callback_data == views.OTHER_PLAN_DATA
        ]
        assert labels == [_(views.OTHER_PLAN_LABELS[other])]


# --- the walks --------------------------------------------------------------------------------

_VALUES: dict[QuestionId, list[Any]] = {
    QuestionId.GENDER: list(Gender),
    QuestionId.PERMIT: list(PermitStatus),
    QuestionId.GOVERNMENT_EMPLOYEE: list(Employment),
    QuestionId.PLAN: list(PlanChoice),
    QuestionId.ACTIVITY: [a.code for a in CATALOGUE.activities],
    QuestionId.COUNTY: [CATALOGUE.counties[0].code, "atlantis"],
    QuestionId.EXPERIENCE_YEARS: [0, 1, 2, 5],
    QuestionId.COVERED_WORKERS: [0, 4, 5, 12, 25, 40],
}


def _values(question: QuestionId) -> list[Any]:
    if question is QuestionId.BIRTH_YEAR:
        return [*_branch_values(question, CATALOGUE, TODAY), TODAY.year - 16, TODAY.year - 19]
    return _VALUES.get(question, [True, False])


def _finished(answers: EligibilityAnswers) -> bool:
    """A walk the check could really end with: every asked question answered, no other."""
    path = set(questions_for(answers, CATALOGUE, TODAY))
    return next_question(answers, CATALOGUE, TODAY) is None and all(
        is_answered(answers, q) == (q in path) for q in QuestionId
    )


def variants() -> Iterator[EligibilityAnswers]:
    """Every path's answers, and each answer on it changed in turn (staying a finished walk)."""
    for answers in all_answer_sets(CATALOGUE, TODAY):
        yield answers
        for question in questions_for(answers, CATALOGUE, TODAY):
            for value in _values(question):
                changed = answer(answers, question, value)
                if changed != answers and _finished(changed):
                    yield changed


def test_every_line_of_every_verdict_agrees_with_the_rules() -> None:
    count = 0
    for answers in variants():
        check_verdict(answers)
        count += 1
    assert count > 1000  # the walk really covers the paths and their answers


def test_the_sixteen_year_old_is_advised_nothing_she_fails() -> None:
    answers = EligibilityAnswers(iranian=True, birth_year=TODAY.year - 16)
    check_verdict(answers)
    text, _markup = views.verdict_view(answers, evaluate(answers, CATALOGUE, TODAY), CATALOGUE)
    assert _("You can apply for an independent plan now.") not in text


def test_an_independent_applicant_sees_no_supporting_verdict() -> None:
    (answers,) = [
        a
        for a in all_answer_sets(CATALOGUE, TODAY)
        if a.plan is PlanChoice.INDEPENDENT and a.birth_year == TODAY.year - 20
    ][:1]
    check_verdict(answers)
    text, markup = views.verdict_view(answers, evaluate(answers, CATALOGUE, TODAY), CATALOGUE)
    assert _(PRODUCT_LABELS[Product.SUPPORTING_LOAN]) not in text
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert _(views.OTHER_PLAN_LABELS[PlanType.SUPPORTING]) in labels


# Any answer a citizen can give to each question, built once (not anew for every step).
_ANY_ANSWER: dict[QuestionId, st.SearchStrategy[Any]] = {
    question: st.sampled_from(_values(question)) for question in QuestionId
}
_ANY_ANSWER[QuestionId.BIRTH_YEAR] = st.integers(TODAY.year - 90, TODAY.year - 10)
_ANY_ANSWER[QuestionId.EXPERIENCE_YEARS] = st.integers(0, 60)
_ANY_ANSWER[QuestionId.COVERED_WORKERS] = st.integers(0, 60)


@st.composite
def walks(draw: st.DrawFn) -> EligibilityAnswers:
    """A whole walk through the check with any answer a citizen can give at each step."""
    answers = EligibilityAnswers()
    while (question := next_question(answers, CATALOGUE, TODAY)) is not None:
        answers = answer(answers, question, draw(_ANY_ANSWER[question]))
    return answers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walks())
def test_random_walks_end_in_verdicts_that_agree_with_the_rules(
    answers: EligibilityAnswers,
) -> None:
    check_verdict(answers)
