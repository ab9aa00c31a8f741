"""The eligibility check: the citizen's answers, the rules, and a verdict for each product.

Pure domain code: no messenger, no gettext. Texts are English msgids marked with ``N_``; the
conversation translates them with ``texts.i18n._`` at display time and formats ``params``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

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
from domain.catalogue import Activity, Catalogue, SignOff
from domain.statuses import PlanType

__all__ = [
    "ADVICE",
    "FINDINGS",
    "N_",
    "OUTCOME_LABELS",
    "PRODUCT_LABELS",
    "EligibilityAnswers",
    "EligibilityResult",
    "Employment",
    "Gender",
    "Outcome",
    "PermitStatus",
    "PlanChoice",
    "Product",
    "ProductVerdict",
    "QuestionId",
    "RuleFinding",
    "Severity",
    "evaluate",
    "finding",
]


def N_(msgid: str) -> str:
    """Mark a msgid for translation at display time; returns it unchanged."""
    return msgid


# --- verdicts -------------------------------------------------------------------------------


class Product(StrEnum):
    PERMIT = "permit"
    INDEPENDENT_LOAN = "independent_loan"
    SUPPORTING_LOAN = "supporting_loan"


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    CONDITIONAL = "conditional"  # eligible once the conditions are met


class Severity(StrEnum):
    BLOCKING = "blocking"
    CONDITION = "condition"


PRODUCT_LABELS = {
    Product.PERMIT: N_("Home-business permit"),
    Product.INDEPENDENT_LOAN: N_("Independent plan loan"),
    Product.SUPPORTING_LOAN: N_("Supporting plan loan"),
}

OUTCOME_LABELS = {
    Outcome.ELIGIBLE: N_("Eligible"),
    Outcome.NOT_ELIGIBLE: N_("Not eligible"),
    Outcome.CONDITIONAL: N_("Eligible with conditions"),
}


class RuleFinding(BaseModel):
    """A rule that failed or left a condition: msgids to translate, then format with params."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    problem: str  # msgid: what is wrong
    remedy: str  # msgid: what the citizen can do
    params: dict[str, str | int] = Field(default_factory=dict)


class ProductVerdict(BaseModel):
    """The outcome for one product, the findings behind it, and the loan cap (loans only)."""

    model_config = ConfigDict(frozen=True)

    product: Product
    outcome: Outcome
    findings: tuple[RuleFinding, ...] = ()
    loan_cap_rials: int | None = None

    @property
    def blocking(self) -> tuple[RuleFinding, ...]:
        """Findings that rule the product out."""
        return tuple(f for f in self.findings if f.severity is Severity.BLOCKING)

    @property
    def conditions(self) -> tuple[RuleFinding, ...]:
        """Findings the citizen can fix."""
        return tuple(f for f in self.findings if f.severity is Severity.CONDITION)


class EligibilityResult(BaseModel):
    """A verdict for each of the three products."""

    model_config = ConfigDict(frozen=True)

    permit: ProductVerdict
    independent_loan: ProductVerdict
    supporting_loan: ProductVerdict

    @property
    def verdicts(self) -> tuple[ProductVerdict, ProductVerdict, ProductVerdict]:
        """The three verdicts in display order."""
        return (self.permit, self.independent_loan, self.supporting_loan)

    def verdict(self, product: Product) -> ProductVerdict:
        """The verdict for one product."""
        return {v.product: v for v in self.verdicts}[product]


