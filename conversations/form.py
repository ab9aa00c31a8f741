"""One way to write a form-like step: a prompt, a parser, a keyboard, a condition.

The next step is not written anywhere: it is the first step on the path (the steps whose
condition holds) that has no answer yet, as the eligibility check asks its questions
(``domain/questions.py``). Answers live in a plain dict (a conversation's scratch in
``user_data``, persisted as JSON); a step is answered once its key is present, even with
``None`` (skipped). So a conversation resumes where it was after a restart, and going back
is forgetting an answer.

    FORM = Form(
        FormStep("title", N_("Send the title."), TYPING, parse=parse_title),
        FormStep("county", N_("Choose the county."), TYPING, keyboard=counties,
                 when=lambda answers: answers.get("kind") != "virtual"),
    )
    step = FORM.current(answers)          # None: every step is answered, save
    return await FORM.ask(update, context, step, answers)

The application (``conversations/application/steps.py``) is a form too: its answers are the
draft's non-empty fields, its steps wait in states named like the stored step, and it uses
what a longer form needs: «Step n of N» above each prompt (``header``), prompts with
placeholders (``values``), a reply keyboard under typed answers (``markup``), a contact button
(``contact``) and a carried-over answer shown for confirmation (``confirm``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from conversations.common import inline_keyboard, nav_labels, say, send_text, step_header
from handlers.context import BotContext
from texts.i18n import _

Answers = Mapping[str, Any]
Rows = Sequence[Sequence[tuple[str, str]]]  # (label, callback data) buttons, row by row
Keyboard = Callable[[BotContext, Answers], Rows]
Parser = Callable[[str, BotContext], object | None]  # the context: the catalogue, the clock
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
Markup = Callable[[Rows], ReplyMarkup | None]  # None: the prompt alone
Values = Callable[[BotContext, Answers], Mapping[str, object]]  # a prompt's placeholders
# The answers' key naming the state of the step whose value the person chose to change: that
# step shows its choices, not its ``confirm`` prompt.
CHANGING = "changing"


def _always(answers: Answers) -> bool:
    return True


@dataclass(frozen=True)
class FormStep:
    """One step: what is asked, how a typed answer reads, which buttons, when it is asked."""

    name: str  # the answer's key in the answers dict
    prompt: str  # msgid, translated when asked
    state: str  # the conversation state while the step waits (a persisted name: keep it)
    # A typed answer's value, or None when it is not acceptable; no parser: buttons only.
    parse: Parser | None = None
    keyboard: Keyboard | None = None
    when: Callable[[Answers], bool] = _always  # on the path only when this holds
    invalid: str | None = None  # msgid said for an unacceptable answer (default: the prompt)
    values: Values | None = None  # the prompt's (and the confirm prompt's) placeholders
    # msgid asked instead of the prompt while the step holds a value (carried over from an
    # earlier conversation): the form's ``confirm`` buttons keep it or change it.
    confirm: str | None = None
    contact: str | None = None  # msgid of a reply button sharing the person's own number

    def confirming(self, answers: Answers) -> bool:
        """The step holds a value to confirm, and the person has not chosen to change it."""
        return (
            self.confirm is not None
            and bool(answers.get(self.name))
            and answers.get(CHANGING) != self.state
        )

    def read(self, text: str, context: BotContext) -> object | None:
        """The value of a typed answer, or None (not acceptable, or this step takes buttons)."""
        return None if self.parse is None else self.parse(text, context)

    def refusal(self) -> str:
        """What an unacceptable answer gets: the step's own words, or the prompt again."""
        if self.invalid is not None:
            return _(self.invalid)
        return _("That is not valid here. {prompt}").format(prompt=_(self.prompt))


class Form:
    """The steps in order; the current one is the first unanswered on the path."""

    def __init__(
        self,
        *steps: FormStep,
        markup: Markup = inline_keyboard,
        header: bool = False,
        confirm: Rows = (),
    ) -> None:
        self.steps = steps
        # How a step's buttons sit under its prompt (back and cancel, or the conversation's own).
        self.markup = markup
        self.header = header  # «Step n of N» above each prompt
        self.confirm = confirm  # the buttons (msgid, data) under a ``confirm`` prompt

    def step(self, name: str) -> FormStep:
        """The step with this answer key (KeyError for an unknown one)."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def waiting_in(self, state: str) -> FormStep:
        """The step that waits in this state (KeyError for an unknown one)."""
        for step in self.steps:
            if step.state == state:
                return step
        raise KeyError(state)

    def path(self, answers: Answers) -> list[FormStep]:
        """The steps asked for these answers, in order."""
        return [step for step in self.steps if step.when(answers)]

    def current(self, answers: Answers) -> FormStep | None:
        """The first step on the path without an answer; None when the form is complete."""
        return next((step for step in self.path(answers) if step.name not in answers), None)

    def position(self, answers: Answers, step: FormStep) -> tuple[int, int]:
        """(number, total) of a step on the path, for «Step n of N» (off the path: the last)."""
        steps = self.path(answers)
        number = steps.index(step) + 1 if step in steps else len(steps)
        return number, len(steps)

    def after(self, answers: Answers, step: FormStep) -> FormStep | None:
        """The step after this one on the path (the last stays); off the path: the current."""
        steps = self.path(answers)
        if step not in steps:
            return self.current(answers)
        return steps[min(steps.index(step) + 1, len(steps) - 1)]

    def before(self, answers: Answers, step: FormStep) -> FormStep | None:
        """The step before this one on the path (the first stays); off the path: the current."""
        steps = self.path(answers)
        if step not in steps:
            return self.current(answers)
        return steps[max(steps.index(step) - 1, 0)]

    def question(
        self, context: BotContext, step: FormStep, answers: Answers, *, rows: Rows | None = None
    ) -> tuple[str, ReplyMarkup | None]:
        """The step's text (its header first, if the form has one) and the markup beneath it."""
        values = step.values(context, answers) if step.values is not None else {}
        markup: ReplyMarkup | None
        if step.confirming(answers):
            text = _(step.confirm or step.prompt).format(**values)
            markup = inline_keyboard(
                [[(_(label), data) for label, data in row] for row in self.confirm]
            )
        else:
            text = _(step.prompt).format(**values) if values else _(step.prompt)
            if step.contact is not None:
                markup = _contact_keyboard(_(step.contact))
            else:
                if rows is None:
                    rows = step.keyboard(context, answers) if step.keyboard is not None else []
                markup = self.markup(rows)
        if self.header:
            text = step_header(*self.position(answers, step)) + "\n\n" + text
        return text, markup

    async def ask(
        self,
        update: Update,
        context: BotContext,
        step: FormStep,
        answers: Answers,
        *,
        rows: Rows | None = None,
        answer: bool = True,
        note: str | None = None,
    ) -> str:
        """Send the step's prompt with its buttons; the state it waits in.

        ``answer``: answer a pressed button first (False when the handler already did).
        ``note``: a line above the question (what was wrong with the last answer).
        """
        text, markup = self.question(context, step, answers, rows=rows)
        if note:
            text = note + "\n\n" + text
        send = say if answer else send_text
        await send(update, context, text, markup)
        return step.state


def _contact_keyboard(label: str) -> ReplyKeyboardMarkup:
    """One button sharing the person's own number, back and cancel beneath it."""
    rows = [[KeyboardButton(label, request_contact=True)]]
    rows.append([KeyboardButton(text) for text in nav_labels()])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True)
