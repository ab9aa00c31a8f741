"""The application's steps are one Form (conversations/form.py): drafts stored before the
application moved onto it resume at the same step, with the same «گام n از N»."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from conversations.application.drafts import Draft
from conversations.application.form import ApplicationForm, Step
from conversations.application.steps import (
    STEPS,
    form_step,
    next_step,
    position,
    previous_step,
)

# A draft's answers column as the bot stored it on 2026-11-30 (ApplicationForm.dump()): the
# identity answered, gender and rented home carried over from the eligibility check, the county
# carried over for confirmation and not yet confirmed.
STORED: dict[str, Any] = {
    "consented_at": "2026-11-30T08:15:00Z",
    "phone": "+989121234567",
    "full_name": "زهرا احمدی",
    "national_code": "0012345679",
    "birth_date": "1991-08-03",
    "gender": "woman",
    "county": "khorramabad",
    "home_rented": False,
    "activity": None,
    "plan_type": None,
    "covered_workers": None,
    "requested_toman": None,
    "carried": ["gender", "home_rented", "county"],
    "changing": None,
    "awaiting_document": None,
}


def _draft(step: str | None, answers: dict[str, Any]) -> Draft:
    app: Any = SimpleNamespace(step=step)  # the draft's step column; nothing else is read
    citizen: Any = None
    return Draft(citizen, app, ApplicationForm.from_answers(answers))


def test_every_step_waits_in_its_stored_name() -> None:
    assert [step.state for step in STEPS.steps] == [step.value for step in Step]
    assert [step.value for step in Step] == [
        "consent", "phone", "full_name", "national_code", "birth_date", "gender", "county",
        "home_rented", "activity", "plan_type", "covered_workers", "amount", "documents",
        "summary",
    ]  # fmt: skip


def test_a_stored_draft_resumes_at_its_stored_step() -> None:
    draft = _draft("county", STORED)
    assert draft.step is Step.COUNTY
    # Carried gender and rented home are off the path: consent … birth date, county is 6 of 11.
    assert position(draft.form, Step.COUNTY) == (6, 11)
    assert next_step(draft.form, Step.COUNTY) is Step.ACTIVITY
    assert previous_step(draft.form, Step.COUNTY) is Step.BIRTH_DATE


@pytest.mark.parametrize("stored_step", [None, "", "no_such_step"])
def test_an_unknown_stored_step_resumes_at_the_first_unanswered(stored_step: str | None) -> None:
    assert _draft(stored_step, STORED).step is Step.ACTIVITY, "the county holds a value"
    assert _draft(stored_step, {**STORED, "consented_at": None}).step is Step.CONSENT
    assert _draft(stored_step, {**STORED, "national_code": None}).step is Step.NATIONAL_CODE
    supporting = {**STORED, "activity": "carpet", "plan_type": "supporting"}
    assert _draft(stored_step, supporting).step is Step.COVERED_WORKERS
    done = {**supporting, "covered_workers": 4, "requested_toman": 150_000_000}
    assert _draft(stored_step, done).step is Step.DOCUMENTS


def test_a_carried_step_is_confirmed_until_the_citizen_changes_it() -> None:
    form = ApplicationForm.from_answers(STORED)
    county = form_step(Step.COUNTY)
    assert county.confirming(form.answers())
    form.changing = Step.COUNTY
    assert not county.confirming(form.answers())
    assert not form_step(Step.ACTIVITY).confirming(form.answers()), "nothing to confirm"


def test_a_supporting_plan_asks_for_covered_workers_unless_carried() -> None:
    supporting = ApplicationForm.from_answers({**STORED, "plan_type": "supporting"})
    assert Step.COVERED_WORKERS in [Step(s.state) for s in STEPS.path(supporting.answers())]
    supporting.carried = [*supporting.carried, "covered_workers"]
    assert Step.COVERED_WORKERS not in [Step(s.state) for s in STEPS.path(supporting.answers())]
    independent = ApplicationForm.from_answers({**STORED, "plan_type": "independent"})
    assert Step.COVERED_WORKERS not in [Step(s.state) for s in STEPS.path(independent.answers())]
