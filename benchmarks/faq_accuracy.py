"""FAQ matching accuracy on tests/data/faq_phrasings.yaml: questions no entry repeats verbatim.

Prints, and writes to ``benchmarks/results/faq_accuracy.json``: the share of phrasings whose
right entry ranks first (target ≥ 85%) and among the first three, the «Did you mean?» buttons
(target ≥ 95%); what the bot would do with each (answer right, answer wrong, buttons with or
without the right entry, an officer); and, for questions the FAQ cannot answer, how many got an
answer anyway. ``--misses`` lists the phrasings whose right entry was not first.

Run: ``.venv/bin/python -m benchmarks.faq_accuracy [--misses]``.
"""

from __future__ import annotations

import argparse
import json
import platform
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from domain.catalogue import load_catalogue
from domain.faq import FaqBook
from domain.faq_match import SUGGESTIONS, MatchKind

ROOT = Path(__file__).resolve().parent.parent
PHRASINGS = ROOT / "tests" / "data" / "faq_phrasings.yaml"
RESULTS = Path(__file__).resolve().parent / "results" / "faq_accuracy.json"
TARGET_FIRST = 0.85
TARGET_TOP3 = 0.95


@dataclass(frozen=True)
class TestSet:
    """Phrasing → expected entry id, and questions no entry answers."""

    expected: dict[str, str]
    unrelated: list[str]


def load_test_set(path: Path = PHRASINGS) -> TestSet:
    """Read tests/data/faq_phrasings.yaml."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return TestSet(
        expected={str(k): str(v) for k, v in raw["phrasings"].items()},
        unrelated=[str(q) for q in raw.get("unrelated") or []],
    )


def measure(book: FaqBook, tests: TestSet) -> dict[str, Any]:
    """Rank and outcome figures over the test set (pure: no time, no randomness)."""
    first = top3 = 0
    outcomes: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    for phrasing, wanted in tests.expected.items():
        ranked = [s.entry.id for s in book.index.rank(phrasing)]
        if ranked[:1] == [wanted]:
            first += 1
        if wanted in ranked[:SUGGESTIONS]:
            top3 += 1
        match = book.match(phrasing)
        shown = [s.entry.id for s in match.candidates]
        if match.kind is MatchKind.ANSWER:
            outcomes["answered_right" if shown == [wanted] else "answered_wrong"] += 1
        elif match.kind is MatchKind.SUGGEST:
            outcomes["buttons_with_right" if wanted in shown else "buttons_without_right"] += 1
        else:
            outcomes["officer_offered" if match.kind is MatchKind.NONE else "not_a_question"] += 1
        if ranked[:1] != [wanted]:
            misses.append(
                {
                    "phrasing": phrasing,
                    "expected": wanted,
                    "rank": ranked.index(wanted) + 1 if wanted in ranked else None,
                    "top3": ranked[:3],
                    "outcome": match.kind.value,
                }
            )
    unrelated: Counter[str] = Counter(book.match(q).kind.value for q in tests.unrelated)
    total = len(tests.expected)
    return {
        "phrasings": total,
        "entries": len(book.entries),
        "first": round(first / total, 4),
        "top3": round(top3 / total, 4),
        "targets": {"first": TARGET_FIRST, "top3": TARGET_TOP3},
        "meets_targets": first / total >= TARGET_FIRST and top3 / total >= TARGET_TOP3,
        "outcomes": dict(sorted(outcomes.items())),
        "unrelated": {"questions": len(tests.unrelated), **dict(sorted(unrelated.items()))},
        "misses": misses,
    }


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list phrasings not ranked first")
    args = parser.parse_args()
    book = load_catalogue().faq
    result = measure(book, load_test_set())
    print(f"FAQ entries: {result['entries']}, test phrasings: {result['phrasings']}")
    print(f"right entry first:      {_percent(result['first'])} (target ≥ 85%)")
    print(f"right entry in top 3:   {_percent(result['top3'])} (target ≥ 95%)")
    print(f"what the bot does:      {result['outcomes']}")
    print(f"unrelated questions:    {result['unrelated']}")
    if args.misses:
        for miss in result["misses"]:
            print(
                f"  {miss['phrasing']!r}: wanted {miss['expected']} (rank {miss['rank']}), "
                f"got {miss['top3']} → {miss['outcome']}"
            )
    result["machine"] = {"python": platform.python_version(), "system": platform.system()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