# Every finding the rules can produce: code → (severity, problem msgid, remedy msgid).
FINDINGS: dict[str, tuple[Severity, str, str]] = {
    "not_iranian": (
        Severity.BLOCKING,
        N_("The programme is for Iranian citizens only."),
        N_("Ask the county office of cooperatives, labour and social welfare about other help."),
    ),
    "under_minimum_age": (
        Severity.BLOCKING,
        N_("You must be at least {minimum} years old."),
        N_("You can apply once you turn {minimum}."),
    ),
    "over_maximum_age": (
        Severity.BLOCKING,
        N_("The programme accepts applicants up to {maximum} years old."),
        N_("A younger family member who works with you can apply instead."),
    ),
    "not_resident": (
        Severity.BLOCKING,
        N_("You must live in {province} province, where the business will run."),
        N_("Apply in the province where you live and work."),
    ),
    "unknown_county": (
        Severity.BLOCKING,
        N_("Your county is not on this office's list."),
        N_("Choose your county again from the list."),
    ),
    "activity_not_listed": (
        Severity.BLOCKING,
        N_("This activity is not on the approved home-business list."),
        N_("Choose an activity from the list, or ask the county office about a similar one."),
    ),
    "sign_off_health": (
        Severity.CONDITION,
        N_("This activity also needs the health network's approval (health ID)."),
        N_("After requesting the permit, get the health ID from the county health network."),
    ),
    "sign_off_veterinary": (
        Severity.CONDITION,
        N_("This activity also needs the veterinary office's approval."),
        N_("After requesting the permit, get the county veterinary office's approval."),
    ),
    "sign_off_culture": (
        Severity.CONDITION,
        N_("This activity also needs the culture and Islamic guidance office's approval."),
        N_("After requesting the permit, get the county culture office's approval."),
    ),
    "health_certificate_missing": (
        Severity.CONDITION,
        N_("Food activities need a health certificate."),
        N_("Get a health certificate from the county health centre."),
    ),
    "government_employee": (
        Severity.BLOCKING,
        N_("Government employees cannot receive a home-business loan."),
        N_("You can still get the permit; retired employees may apply for the loan."),
    ),
    "activity_closed": (
        Severity.BLOCKING,
        N_("This activity is closed to new loans in {year}."),
        N_("You can still get the permit, or choose another activity for the loan."),
    ),
    "permit_in_progress": (
        Severity.CONDITION,
        N_("Your permit has not been issued yet."),
        N_("Follow your request on the national permits portal; the loan comes after it."),
    ),
    "permit_missing": (
        Severity.CONDITION,
        N_("The loan needs a home-business permit."),
        N_("Register on the home-business system, then request the permit on mojavez.ir."),
    ),
    "other_body_loan": (
        Severity.BLOCKING,
        N_("You have already received a similar loan from another support body."),
        N_("Only one such loan is allowed; ask the county office about other support."),
    ),
    "bad_debt": (
        Severity.BLOCKING,
        N_("Bounced cheques or overdue debts rule out the loan."),
        N_("Settle them and clear your record with the bank, then check again."),
    ),
    "skills_certificate_missing": (
        Severity.CONDITION,
        N_("This activity needs a skills certificate."),
        N_("Get one from a technical and vocational training centre."),
    ),
    "supporter_under_age": (
        Severity.BLOCKING,
        N_("A supporting plan needs an applicant at least {minimum} years old."),
        N_("You can apply for an independent plan now."),
    ),
    "criminal_record": (
        Severity.BLOCKING,
        N_("A supporting plan needs a clean criminal record."),
        N_("You can still apply for an independent plan."),
    ),
    "experience_too_short": (
        Severity.BLOCKING,
        N_("A supporting plan needs at least {minimum} years of experience in the field."),
        N_("Apply for an independent plan now, and for a supporting plan later."),
    ),
    "no_own_contribution": (
        Severity.CONDITION,
        N_("A supporting plan needs your own contribution to its cost."),
        N_("Prepare your share of the plan's cost before applying."),
    ),
    "too_few_workers": (
        Severity.CONDITION,
        N_("A supporting plan must cover at least {minimum} home workers."),
        N_("Add more home workers to your list before applying."),
    ),
    "supporting_not_chosen": (
        Severity.CONDITION,
        N_("You did not ask about the supporting plan."),
        N_("Run the check again and choose the supporting plan to see if you qualify."),
    ),
    "answers_missing": (
        Severity.CONDITION,
        N_("Some questions were not answered."),
        N_("Run the check again and answer every question."),
    ),
}


