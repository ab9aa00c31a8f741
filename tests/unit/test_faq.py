"""The FAQ: data/faq.yaml loads and is checked, questions are normalised and matched."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.faq_accuracy import TARGET_FIRST, TARGET_TOP3, load_test_set, measure
from domain.catalogue import DEFAULT_DATA_DIR, Catalogue, CatalogueError, load_catalogue
from domain.faq import FIGURE_NAMES, Money, figures, placeholders
from domain.faq_match import MatchKind
from domain.faq_words import content_words, is_question, normalize_question
from tests.catalogues import parsed_catalogue
from tests.unit.data_files import edit_yaml


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped files that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, target, ignore=shutil.ignore_patterns("runtime"))
    return target


def _edit_faq(data_dir: Path, change: Callable[[Any], object]) -> list[str]:
    edit_yaml(data_dir / "faq.yaml", change)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(data_dir)
    return caught.value.problems


# --- the shipped file -----------------------------------------------------------------------


def test_at_least_forty_entries_over_the_programme(catalogue: Catalogue) -> None:
    book = catalogue.faq
    assert len(book.entries) >= 40
    topics = {t.code for t in book.topics}
    assert topics >= {
        "eligibility",
        "permit",
        "loans",
        "documents",
        "statuses",
        "insurance",
        "exhibitions",
    }
    for topic in book.topics:
        assert book.entries_in(topic.code), topic.code
    for entry in book.entries:
        assert len(entry.phrasings) >= 2 and entry.keywords, entry.id


def test_every_status_a_citizen_sees_is_explained(catalogue: Catalogue) -> None:
    ids = {e.id for e in catalogue.faq.entries}
    assert {
        "status_draft",
        "status_submitted",
        "status_under_review",
        "status_needs_correction",
        "fix_correction",
        "status_approved",
        "status_bank",
        "status_paid",
        "status_rejected",
    } <= ids


def test_loan_figures_come_from_rules_not_from_the_answers(catalogue: Catalogue) -> None:
    loan = catalogue.faq.entry("loan_independent")
    assert loan is not None and "{independent_cap}" in loan.answer
    values = figures(catalogue)
    assert set(values) == set(FIGURE_NAMES)
    assert values["independent_cap"] == Money(catalogue.rules.loans.independent.cap_rials)
    # No answer types a cap in: «۲۰۰ میلیون» or «۵۰ میلیارد» would be a second source.
    for entry in catalogue.faq.entries:
        assert "۲۰۰ میلیون" not in entry.answer and "میلیارد تومان" not in entry.answer, entry.id


# --- a broken file stops start-up with the place and the reason -----------------------------


def test_an_unknown_placeholder_is_refused(data_dir: Path) -> None:
    problems = _edit_faq(
        data_dir, lambda c: c["entries"][3].update(answer="سقف وام {loan_cap} است.")
    )
    (problem,) = problems
    assert problem.startswith("faq.yaml: entries[3].answer: unknown placeholder {loan_cap}")


def test_an_unknown_topic_and_a_duplicate_id_are_refused(data_dir: Path) -> None:
    def change(content: dict) -> None:  # type: ignore[type-arg]
        content["entries"][2]["topic"] = "weather"
        content["entries"][5]["id"] = content["entries"][4]["id"]

    problems = _edit_faq(data_dir, change)
    unknown = "faq.yaml: entries[2].topic: unknown topic 'weather'"
    assert any(p.startswith(unknown) for p in problems)
    assert any(p.startswith("faq.yaml: entries[5].id: duplicate id") for p in problems)


def test_a_phrasing_in_two_entries_is_refused(data_dir: Path) -> None:
    def change(content: dict) -> None:  # type: ignore[type-arg]
        content["entries"][7]["phrasings"].append(content["entries"][1]["phrasings"][0])

    (problem,) = _edit_faq(data_dir, change)
    assert problem.startswith("faq.yaml: entries[7].phrasings[")
    assert "is also a phrasing of entry" in problem


def test_a_missing_answer_and_a_single_phrasing_are_refused(data_dir: Path) -> None:
    def change(content: dict) -> None:  # type: ignore[type-arg]
        del content["entries"][0]["answer"]
        content["entries"][1]["phrasings"] = ["قانون"]

    problems = _edit_faq(data_dir, change)
    assert "faq.yaml: entries[0].answer: Field required" in problems
    assert any(p.startswith("faq.yaml: entries[1].phrasings:") for p in problems)


def test_a_phrasing_of_greetings_only_is_refused(data_dir: Path) -> None:
    (problem,) = _edit_faq(data_dir, lambda c: c["entries"][0]["phrasings"].append("سلام ممنون"))
    assert problem.startswith("faq.yaml: entries[0].phrasings:")
    assert "no word to match" in problem


def test_placeholders_must_be_plain_names() -> None:
    assert placeholders("تا {independent_cap} و {repayment_months} ماه") == [
        "independent_cap",
        "repayment_months",
    ]
    with pytest.raises(ValueError, match="placeholders"):
        placeholders("{0}")
    with pytest.raises(ValueError, match="placeholders"):
        placeholders("{independent_cap:,}")


# --- normalisation --------------------------------------------------------------------------


def test_arabic_letters_digits_diacritics_and_tatweel_fold() -> None:
    assert normalize_question("شرايط ثبت‌نام چيست؟") == normalize_question("شرایط ثبتنام چیست")
    assert normalize_question("كارت مَلّی") == "کارت ملی"
    assert normalize_question("وامـــــ ۲۰۰ میلیون") == "وام 200 میلیون"
    assert normalize_question("٢٠٠") == "200"


def test_half_spaces_prefixes_suffixes_and_punctuation() -> None:
    assert normalize_question("می خوام") == normalize_question("می‌خوام") == "میخوام"
    assert normalize_question("مدرک ها!!") == normalize_question("مدرک‌ها") == "مدرکها"
    assert normalize_question("«وام»، چقدر؟") == "وام چقدر"
    assert normalize_question("سلاااام") == "سلام"


def test_greetings_numbers_and_emoji_are_not_questions() -> None:
    for text in ("سلام", "سلام، خسته نباشید", "۱۳۷۰", "🙂👍", "", "بله", "؟؟"):
        assert not is_question(text), text
    assert is_question("وام چقدره؟")
    assert content_words("سلام، لطفاً بگید وام چقدره؟") == ["وام", "چقدره"]


# --- matching -------------------------------------------------------------------------------


def test_a_clear_question_is_answered(catalogue: Catalogue) -> None:
    match = catalogue.faq.match("ضامن میخواد؟")
    assert match.kind is MatchKind.ANSWER
    assert match.best is not None and match.best.id == "guarantor"


def test_an_ambiguous_question_gets_up_to_three_suggestions(catalogue: Catalogue) -> None:
    match = catalogue.faq.match("بیمه")
    assert match.kind is MatchKind.SUGGEST
    shown = [s.entry.id for s in match.candidates]
    assert 2 <= len(shown) <= 3 and "insurance" in shown


def test_an_unrelated_question_offers_an_officer(catalogue: Catalogue) -> None:
    assert catalogue.faq.match("قیمت دلار امروز چنده").kind is MatchKind.NONE
    assert catalogue.faq.match("سلام").kind is MatchKind.NOT_A_QUESTION


# --- the test set ---------------------------------------------------------------------------


def test_the_test_set_has_a_hundred_phrasings_of_known_entries(catalogue: Catalogue) -> None:
    tests = load_test_set()
    assert len(tests.expected) >= 100
    ids = {e.id for e in catalogue.faq.entries}
    assert set(tests.expected.values()) <= ids


def test_no_test_phrasing_repeats_an_entry_word_for_word(catalogue: Catalogue) -> None:
    own = {
        normalize_question(text)
        for entry in catalogue.faq.entries
        for text in (entry.question, *entry.phrasings, *entry.keywords)
    }
    repeated = [p for p in load_test_set().expected if normalize_question(p) in own]
    assert repeated == []


def test_the_matcher_reaches_its_accuracy_targets(catalogue: Catalogue) -> None:
    """The figures benchmarks/faq_accuracy.py prints: right entry first, and among three."""
    result = measure(catalogue.faq, load_test_set())
    assert result["first"] >= TARGET_FIRST, result["misses"]
    assert result["top3"] >= TARGET_TOP3, result["misses"]
