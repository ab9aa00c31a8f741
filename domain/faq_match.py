"""Matching a typed question to the FAQ entries: rapidfuzz word similarity weighted by rarity.

A question's content words (domain/faq_words.py) are compared with every way of asking an
entry: its question, each phrasing, its keywords and, more weakly, its answer. Words match when
equal, when one starts the other, or when rapidfuzz finds them a typo apart; rare words weigh
more. The best entry is answered when it is clearly ahead, else up to three are offered.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from domain.faq_words import SYNONYMS, is_question, terms

if TYPE_CHECKING:
    from domain.faq import FaqEntry


class MatchKind(StrEnum):
    """What the bot does with a typed text."""

    ANSWER = "answer"  # one entry, confidently
    SUGGEST = "suggest"  # «Did you mean?» with up to three entries
    NONE = "none"  # no entry is close: offer an officer
    NOT_A_QUESTION = "not_a_question"  # nothing to match («سلام», «۱۳۷۰», emoji)


@dataclass(frozen=True)
class Scored:
    """An entry and how well a question matched it (0 to 1)."""

    entry: FaqEntry
    score: float


@dataclass(frozen=True)
class FaqMatch:
    """The outcome for one typed text: the kind, and the entries to show (best first)."""

    kind: MatchKind
    candidates: tuple[Scored, ...] = ()

    @property
    def best(self) -> FaqEntry | None:
        """The best entry, if any."""
        return self.candidates[0].entry if self.candidates else None


# Tuned on tests/data/faq_phrasings.yaml with benchmarks/faq_accuracy.py.
CONFIDENT = 0.62  # at least this, and MARGIN above the runner-up: answer at once
MARGIN = 0.08
SUGGEST_FLOOR = 0.3  # below this nothing is offered but an officer
SUGGESTIONS = 3
WORD_SIMILARITY = 0.72  # two words at least this alike (rapidfuzz ratio) count as one, scaled
# F-beta's beta: explaining the question's words counts more than covering the phrasing's.
QUERY_WEIGHT = 2.0
KEYWORD_FACTOR = 0.92  # a question explained by an entry's keywords alone
ANSWER_FACTOR = 0.6  # a question explained only by words of an entry's answer
LIGHT_WEIGHT = 0.5  # what question words and everyday verbs weigh, however rare
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _word_similarity(a: str, b: str) -> float:
    """How alike two words are, 0 to 1: equal, one the other's start, or a typo away."""
    if a == b:
        return 1.0
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) < 3:
        return 0.0
    if longer.startswith(shorter):
        extra = len(longer) - len(shorter)
        if extra <= 2:
            return 0.9  # «درخواستم», «مدرکها» beside «درخواست», «مدرک»
        if extra <= 5 and len(shorter) >= 4:
            return 0.8  # «اینستا» in «اینستاگرام»
    # A typo rarely hits a word's first letter: «بیمه» is not «نیمه», «یارانه» not «کارخانه».
    if a[0] != b[0]:
        return 0.0
    ratio = fuzz.ratio(a, b) / 100
    return ratio if ratio >= WORD_SIMILARITY else 0.0


@dataclass(frozen=True)
class _Doc:
    """One way of asking an entry (its question, a phrasing), or its keywords, or its answer."""

    entry: int
    words: tuple[str, ...]
    light: tuple[bool, ...]
    # Neighbouring words written as one («ثبت نام» → «ثبتنام»): citizens join and split freely.
    pairs: tuple[str, ...]
    factor: float | None  # None: a way of asking; else only the question's words count, scaled
    forms: frozenset[str]  # words and pairs, to look a question word's alikes up in

    def best(self, sims: dict[str, float]) -> float:
        """How well the doc holds one question word: its best alike here (0: none is)."""
        # A word has a few alikes and a doc many words: look the alikes up, not the words.
        return max((s for w, s in sims.items() if w in self.forms), default=0.0)


def _doc(entry: int, text: str, factor: float | None) -> _Doc:
    found = terms(text)
    words = tuple(w for w, _ in found)
    pairs = tuple(a + b for a, b in itertools.pairwise(words))
    forms = frozenset(words + pairs)
    return _Doc(entry, words, tuple(light for _, light in found), pairs, factor, forms)


