"""The form-like steps (conversations/form.py): the next step is the first unanswered one on
the path, a skipped step counts as answered, and the forms built on it ask in today's order."""

from __future__ import annotations

from typing import Any

from conversations import announce, exhibition_admin
from conversations.form import Form, FormStep
from texts.i18n import _


def _number(text: str, context: object) -> int | None:
    return int(text) if text.isdigit() else None


def _stripped(text: str, context: object) -> str:
    return text.strip()


NO_CONTEXT: Any = None  # these parsers need no catalogue and no clock


FORM = Form(
    FormStep("name", "Your name?", "typing", parse=_stripped),
    FormStep("rented", "Rented?", "typing"),
    FormStep("rent", "The rent?", "typing", parse=_number, when=lambda a: a.get("rented") is True),
    FormStep("note", "A note, or skip.", "typing", parse=_stripped),
)


def test_the_current_step_is_the_first_unanswered_on_the_path() -> None:
    assert FORM.current({}) is FORM.step("name")
    assert FORM.current({"name": "Zahra"}) is FORM.step("rented")
    assert FORM.current({"name": "Zahra", "rented": True}) is FORM.step("rent")
    assert FORM.current({"name": "Zahra", "rented": False}) is FORM.step("note")
    assert FORM.current({"name": "Zahra", "rented": False, "note": None}) is None, "skipped"
    # Going back is forgetting: the form asks the forgotten step again, whatever came after.
    assert FORM.current({"rented": False, "note": "x"}) is FORM.step("name")


def test_a_step_reads_typed_answers_and_refuses_with_its_own_words() -> None:
    rent = FORM.step("rent")
    assert rent.read("12", NO_CONTEXT) == 12 and rent.read("twelve", NO_CONTEXT) is None
    assert FORM.step("rented").read("yes", NO_CONTEXT) is None, "buttons only"
    assert "The rent?" in rent.refusal()


def test_exhibitions_are_asked_in_todays_order_and_a_virtual_one_has_no_county() -> None:
    form = exhibition_admin.FORM
    assert exhibition_admin.FIELDS == (
        "title", "kind", "county", "venue", "starts_on", "ends_on", "booth_deadline",
        "description", "poster_file_id",
    )  # fmt: skip
    draft: dict[str, object] = {"title": "بازارچه", "kind": "virtual"}
    step = form.current(draft)
    assert step is not None and step.name == "venue"
    draft["kind"] = "seasonal"
    step = form.current(draft)
    assert step is not None and step.name == "county"
    assert {s.state for s in form.steps} == {exhibition_admin.TYPING}
    assert form.step("starts_on").read("1404/12/20", NO_CONTEXT) is not None
    assert form.step("starts_on").read("tomorrow", NO_CONTEXT) is None
    assert form.step("title").read("x", NO_CONTEXT) is None


def test_an_announcement_of_an_exhibition_goes_straight_to_the_group() -> None:
    form = announce.FORM
    assert [s.state for s in form.steps] == [
        announce.CHOOSE, announce.TEXT, announce.COUNTY, announce.GROUP,
    ]  # fmt: skip
    of_exhibition = {"text": "📣 ...", "exhibition_id": 4, "county": "azna"}
    step = form.current(of_exhibition)
    assert step is not None and step.state == announce.GROUP
    free = {"text": "📣 hello there", "exhibition_id": None}
    step = form.current(free)
    assert step is not None and step.state == announce.COUNTY
    assert form.step("text").read("hi", NO_CONTEXT) is None
    assert form.step("text").read(" hello there ", NO_CONTEXT) == "📣 hello there"


def test_a_payment_resumes_from_the_pending_action_stored_before_the_form() -> None:
    from conversations.officer import actions, desk

    waiting_amount = {"action": "amount", "app": 7}  # what user_data held before the upgrade
    step = actions.PAYMENT.current(waiting_amount)
    assert step is not None and step.name == "rials"
    waiting_date = {"action": "paid_on", "app": 7, "rials": 2_000_000_000}
    step = actions.PAYMENT.current(waiting_date)
    assert step is not None and step.name == "paid_on"
    assert step.refusal() == _("Please type a valid date that is not in the future.")
    assert actions.PAYMENT.step("rials").read("۲۰۰ میلیون", NO_CONTEXT) == 2_000_000_000
    assert desk.FIND.step("nc").read("12345", NO_CONTEXT) is None
    assert desk.FIND.step("name").read("ز", NO_CONTEXT) is None


LONG = Form(
    FormStep("phone", "Share your number.", "phone", contact="Share"),
    FormStep("city", "Your city?", "city", keyboard=lambda c, a: [[("A", "c:a")]],
             confirm="Your city: {city}. Right?", values=lambda c, a: {"city": a.get("city")}),
    FormStep("age", "Your age? Over {minimum}.", "age", values=lambda c, a: {"minimum": 18}),
    header=True,
    confirm=[[("Keep", "keep"), ("Change", "change")]],
)  # fmt: skip


def test_a_long_form_numbers_its_steps_and_walks_back_and_forth_on_the_path() -> None:
    city = LONG.step("city")
    assert LONG.waiting_in("city") is city and LONG.position({}, city) == (2, 3)
    assert LONG.after({}, city) is LONG.step("age") and LONG.before({}, city) is LONG.step("phone")
    assert LONG.after({}, LONG.step("age")) is LONG.step("age"), "the last stays"


def test_a_carried_answer_is_confirmed_until_changed_and_a_contact_step_asks_for_the_number() -> (
    None
):
    header = _("Step {step} of {total}").format(step="۲", total="۳")
    text, markup = LONG.question(NO_CONTEXT, LONG.step("city"), {"city": "Azna"})
    assert text == header + "\n\nYour city: Azna. Right?"
    assert markup is not None and markup.to_dict()["inline_keyboard"][0][1]["callback_data"] == (
        "change"
    )
    text, markup = LONG.question(
        NO_CONTEXT, LONG.step("city"), {"city": "Azna", "changing": "city"}
    )
    assert text.endswith("Your city?")
    assert (
        markup is not None and markup.to_dict()["inline_keyboard"][0][0]["callback_data"] == "c:a"
    )
    text, markup = LONG.question(NO_CONTEXT, LONG.step("phone"), {})
    assert markup is not None and markup.to_dict()["keyboard"][0][0]["request_contact"] is True
    text, _markup = LONG.question(NO_CONTEXT, LONG.step("age"), {})
    assert text.endswith("Your age? Over 18.")
