"""The check's views on every answer path: short callback data, Persian, phone-sized."""

from __future__ import annotations

from datetime import date

import pytest
from telegram import InlineKeyboardMarkup

from conversations import eligibility_views as views
from domain.answers import EligibilityAnswers, QuestionId
from domain.catalogue import Catalogue
from domain.eligibility import evaluate
from domain.questions import _branch_values, answer, next_question
from tests.catalogues import parsed_catalogue
from tests.e2e.test_foundation import assert_persian

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


def _walks(catalogue: Catalogue) -> list[list[tuple[QuestionId, EligibilityAnswers]]]:
    """Every branching path: the (question, answers before it) pairs, then the final answers."""
    walks: list[list[tuple[QuestionId, EligibilityAnswers]]] = []
    stack: list[tuple[EligibilityAnswers, list[tuple[QuestionId, EligibilityAnswers]]]] = [
        (EligibilityAnswers(), [])
    ]
    while stack:
        answers, steps = stack.pop()
        question = next_question(answers, catalogue, TODAY)
        if question is None:
            walks.append(steps)
            continue
        for value in _branch_values(question, catalogue, TODAY):
            stack.append((answer(answers, question, value), [*steps, (question, answers)]))
    return walks


def _check_markup(markup: InlineKeyboardMarkup) -> None:
    for row in markup.inline_keyboard:
        for button in row:
            assert isinstance(button.callback_data, str)
            assert len(button.callback_data.encode()) <= 64
            assert_persian(button.text)


def test_every_question_view_is_persian_with_short_callback_data(catalogue: Catalogue) -> None:
    seen: set[QuestionId] = set()
    for walk in _walks(catalogue):
        for question, before in walk:
            text, markup = views.question_view(question, before, catalogue, TODAY)
            assert_persian(text)
            assert "{" not in text
            _check_markup(markup)
            seen.add(question)
    assert seen == set(QuestionId)


def test_every_group_page_fits(catalogue: Catalogue) -> None:
    for group in catalogue.groups:
        page = 0
        while True:
            view = views.group_page_view(group.code, page, EligibilityAnswers(), catalogue, TODAY)
            assert view is not None
            text, markup = view
            assert_persian(text)
            _check_markup(markup)
            if not any(
                "elg:g:" in (b.callback_data or "") and b.text.startswith("بعدی")
                for row in markup.inline_keyboard
                for b in row
            ):
                break
            page += 1
        assert (page + 1) * views.PAGE_SIZE >= len(catalogue.activities_in(group.code))


def test_every_verdict_is_persian_and_fits_one_message(catalogue: Catalogue) -> None:
    for walk in _walks(catalogue):
        question, before = walk[-1]
        value = _branch_values(question, catalogue, TODAY)[0]
        answers = answer(before, question, value)
        result = evaluate(answers, catalogue, TODAY)
        text, markup = views.verdict_view(answers, result, catalogue)
        assert_persian(text)
        assert "{" not in text and len(text) < 4096
        _check_markup(markup)
        apply_offered = any(
            b.callback_data == views.APPLY_DATA for row in markup.inline_keyboard for b in row
        )
        assert apply_offered == views.can_apply(result)


def test_typed_county_and_choice(catalogue: Catalogue) -> None:
    assert views.typed_choice(QuestionId.COUNTY, "الشتر", catalogue) == "selseleh"
    assert views.typed_choice(QuestionId.COUNTY, "خرم آباد", catalogue) == "khorramabad"
    assert views.typed_choice(QuestionId.COUNTY, "تهران", catalogue) is None
    assert views.typed_choice(QuestionId.IRANIAN, " بله ", catalogue) == "1"
    assert views.typed_choice(QuestionId.PLAN, "هر دو", catalogue) == "both"
    assert views.typed_choice(QuestionId.PLAN, "شاید", catalogue) is None


def test_a_typed_search_is_echoed_with_persian_digits(catalogue: Catalogue) -> None:
    note = views.nothing_found_note("200 میلیون")
    assert "«۲۰۰ میلیون»" in note
    found = catalogue.search_activities("پرورش")
    text, _markup = views.search_view("پرورش 2", found, EligibilityAnswers(), catalogue, TODAY)
    assert "«پرورش ۲»" in text