class FaqIndex:
    """The entries' words, weighted by rarity, and the scoring of a question against them."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries = tuple(entries)
        docs: list[_Doc] = []
        for index, entry in enumerate(self.entries):
            docs += [_doc(index, text, None) for text in (entry.question, *entry.phrasings)]
            docs.append(_doc(index, " ".join(entry.keywords), KEYWORD_FACTOR))
            docs.append(_doc(index, _PLACEHOLDER.sub(" ", entry.answer), ANSWER_FACTOR))
        self._docs = tuple(d for d in docs if d.words)
        holders: dict[str, set[int]] = {}
        for doc in self._docs:
            for word in doc.words:
                holders.setdefault(word, set()).add(doc.entry)
        count = max(len(self.entries), 1)
        self._idf = {w: math.log(1 + count / len(e)) for w, e in holders.items()}
        for doc in self._docs:
            for a, b in itertools.pairwise(doc.words):
                self._idf.setdefault(a + b, max(self._idf[a], self._idf[b]))
        # A word no entry knows weighs like a word only one entry uses.
        self._unknown = 1.5 * math.log(1 + count)
        # A synonym's other forms are compared too, so a typo of «بهره» still finds «سود».
        self._forms = {w: w for w in self._idf}
        self._forms.update({v: c for v, c in SYNONYMS.items() if c in self._idf})
        # Every word alike in the least (equal, a start, a typo) shares its first letter with
        # the other: a typed word is compared with the forms under its own letter only.
        self._by_initial: dict[str, list[str]] = {}
        for form in sorted(self._forms):
            self._by_initial.setdefault(form[:1], []).append(form)
        # Which ways of asking hold a word (or two neighbours joined): only those are scored.
        self._holding: dict[str, list[int]] = {}
        for number, doc in enumerate(self._docs):
            for word in doc.forms:
                self._holding.setdefault(word, []).append(number)
        self._similar: dict[str, dict[str, float]] = {}
        # What each word of a way of asking weighs, and their sum (the doc's whole weight).
        self._word_weights: list[tuple[tuple[float, ...], float]] = []
        for doc in self._docs:
            word_weights = tuple(
                LIGHT_WEIGHT if light else self._idf[w]
                for w, light in zip(doc.words, doc.light, strict=True)
            )
            self._word_weights.append((word_weights, sum(word_weights)))

    def _similar_words(self, word: str) -> dict[str, float]:
        """The entries' words like this one, with their similarity (cached per word)."""
        found = self._similar.get(word)
        if found is None:
            found = {}
            for form in self._by_initial.get(word[:1], ()):
                similarity = _word_similarity(word, form)
                known = self._forms[form]
                if similarity > found.get(known, 0.0):
                    found[known] = similarity
            if len(self._similar) > 10_000:  # bounded: citizens' typos are endless
                self._similar.clear()
            self._similar[word] = found
        return found

    def _query(self, text: str) -> list[tuple[str, bool]]:
        """The question's terms, with two neighbours joined when the entries write them as one."""
        merged: list[tuple[str, bool]] = []
        for word, light in terms(text):
            if merged:
                previous, previous_light = merged[-1]
                joined = previous + word
                if joined in self._idf and not (previous in self._idf and word in self._idf):
                    merged[-1] = (joined, previous_light and light)
                    continue
            merged.append((word, light))
        return merged

    def rank(self, text: str) -> list[Scored]:
        """Every entry that shares something with the text, best first."""
        query = self._query(text)
        if not query:
            return []
        similar = [self._similar_words(w) for w, _ in query]
        weights = [
            LIGHT_WEIGHT if light else self._weight(sims)
            for (_, light), sims in zip(query, similar, strict=True)
        ]
        total = sum(weights)
        # Each entry word's best likeness to any question word, looked up once per doc word.
        alike: dict[str, float] = {}
        for sims in similar:
            for word, similarity in sims.items():
                if similarity > alike.get(word, 0.0):
                    alike[word] = similarity
        candidates = {n for sims in similar for w in sims for n in self._holding.get(w, ())}
        best: dict[int, float] = {}
        for number in sorted(candidates):
            doc = self._docs[number]
            score = self._score(number, similar, alike, weights, total)
            if score > best.get(doc.entry, 0.0):
                best[doc.entry] = score
        ranked = [Scored(self.entries[i], round(s, 4)) for i, s in best.items() if s > 0]
        ranked.sort(key=lambda s: -s.score)
        return ranked

    def _weight(self, sims: dict[str, float]) -> float:
        """A question word weighs as much as the rarest entry word it stands for."""
        if not sims:
            return self._unknown
        top = max(sims.values())
        return max(self._idf[w] for w, s in sims.items() if s == top)

    def _score(
        self,
        number: int,
        similar: list[dict[str, float]],
        alike: dict[str, float],
        weights: list[float],
        total: float,
    ) -> float:
        doc = self._docs[number]
        explained = sum(
            weight * doc.best(sims) for sims, weight in zip(similar, weights, strict=True)
        )
        query_cover = explained / total
        if query_cover == 0:
            return 0.0
        if doc.factor is not None:
            return doc.factor * query_cover
        covered = [alike.get(w, 0.0) for w in doc.words]
        for i, pair in enumerate(doc.pairs):
            hit = alike.get(pair, 0.0)
            covered[i] = max(covered[i], hit)
            covered[i + 1] = max(covered[i + 1], hit)
        word_weights, whole = self._word_weights[number]
        doc_cover = sum(c * w for c, w in zip(covered, word_weights, strict=True)) / whole
        if doc_cover == 0:
            return 0.0
        beta2 = QUERY_WEIGHT**2
        return (1 + beta2) * query_cover * doc_cover / (beta2 * doc_cover + query_cover)

    def match(self, text: str) -> FaqMatch:
        """Answer, suggest up to three, or nothing; NOT_A_QUESTION for greetings and numbers."""
        if not is_question(text):
            return FaqMatch(MatchKind.NOT_A_QUESTION)
        ranked = self.rank(text)
        if not ranked or ranked[0].score < SUGGEST_FLOOR:
            return FaqMatch(MatchKind.NONE)
        top = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top.score >= CONFIDENT and top.score - runner_up >= MARGIN:
            return FaqMatch(MatchKind.ANSWER, (top,))
        return FaqMatch(MatchKind.SUGGEST, tuple(ranked[:SUGGESTIONS]))
