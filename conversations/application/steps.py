"""The application's steps as one ``Form`` (``conversations/form.py``), like every form-like step.

Its answers are the draft's fields that hold a value (``ApplicationForm.answers``): a step is
answered once its field is, and the step to resume at is the first unanswered on the path.
Answers carried over from the eligibility check take a step off the path (gender, rented home,
covered workers) or are shown for confirmation (county, activity, plan). The documents and
the summary are never "answered" here: they end at the submission.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from conversations.application.form import ApplicationForm, Step, cap_rials
from conversations.common import inline_keyboard, reply_keyboard
from conversations.form import Answers, Form, FormStep, ReplyMarkup, Rows
from domain.answers import Gender
from domain.catalogue import Catalogue
from domain.statuses import PlanType
from handlers.context import BotContext
from texts import buttons
from texts.formatting import format_toman_short
from texts.i18n import N_, _

SHARE_PHONE = N_("📱 Share my mobile number")
PLAN_NAMES: dict[PlanType, str] = {
    PlanType.INDEPENDENT: N_("Independent plan"),
    PlanType.SUPPORTING: N_("Supporting plan"),
}
GENDER_NAMES: dict[Gender, str] = {Gender.WOMAN: N_("Woman"), Gender.MAN: N_("Man")}
KEEP_DATA = buttons.APP_KEEP.pack()
CHANGE_DATA = buttons.APP_CHANGE.pack()


def plan_name(plan_type: PlanType | None) -> str:
    """The Persian name of a plan type."""
    return _(PLAN_NAMES[plan_type or PlanType.INDEPENDENT])


def county_name(catalogue: Catalogue, code: str | None) -> str:
    county = catalogue.county(code) if code else None
    return county.name if county is not None else "-"


def activity_name(catalogue: Catalogue, code: str | None) -> str:
    activity = catalogue.activity(code) if code else None
    return activity.name if activity is not None else "-"


def _not_carried(name: str) -> Callable[[Answers], bool]:
    """On the path unless the eligibility check carried this answer over."""

    def when(answers: Answers) -> bool:
        return name not in answers.get("carried", ())

    return when


def _covers_workers(answers: Answers) -> bool:
    """A supporting plan asks how many home workers it covers (unless carried over)."""
    return answers.get("plan_type") == PlanType.SUPPORTING and _not_carried("covered_workers")(
        answers
    )


def _genders(context: BotContext, answers: Answers) -> Rows:
    return [[(_(GENDER_NAMES[g]), buttons.AppGender(g).pack()) for g in Gender]]


def _counties(context: BotContext, answers: Answers) -> Rows:
    counties = [
        (c.name, buttons.AppCounty(c.code).pack())
        for c in context.services.catalogue.province.counties
    ]
    return [counties[i : i + 3] for i in range(0, len(counties), 3)]


def _rented(context: BotContext, answers: Answers) -> Rows:
    return [
        [
            (_("Yes, it is rented"), buttons.AppRented("yes").pack()),
            (_("No"), buttons.AppRented("no").pack()),
        ]
    ]


def _groups(context: BotContext, answers: Answers) -> Rows:
    groups = [(g.name, buttons.AppGroup(g.code).pack()) for g in context.services.catalogue.groups]
    return [groups[i : i + 2] for i in range(0, len(groups), 2)]


def _plans(context: BotContext, answers: Answers) -> Rows:
    return [[(_(PLAN_NAMES[p]), buttons.AppPlan(p).pack())] for p in PlanType]


def _county(context: BotContext, answers: Answers) -> Mapping[str, object]:
    return {"county": county_name(context.services.catalogue, answers.get("county"))}


def _activity(context: BotContext, answers: Answers) -> Mapping[str, object]:
    return {"activity": activity_name(context.services.catalogue, answers.get("activity"))}


def _plan(context: BotContext, answers: Answers) -> Mapping[str, object]:
    return {"plan": plan_name(answers.get("plan_type"))}


def _cap(context: BotContext, answers: Answers) -> Mapping[str, object]:
    form = ApplicationForm.from_answers(dict(answers))
    return {"cap": format_toman_short(cap_rials(form, context.services.catalogue))}


def _markup(rows: Rows) -> ReplyMarkup:
    """Buttons inline with back and cancel; a typed answer: back and cancel as a reply keyboard."""
    return inline_keyboard(rows) if rows else reply_keyboard([])


CONSENT_NOTICE = N_(
    "Before we start, please read this short privacy notice.\n\n"
    "What we store: your mobile number, name, national code, birth date, county, activity, "
    "the loan you request and the documents you send.\n"
    "Why: only to review your home-business application and, if approved, introduce you "
    "to an agent bank.\n"
    "Who sees it: only the officers of the Directorate General of Cooperatives, Labour and "
    "Social Welfare and its county offices.\n\n"
    "Do you agree?"
)

# The answer key is the form's field; the state is the stored step. Consent, documents and the
# summary have messages of their own (``questions.py``); they are here for the path and «گام».
STEPS = Form(
    FormStep("consented_at", CONSENT_NOTICE, Step.CONSENT),
    FormStep(
        "phone",
        N_(
            "Please share your mobile number with the button below. Only the number of this "
            "account is accepted."
        ),
        Step.PHONE,
        contact=SHARE_PHONE,
    ),
    FormStep(
        "full_name",
        N_("Please type your full name (first name and surname) as on your national card."),
        Step.FULL_NAME,
    ),
    FormStep("national_code", N_("Please type your 10-digit national code."), Step.NATIONAL_CODE),
    FormStep(
        "birth_date",
        N_("Please type your birth date in the Jalali calendar, for example 1370/05/12."),
        Step.BIRTH_DATE,
    ),
    FormStep(
        "gender",
        N_("Are you a woman or a man?"),
        Step.GENDER,
        keyboard=_genders,
        when=_not_carried("gender"),
    ),
    FormStep(
        "county",
        N_("In which county will you run your business?"),
        Step.COUNTY,
        keyboard=_counties,
        values=_county,
        confirm=N_("Your county: {county}. Is this right?"),
    ),
    FormStep(
        "home_rented",
        N_("Is the home where you will work rented?"),
        Step.HOME_RENTED,
        keyboard=_rented,
        when=_not_carried("home_rented"),
    ),
    FormStep(
        "activity",
        N_("Choose the group of your activity, or type part of its name (for example «قالی»)."),
        Step.ACTIVITY,
        keyboard=_groups,
        values=_activity,
        confirm=N_("Your activity: {activity}. Is this right?"),
    ),
    FormStep(
        "plan_type",
        N_(
            "Which plan do you apply for? Independent: your own business. Supporting: you "
            "supply and market the products of several home workers."
        ),
        Step.PLAN_TYPE,
        keyboard=_plans,
        values=_plan,
        confirm=N_("Your plan type: {plan}. Is this right?"),
    ),
    FormStep(
        "covered_workers",
        N_("How many home workers will your supporting plan cover? Type a number."),
        Step.COVERED_WORKERS,
        when=_covers_workers,
    ),
    FormStep(
        "requested_toman",
        N_(
            "How much loan do you request, in toman? The cap for your plan is {cap}. "
            "For example: 150 million"
        ),
        Step.AMOUNT,
        values=_cap,
    ),
    FormStep("documents", "", Step.DOCUMENTS),  # one step, however many documents
    FormStep("summary", "", Step.SUMMARY),
    markup=_markup,
    header=True,
    confirm=[[(N_("✅ Confirm"), KEEP_DATA), (N_("✏️ Change"), CHANGE_DATA)]],
)


def form_step(step: Step) -> FormStep:
    """The form step that waits in this state."""
    return STEPS.waiting_in(step)


def _step(found: FormStep | None) -> Step:
    # The summary is never answered, so the walk always finds a step.
    return Step(found.state) if found is not None else Step.SUMMARY


def first_unanswered(form: ApplicationForm) -> Step:
    """Where to go when a stored step is unknown: the first step without an answer."""
    return _step(STEPS.current(form.answers()))


def position(form: ApplicationForm, step: Step) -> tuple[int, int]:
    """(number, total) of a step for «گام n از N»."""
    return STEPS.position(form.answers(), form_step(step))


def next_step(form: ApplicationForm, step: Step) -> Step:
    """The step after this one (the summary is last)."""
    return _step(STEPS.after(form.answers(), form_step(step)))


def previous_step(form: ApplicationForm, step: Step) -> Step:
    """The step before this one (consent is first)."""
    return _step(STEPS.before(form.answers(), form_step(step)))