# Remedies that point to another product: code → (that product, the remedy to give instead
# when the answers rule that product out too). No verdict advises a product the citizen fails.
ADVICE: dict[str, tuple[Product, str]] = {
    "government_employee": (
        Product.PERMIT,
        N_("Retired employees may apply for the loan."),
    ),
    "activity_closed": (
        Product.PERMIT,
        N_("Choose another activity for the loan."),
    ),
    "supporter_under_age": (
        Product.INDEPENDENT_LOAN,
        N_("You can apply for a supporting plan once you are {minimum}."),
    ),
    "criminal_record": (
        Product.INDEPENDENT_LOAN,
        N_("Ask the county office of cooperatives, labour and social welfare about other help."),
    ),
    "experience_too_short": (
        Product.INDEPENDENT_LOAN,
        N_("You can apply for a supporting plan once you have {minimum} years of experience."),
    ),
}


def finding(code: str, **params: str | int) -> RuleFinding:
    """Build a finding from the table above."""
    severity, problem, remedy = FINDINGS[code]
    return RuleFinding(code=code, severity=severity, problem=problem, remedy=remedy, params=params)


@dataclass(frozen=True)
class _Facts:
    """Answers with what the rules derive from them."""

    answers: EligibilityAnswers
    catalogue: Catalogue
    age: int | None
    activity: Activity | None


_SIGN_OFF_FINDINGS = {
    SignOff.HEALTH: "sign_off_health",
    SignOff.VETERINARY: "sign_off_veterinary",
    SignOff.CULTURE: "sign_off_culture",
}


def _common_findings(facts: _Facts) -> list[RuleFinding]:
    """Rules every product shares: citizenship, age, residence, county, listed activity."""
    a, rules = facts.answers, facts.catalogue.rules
    found: list[RuleFinding] = []
    if a.iranian is False:
        found.append(finding("not_iranian"))
    if facts.age is not None and facts.age < rules.age.minimum:
        found.append(finding("under_minimum_age", minimum=rules.age.minimum))
    maximum = rules.age.maximum
    if facts.age is not None and maximum is not None and facts.age > maximum:
        found.append(finding("over_maximum_age", maximum=maximum))
    if a.resident_in_province is False:
        found.append(finding("not_resident", province=facts.catalogue.province.name))
    if a.county is not None and facts.catalogue.county(a.county) is None:
        found.append(finding("unknown_county"))
    if a.activity is not None and facts.activity is None:
        found.append(finding("activity_not_listed"))
    food = facts.activity is not None and facts.activity.needs_health_certificate
    if food and a.health_certificate is False:
        found.append(finding("health_certificate_missing"))
    return found


def _permit_findings(facts: _Facts) -> list[RuleFinding]:
    """A starred activity needs its second sign-off."""
    activity = facts.activity
    if activity is not None and activity.starred and activity.sign_off is not None:
        return [finding(_SIGN_OFF_FINDINGS[activity.sign_off])]
    return []


def _loan_findings(facts: _Facts) -> list[RuleFinding]:
    """Rules both loans share."""
    a, activity = facts.answers, facts.activity
    found: list[RuleFinding] = []
    if a.government_employee is Employment.YES:
        found.append(finding("government_employee"))
    if activity is not None and activity.closed_to_new_loans:
        found.append(finding("activity_closed", year=facts.catalogue.rules.budget_year))
    if a.permit is PermitStatus.IN_PROGRESS:
        found.append(finding("permit_in_progress"))
    elif a.permit is PermitStatus.NO:
        found.append(finding("permit_missing"))
    if a.other_body_loan:
        found.append(finding("other_body_loan"))
    if a.bad_debt:
        found.append(finding("bad_debt"))
    if activity is not None and activity.needs_skills_certificate and a.skills_certificate is False:
        found.append(finding("skills_certificate_missing"))
    return found


def _supporting_findings(facts: _Facts) -> list[RuleFinding]:
    """The supporting plan's own rules."""
    a, rules = facts.answers, facts.catalogue.rules
    found: list[RuleFinding] = []
    if facts.age is not None and facts.age < rules.age.supporter_minimum:
        found.append(finding("supporter_under_age", minimum=rules.age.supporter_minimum))
    if a.criminal_record:
        found.append(finding("criminal_record"))
    minimum_years = rules.supporting.minimum_experience_years
    if a.experience_years is not None and a.experience_years < minimum_years:
        found.append(finding("experience_too_short", minimum=minimum_years))
    if a.own_contribution is False:
        found.append(finding("no_own_contribution"))
    minimum_workers = rules.supporting.minimum_covered_workers
    if a.covered_workers is not None and a.covered_workers < minimum_workers:
        found.append(finding("too_few_workers", minimum=minimum_workers))
    return found


