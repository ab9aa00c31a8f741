"""What the eligibility check shows: question texts, their buttons, and the verdict message.

Pure rendering (no handlers): every function takes answers and the catalogue and returns
Persian text and an inline keyboard. Callback data is short, carries no personal data, and
names the question it answers, so a double tap or an old button cannot answer the wrong step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.common import BACK, CANCEL, CANCEL_DATA, step_header
from domain.answers import (
    EligibilityAnswers,
    Employment,
    Gender,
    PermitStatus,
    PlanChoice,
    QuestionId,
)
from domain.catalogue import Activity, Catalogue, DocumentRequirement
from domain.documents import required_documents
from domain.eligibility import (
    OUTCOME_LABELS,
    PRODUCT_LABELS,
    EligibilityResult,
    Outcome,
    Product,
    ProductVerdict,
    RuleFinding,
)
from domain.persian import normalize_for_search, normalize_input
from domain.questions import progress
from domain.statuses import PlanType
from texts import buttons
from texts.formatting import format_toman_short, format_typed_text, to_persian_digits
from texts.i18n import N_, _

PAGE_SIZE = 8  # activities per page: fits a phone screen without scrolling
SEARCH_LIMIT = 8

# Callback data (texts/buttons.py; the longest is "elg:a:17:" plus a 40-char code).
GROUPS_DATA = buttons.ELIGIBILITY_GROUPS.pack()
MENU_DATA = buttons.ELIGIBILITY_MENU.pack()
APPLY_DATA = buttons.APPLY_FROM_CHECK.pack()  # the application conversation's entry point
# After a verdict: check the plan not asked about as well.
OTHER_PLAN_DATA = buttons.ELIGIBILITY_OTHER_PLAN.pack()

# Questions answered by typing; the others by buttons.
TYPED = frozenset({QuestionId.BIRTH_YEAR, QuestionId.EXPERIENCE_YEARS, QuestionId.COVERED_WORKERS})

_QUESTIONS = tuple(QuestionId)


def question_index(question: QuestionId) -> int:
    """A question's short number in callback data."""
    return _QUESTIONS.index(question)


def question_at(index: int) -> QuestionId | None:
    """The question with this short number, or None."""
    return _QUESTIONS[index] if 0 <= index < len(_QUESTIONS) else None


def answer_data(question: QuestionId, value: str) -> str:
    """Callback data answering one question with one value."""
    return buttons.EligibilityAnswer(question_index(question), value).pack()


def back_data(question: QuestionId) -> str:
    """Callback data of the back button shown with one question."""
    return buttons.EligibilityBack(question_index(question)).pack()


def group_data(group: str, page: int) -> str:
    """Callback data opening one page of an activity group."""
    return buttons.EligibilityGroup(group, page).pack()


@dataclass(frozen=True)
class Choice:
    """A button: its label msgid and the value it stands for."""

    label: str
    value: str


YES = N_("Yes")
NO = N_("No")
_YES_NO = (Choice(YES, "1"), Choice(NO, "0"))

CHOICES: dict[QuestionId, tuple[Choice, ...]] = {
    QuestionId.IRANIAN: _YES_NO,
    QuestionId.GENDER: (
        Choice(N_("Woman"), Gender.WOMAN.value),
        Choice(N_("Man"), Gender.MAN.value),
    ),
    QuestionId.RESIDENT_IN_PROVINCE: _YES_NO,
    QuestionId.PERMIT: (
        Choice(N_("Yes, I have it"), PermitStatus.YES.value),
        Choice(N_("Requested, in progress"), PermitStatus.IN_PROGRESS.value),
        Choice(N_("No, not yet"), PermitStatus.NO.value),
    ),
    QuestionId.GOVERNMENT_EMPLOYEE: (
        Choice(NO, Employment.NO.value),
        Choice(N_("Yes, I am"), Employment.YES.value),
        Choice(N_("I am retired"), Employment.RETIRED.value),
    ),
    QuestionId.PLAN: (
        Choice(N_("Independent"), PlanChoice.INDEPENDENT.value),
        Choice(N_("Supporting"), PlanChoice.SUPPORTING.value),
        Choice(N_("Both"), PlanChoice.BOTH.value),
    ),
    QuestionId.OTHER_BODY_LOAN: _YES_NO,
    QuestionId.BAD_DEBT: _YES_NO,
    QuestionId.SKILLS_CERTIFICATE: _YES_NO,
    QuestionId.HEALTH_CERTIFICATE: _YES_NO,
    QuestionId.HOME_RENTED: (
        Choice(N_("Rented"), "1"),
        Choice(N_("Our own or family's"), "0"),
    ),
    QuestionId.CRIMINAL_RECORD: _YES_NO,
    QuestionId.OWN_CONTRIBUTION: _YES_NO,
}

