"""FAQ answers as citizens read them: figures filled from the data files, in Persian digits."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from domain.catalogue import DEFAULT_DATA_DIR, load_catalogue
from domain.faq import Count, Money, Names, Percent, Year
from tests.catalogues import parsed_catalogue
from tests.unit.data_files import read_yaml, write_yaml
from texts.faq import answer_text, format_figure, render_answer

CATALOGUE = parsed_catalogue()
LATIN_DIGIT = re.compile(r"[0-9]")


def test_figures_are_shown_in_persian() -> None:
    assert format_figure(Money(2_000_000_000)) == "۲۰۰ میلیون تومان"
    assert format_figure(Count(1500)) == "۱٬۵۰۰"
    assert format_figure(Year(1404)) == "۱۴۰۴"
    assert format_figure(Percent(4.0)) == "۴"
    assert format_figure(Percent(4.5)) == "۴٫۵"
    assert format_figure(Names(("ملت", "تجارت"))) == "ملت، تجارت"


def test_every_answer_renders_with_no_placeholder_left() -> None:
    for entry in CATALOGUE.faq.entries:
        text = answer_text(entry, CATALOGUE)
        assert "{" not in text and "}" not in text, entry.id
        assert len(text) < 4096, entry.id  # one message
        # Figures come out in Persian digits (a web address may keep its own letters).
        assert not LATIN_DIGIT.search(render_answer(entry, CATALOGUE)), entry.id


def test_a_new_cap_in_rules_changes_the_answer(tmp_path: Path) -> None:
    """One source for a loan cap: the officer edits rules.yaml, the FAQ follows."""
    data_dir = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data_dir, ignore=shutil.ignore_patterns("runtime"))
    rules_path = data_dir / "rules.yaml"
    rules = read_yaml(rules_path)
    rules["loans"]["independent"]["cap_rials"] = 3_000_000_000
    rules["agent_banks"] = ["ملت", "رسالت"]
    write_yaml(rules_path, rules)
    catalogue = load_catalogue(data_dir)
    loan = catalogue.faq.entry("loan_independent")
    banks = catalogue.faq.entry("agent_banks")
    assert loan is not None and banks is not None
    assert "۳۰۰ میلیون تومان" in render_answer(loan, catalogue)
    assert "۲۰۰ میلیون" not in render_answer(loan, catalogue)
    assert "ملت، رسالت" in render_answer(banks, catalogue)
