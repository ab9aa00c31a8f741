"""Frequently asked questions: the entries of data/faq.yaml, their checks, and the book of them.

An answer may quote figures of the other data files as {placeholders} (one source for a loan
cap); ``figures`` gives their values and bot/faq_text.py formats them. Matching a typed
question is in domain/faq_match.py.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.faq_match import FaqIndex, FaqMatch
from domain.faq_words import content_words, normalize_question

if TYPE_CHECKING:
    from domain.catalogue import Catalogue

FAQ_FILE = "faq.yaml"

# --- figures an answer may quote from the other data files -----------------------------------


@dataclass(frozen=True)
class Money:
    """An amount in rials, shown as toman."""

    rials: int


@dataclass(frozen=True)
class Count:
    """A whole number, shown with thousands separators."""

    value: int


@dataclass(frozen=True)
class Year:
    """A year, shown without separators."""

    value: int


@dataclass(frozen=True)
class Percent:
    """A rate in percent."""

    value: float


@dataclass(frozen=True)
class Names:
    """A list of names, shown separated by «،»."""

    items: tuple[str, ...]


Figure = Money | Count | Year | Percent | Names

# Every placeholder an answer may use, e.g. «{independent_cap}»: one source for each figure.
FIGURE_NAMES: tuple[str, ...] = (
    "budget_year",
    "province",
    "minimum_age",
    "supporter_minimum_age",
    "independent_cap",
    "supporting_cap",
    "supporting_base",
    "supporting_per_job",
    "supporting_max_jobs",
    "repayment_months",
    "interest_rate",
    "minimum_experience_years",
    "minimum_covered_workers",
    "agent_banks",
    "other_support_bodies",
    "activity_groups",
    "closed_activities",
    "always_documents",
)


def figures(catalogue: Catalogue) -> dict[str, Figure]:
    """The value of every placeholder, read from rules.yaml, activities.yaml and documents.yaml."""
    rules = catalogue.rules
    loans = rules.loans
    closed = tuple(a.name for a in catalogue.activities if a.closed_to_new_loans)
    always = tuple(d.name for d in catalogue.documents if tuple(d.when) == ("always",))
    return {
        "budget_year": Year(rules.budget_year),
        "province": Names((catalogue.province.name,)),
        "minimum_age": Count(rules.age.minimum),
        "supporter_minimum_age": Count(rules.age.supporter_minimum),
        "independent_cap": Money(loans.independent.cap_rials),
        "supporting_cap": Money(loans.supporting.max_rials),
        "supporting_base": Money(loans.supporting.base_rials),
        "supporting_per_job": Money(loans.supporting.per_job_rials),
        "supporting_max_jobs": Count(loans.supporting.max_jobs),
        "repayment_months": Count(loans.repayment_months),
        "interest_rate": Percent(loans.interest_rate_percent),
        "minimum_experience_years": Count(rules.supporting.minimum_experience_years),
        "minimum_covered_workers": Count(rules.supporting.minimum_covered_workers),
        "agent_banks": Names(rules.agent_banks),
        "other_support_bodies": Names(rules.other_support_bodies),
        "activity_groups": Names(tuple(g.name for g in catalogue.groups)),
        "closed_activities": Names(closed),
        "always_documents": Names(always),
    }


def placeholders(text: str) -> list[str]:
    """The {names} in an answer, in order; ValueError for a positional or formatted one."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"a brace is not closed ({exc}); write {{{{ for a literal brace") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or name.isdigit() or spec or conversion:
            raise ValueError(f"write placeholders as {{name}} only, not {{{name}}}")
        names.append(name)
    return names


# --- the data file --------------------------------------------------------------------------

_CODE = r"^[a-z][a-z0-9_]*$"


class _FaqRecord(BaseModel):
    """Immutable record that refuses unknown keys, so an officer's typo is reported."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class FaqTopic(_FaqRecord):
    """A topic: one button of the /faq list."""

    code: str = Field(min_length=1, max_length=30, pattern=_CODE)
    name: str = Field(min_length=1, max_length=60)


class FaqEntry(_FaqRecord):
    """One question and its answer, with other ways citizens ask it and its keywords."""

    id: str = Field(min_length=1, max_length=40, pattern=_CODE)
    topic: str = Field(min_length=1, max_length=30, pattern=_CODE)
    # Shown on a button: keep it short enough to read on a phone.
    question: str = Field(min_length=3, max_length=90)
    answer: str = Field(min_length=1, max_length=3000)
    phrasings: tuple[str, ...] = Field(min_length=2)
    keywords: tuple[str, ...] = Field(min_length=1)

    @field_validator("answer")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        unknown = [name for name in placeholders(value) if name not in FIGURE_NAMES]
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{unknown[0]}}}; known: {', '.join(FIGURE_NAMES)}"
            )
        return value

    @field_validator("question", "phrasings", "keywords")
    @classmethod
    def _matchable(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        for text in (value,) if isinstance(value, str) else value:
            if not content_words(text):
                raise ValueError(f"{text!r} has no word to match (only common words or digits)")
        return value


class FaqFile(_FaqRecord):
    """data/faq.yaml as written."""

    topics: tuple[FaqTopic, ...] = Field(min_length=1)
    entries: tuple[FaqEntry, ...] = Field(min_length=1)


def faq_problems(faq: FaqFile) -> list[str]:
    """What the schema cannot see: unique codes, known topics, and one entry per phrasing."""
    problems: list[str] = []
    topics: set[str] = set()
    for index, topic in enumerate(faq.topics):
        if topic.code in topics:
            problems.append(f"topics[{index}].code: duplicate topic {topic.code!r}")
        topics.add(topic.code)
    ids: set[str] = set()
    owner: dict[str, str] = {}
    for index, entry in enumerate(faq.entries):
        if entry.id in ids:
            problems.append(f"entries[{index}].id: duplicate id {entry.id!r}")
        ids.add(entry.id)
        if entry.topic not in topics:
            problems.append(
                f"entries[{index}].topic: unknown topic {entry.topic!r} (entry {entry.id!r}); "
                f"known topics: {', '.join(sorted(topics))}"
            )
        for p_index, text in enumerate((entry.question, *entry.phrasings)):
            key = normalize_question(text)
            other = owner.setdefault(key, entry.id)
            if other != entry.id:
                place = "question" if p_index == 0 else f"phrasings[{p_index - 1}]"
                problems.append(
                    f"entries[{index}].{place}: {text!r} is also a phrasing of entry {other!r}"
                )
    used = {entry.topic for entry in faq.entries}
    for index, topic in enumerate(faq.topics):
        if topic.code not in used:
            problems.append(f"topics[{index}]: topic {topic.code!r} has no entries")
    return problems


class FaqBook:
    """The knowledge base: topics in file order, entries by id and by topic, and the matcher."""

    def __init__(self, topics: Iterable[FaqTopic] = (), entries: Iterable[FaqEntry] = ()) -> None:
        self.topics: tuple[FaqTopic, ...] = tuple(topics)
        self.entries: tuple[FaqEntry, ...] = tuple(entries)
        self._topics = {t.code: t for t in self.topics}
        self._entries = {e.id: e for e in self.entries}
        self.index = FaqIndex(self.entries)

    def topic(self, code: str) -> FaqTopic | None:
        """A topic by code, or None."""
        return self._topics.get(code)

    def entry(self, entry_id: str) -> FaqEntry | None:
        """An entry by id, or None."""
        return self._entries.get(entry_id)

    def entries_in(self, topic_code: str) -> list[FaqEntry]:
        """A topic's entries, in file order."""
        return [e for e in self.entries if e.topic == topic_code]

    def match(self, text: str) -> FaqMatch:
        """What to do with a typed text (see FaqIndex.match)."""
        return self.index.match(text)


# --- what happened to a question (stored; see storage/faq.py) --------------------------------


class FaqOutcome(StrEnum):
    """What the bot did with one typed question, or an answer opened from /faq."""

    ANSWERED = "answered"  # a confident match: the answer at once
    SUGGESTED = "suggested"  # «Did you mean?» buttons, none pressed (yet)
    PICKED = "picked"  # a «Did you mean?» button pressed: that answer
    UNMATCHED = "unmatched"  # nothing close: an officer offered
    BROWSED = "browsed"  # an answer opened from the /faq list (no typed question)


@dataclass(frozen=True)
class FaqCounts:
    """Typed questions over a period, by outcome, and the 👎 given to their answers."""

    answered: int = 0
    picked: int = 0
    suggested: int = 0
    unmatched: int = 0
    disliked: int = 0  # answered or picked, then marked 👎
    browsed: int = 0

    @property
    def asked(self) -> int:
        """Every typed question (browsing is not asking)."""
        return self.answered + self.picked + self.suggested + self.unmatched

    @property
    def answered_without_officer(self) -> int:
        """Questions the FAQ answered (at once or by a button) that were not marked 👎."""
        return max(self.answered + self.picked - self.disliked, 0)

    @property
    def share_without_officer(self) -> float | None:
        """answered_without_officer / asked, or None before the first question."""
        return self.answered_without_officer / self.asked if self.asked else None