PROMPTS: dict[QuestionId, str] = {
    QuestionId.IRANIAN: N_("Are you an Iranian citizen?"),
    QuestionId.BIRTH_YEAR: N_(
        "In what year were you born? Type the year, for example 1375 or 1996."
    ),
    QuestionId.GENDER: N_("Are you a woman or a man? (Men need a military-service card.)"),
    QuestionId.RESIDENT_IN_PROVINCE: N_(
        "Do you live in {province} province, where your home business will run?"
    ),
    QuestionId.COUNTY: N_("Which county do you live in?"),
    QuestionId.ACTIVITY: N_(
        "What is your home business? Choose its group below, or type part of its name "
        "(for example: carpet)."
    ),
    QuestionId.PERMIT: N_("Do you have a home-business permit?"),
    QuestionId.GOVERNMENT_EMPLOYEE: N_(
        "Are you a government employee of any kind (permanent, contract or temporary)?"
    ),
    QuestionId.PLAN: N_(
        "Which loan plan do you want to know about?\n"
        "Independent: your own home business.\n"
        "Supporting: a business that gives work to other home workers."
    ),
    QuestionId.OTHER_BODY_LOAN: N_(
        "Have you ever received a similar loan from another support body ({bodies})?"
    ),
    QuestionId.BAD_DEBT: N_("Do you have bounced cheques or overdue bank debts?"),
    QuestionId.SKILLS_CERTIFICATE: N_("Do you have a skills certificate for {activity}?"),
    QuestionId.HEALTH_CERTIFICATE: N_(
        "Do you have a health certificate? (Food activities need one.)"
    ),
    QuestionId.HOME_RENTED: N_("Is the home where you will work rented?"),
    QuestionId.CRIMINAL_RECORD: N_("Do you have a criminal record?"),
    QuestionId.EXPERIENCE_YEARS: N_(
        "How many years of experience do you have in this field? Type a number, for example 3."
    ),
    QuestionId.OWN_CONTRIBUTION: N_("Can you pay your own share of the plan's cost?"),
    QuestionId.COVERED_WORKERS: N_(
        "How many home workers will your plan cover? Type a number, for example 12."
    ),
}

TYPING_ERRORS: dict[QuestionId, str] = {
    QuestionId.BIRTH_YEAR: N_(
        "That is not a birth year I can use. Please type the year in digits, "
        "for example 1375 or 1996."
    ),
    QuestionId.EXPERIENCE_YEARS: N_(
        "Please type the number of years in digits, for example 3 (0 if you have none)."
    ),
    QuestionId.COVERED_WORKERS: N_("Please type the number of workers in digits, for example 12."),
}

CHOOSE_A_BUTTON = N_("Please choose one of the buttons below.")
COUNTY_NOT_FOUND = N_("I could not find that county. Please choose it from the buttons below.")
INTRO = N_(
    "Let's see whether you can get a home-business permit and loan. "
    "A few short questions; you can go back at any step."
)
RESUME = N_("Welcome back! Let's continue where you left off.")


# --- questions --------------------------------------------------------------------------------


def _nav_row(back: str | None) -> list[InlineKeyboardButton]:
    row = [InlineKeyboardButton(_(CANCEL), callback_data=CANCEL_DATA)]
    if back is not None:
        row.insert(0, InlineKeyboardButton(_(BACK), callback_data=back))
    return row


