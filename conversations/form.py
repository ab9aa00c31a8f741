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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from conversations.common import inline_keyboard, say, send_text
from handlers.context import BotContext
from texts.i18n import _

Answers = Mapping[str, Any]
Rows = Sequence[Sequence[tuple[str, str]]]  # (label, callback data) buttons, row by row
Keyboard = Callable[[BotContext, Answers], Rows]
Parser = Callable[[str, BotContext], object | None]  # the context: the catalogue, the clock
Markup = Callable[[Rows], InlineKeyboardMarkup | None]  # None: the prompt alone


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

    def __init__(self, *steps: FormStep, markup: Markup = inline_keyboard) -> None:
        self.steps = steps
        # How a step's buttons sit under its prompt (back and cancel, or the conversation's own).
        self.markup = markup

    def step(self, name: str) -> FormStep:
        """The step with this answer key (KeyError for an unknown one)."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def path(self, answers: Answers) -> list[FormStep]:
        """The steps asked for these answers, in order."""
        return [step for step in self.steps if step.when(answers)]

    def current(self, answers: Answers) -> FormStep | None:
        """The first step on the path without an answer; None when the form is complete."""
        return next((step for step in self.path(answers) if step.name not in answers), None)

    async def ask(
        self,
        update: Update,
        context: BotContext,
        step: FormStep,
        answers: Answers,
        *,
        rows: Rows | None = None,
        answer: bool = True,
    ) -> str:
        """Send the step's prompt with its buttons; the state it waits in.

        ``answer``: answer a pressed button first (False when the handler already did).
        """
        if rows is None:
            rows = step.keyboard(context, answers) if step.keyboard is not None else []
        send = say if answer else send_text
        await send(update, context, _(step.prompt), self.markup(rows))
        return step.state