def _needed(facts: _Facts, product: Product) -> list[QuestionId]:
    """The answers a product's verdict rests on."""
    needed = [
        QuestionId.IRANIAN,
        QuestionId.BIRTH_YEAR,
        QuestionId.RESIDENT_IN_PROVINCE,
        QuestionId.COUNTY,
        QuestionId.ACTIVITY,
    ]
    if facts.activity is not None and facts.activity.needs_health_certificate:
        needed.append(QuestionId.HEALTH_CERTIFICATE)
    if product is Product.PERMIT:
        return needed
    needed += [
        QuestionId.PERMIT,
        QuestionId.GOVERNMENT_EMPLOYEE,
        QuestionId.OTHER_BODY_LOAN,
        QuestionId.BAD_DEBT,
    ]
    if facts.activity is not None and facts.activity.needs_skills_certificate:
        needed.append(QuestionId.SKILLS_CERTIFICATE)
    if product is Product.SUPPORTING_LOAN:
        needed += SUPPORTING_QUESTIONS
    return needed


def _verdict(
    facts: _Facts, product: Product, findings: list[RuleFinding], cap: int | None
) -> ProductVerdict:
    """Turn findings into an outcome; unanswered questions matter only when nothing blocks."""
    if not any(f.severity is Severity.BLOCKING for f in findings):
        missing = {q for q in _needed(facts, product) if not is_answered(facts.answers, q)}
        plan = facts.answers.plan
        skipped_supporting = plan is not None and PlanType.SUPPORTING not in plan.plan_types
        if product is Product.SUPPORTING_LOAN and skipped_supporting and missing:
            findings.append(finding("supporting_not_chosen"))
        elif missing:
            findings.append(finding("answers_missing"))
    if any(f.severity is Severity.BLOCKING for f in findings):
        outcome = Outcome.NOT_ELIGIBLE
    elif findings:
        outcome = Outcome.CONDITIONAL
    else:
        outcome = Outcome.ELIGIBLE
    return ProductVerdict(
        product=product, outcome=outcome, findings=tuple(findings), loan_cap_rials=cap
    )


def evaluate(answers: EligibilityAnswers, catalogue: Catalogue, today: date) -> EligibilityResult:
    """A verdict for the permit and both loans; never raises for any answers."""
    activity = catalogue.activity(answers.activity) if answers.activity else None
    facts = _Facts(answers, catalogue, answers.age(today), activity)
    common = _common_findings(facts)
    loan = _loan_findings(facts)
    loans = catalogue.rules.loans
    return _without_false_advice(
        EligibilityResult(
            permit=_verdict(facts, Product.PERMIT, common + _permit_findings(facts), None),
            independent_loan=_verdict(
                facts, Product.INDEPENDENT_LOAN, common + loan, loans.independent.cap_rials
            ),
            supporting_loan=_verdict(
                facts,
                Product.SUPPORTING_LOAN,
                common + loan + _supporting_findings(facts),
                loans.supporting.cap_for(answers.covered_workers),
            ),
        )
    )


def _without_false_advice(result: EligibilityResult) -> EligibilityResult:
    """Swap a remedy that points to a product the answers rule out for its plain alternative.

    Outcomes rest on severities only, so changing a remedy never changes a verdict.
    """
    ruled_out = {v.product for v in result.verdicts if v.outcome is Outcome.NOT_ELIGIBLE}

    def honest(verdict: ProductVerdict) -> ProductVerdict:
        findings = tuple(
            f.model_copy(update={"remedy": ADVICE[f.code][1]})
            if f.code in ADVICE and ADVICE[f.code][0] in ruled_out
            else f
            for f in verdict.findings
        )
        return verdict.model_copy(update={"findings": findings})

    return EligibilityResult(
        permit=honest(result.permit),
        independent_loan=honest(result.independent_loan),
        supporting_loan=honest(result.supporting_loan),
    )