def _markup(rows: Sequence[Sequence[tuple[str, str]]], back: str | None) -> InlineKeyboardMarkup:
    keyboard = [
        [InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows
    ]
    keyboard.append(_nav_row(back))
    return InlineKeyboardMarkup(keyboard)


def _chunks(items: Sequence[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def prompt(question: QuestionId, answers: EligibilityAnswers, catalogue: Catalogue) -> str:
    """The Persian question, with its placeholders filled."""
    activity = catalogue.activity(answers.activity) if answers.activity else None
    return _(PROMPTS[question]).format(
        province=catalogue.province.name,
        bodies="، ".join(catalogue.rules.other_support_bodies),
        activity=activity.name if activity else "",
    )


def _back_for(question: QuestionId, step: int) -> str | None:
    """No back button on the first step."""
    return back_data(question) if step > 1 else None


def _choice_rows(question: QuestionId, catalogue: Catalogue) -> list[list[tuple[str, str]]]:
    if question is QuestionId.COUNTY:
        counties = [(c.name, answer_data(question, c.code)) for c in catalogue.counties]
        return _chunks(counties, 3)
    if question is QuestionId.ACTIVITY:
        return [[(g.name, group_data(g.code, 0))] for g in catalogue.groups]
    choices = [(_(c.label), answer_data(question, c.value)) for c in CHOICES.get(question, ())]
    # Short labels side by side; long ones one a row so nothing is cut on a phone.
    return [choices] if all(len(text) <= 12 for text, _ in choices) else _chunks(choices, 1)


def question_view(
    question: QuestionId,
    answers: EligibilityAnswers,
    catalogue: Catalogue,
    today: date,
    note: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """A question as the citizen sees it: step, optional note (an error), question, buttons."""
    step, total = progress(answers, catalogue, today)
    parts = [step_header(step, total)]
    if note:
        parts.append(note)
    parts.append(prompt(question, answers, catalogue))
    return "\n\n".join(parts), _markup(_choice_rows(question, catalogue), _back_for(question, step))


def group_page_view(
    group_code: str,
    page: int,
    answers: EligibilityAnswers,
    catalogue: Catalogue,
    today: date,
) -> tuple[str, InlineKeyboardMarkup] | None:
    """One page of a group's activities (back returns to the groups), or None if unknown."""
    group = catalogue.group(group_code)
    activities = catalogue.activities_in(group_code)
    if group is None or not activities:
        return None
    pages = (len(activities) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    shown = activities[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [[(a.name, answer_data(QuestionId.ACTIVITY, a.code))] for a in shown]
    turn: list[tuple[str, str]] = []
    if page > 0:
        turn.append((_("◀️ Previous"), group_data(group_code, page - 1)))
    if page < pages - 1:
        turn.append((_("Next ▶️"), group_data(group_code, page + 1)))
    if turn:
        rows.append(turn)
    step, total = progress(answers, catalogue, today)
    parts = [
        step_header(step, total),
        _("Group: {group}. Choose your activity:").format(group=group.name),
    ]
    if pages > 1:
        parts.append(
            _("Page {page} of {pages}").format(
                page=to_persian_digits(page + 1), pages=to_persian_digits(pages)
            )
        )
    return "\n\n".join(parts), _markup(rows, GROUPS_DATA)


def search_view(
    query: str,
    found: Sequence[Activity],
    answers: EligibilityAnswers,
    catalogue: Catalogue,
    today: date,
) -> tuple[str, InlineKeyboardMarkup]:
    """Several activities matched the typed text: pick one (back returns to the groups)."""
    shown = found[:SEARCH_LIMIT]
    rows = [[(a.name, answer_data(QuestionId.ACTIVITY, a.code))] for a in shown]
    step, total = progress(answers, catalogue, today)
    parts = [
        step_header(step, total),
        _("Activities found for «{query}». Choose yours:").format(query=format_typed_text(query)),
    ]
    if len(found) > len(shown):
        parts.append(
            _("Showing the first {count}; type more of the name to narrow the list.").format(
                count=to_persian_digits(len(shown))
            )
        )
    return "\n\n".join(parts), _markup(rows, GROUPS_DATA)


def nothing_found_note(query: str) -> str:
    """The note above the groups when a typed name matched nothing."""
    return _(
        "No activity matched «{query}». Choose a group below, or type another part of the name."
    ).format(query=format_typed_text(query))


def typed_choice(question: QuestionId, text: str, catalogue: Catalogue) -> str | None:
    """The value of a button whose label (or county name) the citizen typed, or None."""
    if question is QuestionId.COUNTY:
        wanted = normalize_for_search(text)
        for county in catalogue.counties:
            names = (county.name, county.centre, *county.aliases)
            if wanted and any(normalize_for_search(n) == wanted for n in names):
                return county.code
        return None
    typed = normalize_input(text)
    for choice in CHOICES.get(question, ()):
        if typed and typed == normalize_input(_(choice.label)):
            return choice.value
    return None


# --- the verdict -------------------------------------------------------------------------------

_ICONS = {Outcome.ELIGIBLE: "✅", Outcome.CONDITIONAL: "⚠️", Outcome.NOT_ELIGIBLE: "❌"}


def _params(finding: RuleFinding) -> dict[str, str]:
    """Integers as Persian digits; names as they are."""
    return {
        key: to_persian_digits(value) if isinstance(value, int) else value
        for key, value in finding.params.items()
    }


def _verdict_lines(verdict: ProductVerdict, shown: set[str]) -> list[str]:
    """One product: outcome, cap, and each finding (a finding already explained: problem only)."""
    label = _("{product}: {outcome}").format(
        product=_(PRODUCT_LABELS[verdict.product]), outcome=_(OUTCOME_LABELS[verdict.outcome])
    )
    lines = [f"{_ICONS[verdict.outcome]} {label}"]
    if verdict.loan_cap_rials is not None and verdict.outcome is not Outcome.NOT_ELIGIBLE:
        lines.append(
            _("Loan cap: {amount}").format(amount=format_toman_short(verdict.loan_cap_rials))
        )
    for finding in verdict.findings:
        params = _params(finding)
        lines.append("• " + _(finding.problem).format(**params))
        if finding.code not in shown:
            lines.append(
                "   " + _("What to do: {remedy}").format(remedy=_(finding.remedy).format(**params))
            )
            shown.add(finding.code)
    return lines


_LOAN_OF = {
    PlanType.INDEPENDENT: Product.INDEPENDENT_LOAN,
    PlanType.SUPPORTING: Product.SUPPORTING_LOAN,
}

OTHER_PLAN_LABELS = {
    PlanType.INDEPENDENT: N_("Check the independent plan too"),
    PlanType.SUPPORTING: N_("Check the supporting plan too"),
}


def shown_verdicts(answers: EligibilityAnswers, result: EligibilityResult) -> list[ProductVerdict]:
    """The permit, and only the loans the answers speak to.

    A plan the citizen chose is shown whatever its outcome; a plan not chosen is not shown (it
    is offered as a next step instead). When the plan was never asked, the answers already
    ruled the loans out (a knock-out, a government employee, a closed activity): say so.
    """
    shown = [result.permit]
    for plan, product in _LOAN_OF.items():
        verdict = result.verdict(product)
        if answers.plan is not None:
            if plan in answers.plan.plan_types:
                shown.append(verdict)
        elif verdict.outcome is Outcome.NOT_ELIGIBLE:
            shown.append(verdict)
    return shown


def other_plan(answers: EligibilityAnswers, result: EligibilityResult) -> PlanType | None:
    """The plan the citizen did not ask about, unless the answers already rule it out."""
    if answers.plan is None or answers.plan is PlanChoice.BOTH:
        return None
    (asked,) = answers.plan.plan_types
    other = PlanType.SUPPORTING if asked is PlanType.INDEPENDENT else PlanType.INDEPENDENT
    return None if result.verdict(_LOAN_OF[other]).blocking else other


def _plan_types(answers: EligibilityAnswers, result: EligibilityResult) -> list[PlanType]:
    """The loan plans the citizen asked about and may still get, independent first."""
    if answers.plan is None:
        return []
    open_loans = {
        PlanType.INDEPENDENT: result.verdict(Product.INDEPENDENT_LOAN),
        PlanType.SUPPORTING: result.verdict(Product.SUPPORTING_LOAN),
    }
    return [
        plan
        for plan in (PlanType.INDEPENDENT, PlanType.SUPPORTING)
        if plan in answers.plan.plan_types and open_loans[plan].outcome is not Outcome.NOT_ELIGIBLE
    ]


def _document_lines(
    answers: EligibilityAnswers, result: EligibilityResult, catalogue: Catalogue
) -> list[str]:
    """The documents for the plans still open (for the permit alone when no loan is)."""
    plans = _plan_types(answers, result)
    if not plans and result.permit.outcome is Outcome.NOT_ELIGIBLE:
        return []
    first = required_documents(answers, plans[0] if plans else None, catalogue)
    lines = [_("Documents you will need:"), *_bullets(first)]
    if len(plans) > 1:
        codes = {d.code for d in first}
        extra = [d for d in required_documents(answers, plans[1], catalogue) if d.code not in codes]
        if extra:
            lines += ["", _("For the supporting plan, also:"), *_bullets(extra)]
    return lines


def _bullets(documents: Sequence[DocumentRequirement]) -> list[str]:
    return [f"• {d.name}" for d in documents]


def can_apply(result: EligibilityResult) -> bool:
    """Whether an application makes sense: some product is not ruled out."""
    return any(v.outcome is not Outcome.NOT_ELIGIBLE for v in result.verdicts)


def verdict_view(
    answers: EligibilityAnswers, result: EligibilityResult, catalogue: Catalogue
) -> tuple[str, InlineKeyboardMarkup]:
    """The verdict message (plain text) and its buttons."""
    blocks = [_("The result of your eligibility check:")]
    shown: set[str] = set()
    for verdict in shown_verdicts(answers, result):
        blocks.append("\n".join(_verdict_lines(verdict, shown)))
    documents = _document_lines(answers, result, catalogue)
    if documents:
        blocks.append("\n".join(documents))
    blocks.append(
        _("This is a first check; the county office decides after reviewing your documents.")
    )
    rows: list[list[InlineKeyboardButton]] = []
    if can_apply(result):
        rows.append(
            [
                InlineKeyboardButton(
                    _("Start an application with these answers"), callback_data=APPLY_DATA
                )
            ]
        )
    other = other_plan(answers, result)
    if other is not None:
        rows.append(
            [InlineKeyboardButton(_(OTHER_PLAN_LABELS[other]), callback_data=OTHER_PLAN_DATA)]
        )
    rows.append([InlineKeyboardButton(_("Back to the main menu"), callback_data=MENU_DATA)])
    return "\n\n".join(blocks), InlineKeyboardMarkup(rows)
