"""`homebiz faq-report [--limit N]`: what the FAQ could not answer, and the answers marked 👎.

For the office: each unanswered question (grouped by its comparable form) with how often it
came, the typed questions whose «Did you mean?» buttons were all passed over, and each entry
whose answer got a 👎 with the questions behind it. The office then adds their words to an
entry's phrasings or keywords in data/faq.yaml, or writes a new entry. The questions are the
citizens' own words: printed here for the office, never logged.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from config.settings import Settings
from domain.catalogue import load_catalogue
from domain.faq import FaqBook, FaqCounts, FaqOutcome
from storage import Store
from storage.faq import DislikedAnswer, UnansweredQuestion
from texts.formatting import format_jalali_date, format_number, to_persian_digits
from texts.i18n import _

FAQ_PATH = "data/faq.yaml"


@dataclass(frozen=True)
class FaqReport:
    """Everything the report prints, read from the store in one go."""

    counts: FaqCounts
    unanswered: list[UnansweredQuestion]
    disliked: list[DislikedAnswer]


async def collect_faq_report(store: Store, limit: int) -> FaqReport:
    """The counts since the start, the unanswered questions and the 👎 answers."""
    return FaqReport(
        counts=await store.faq.counts(),
        unanswered=await store.faq.unanswered(limit),
        disliked=await store.faq.disliked(limit),
    )


def share_line(counts: FaqCounts) -> str:
    """«Questions typed: 120; answered without an officer: 90 (75%)»; also for the stats."""
    share = counts.share_without_officer
    if share is None:
        return _("No questions have been typed yet.")
    return _(
        "Questions typed: {asked}; answered from the FAQ without an officer: {answered} "
        "({percent}%)"
    ).format(
        asked=format_number(counts.asked),
        answered=format_number(counts.answered_without_officer),
        percent=to_persian_digits(round(share * 100)),
    )


def _entry_names(book: FaqBook, ids: tuple[str, ...]) -> str:
    names = [f"{e.question} ({e.id})" if (e := book.entry(i)) else i for i in ids]
    return "، ".join(names)


def render_faq_report(report: FaqReport, book: FaqBook, zone: ZoneInfo) -> str:
    """The report in Persian, one line per question or entry."""
    nothing = _("Nothing here yet.")
    unmatched = [q for q in report.unanswered if q.outcome is FaqOutcome.UNMATCHED]
    passed_over = [q for q in report.unanswered if q.outcome is FaqOutcome.SUGGESTED]
    lines = [
        _("FAQ report: questions the FAQ could not answer, and answers marked 👎"),
        share_line(report.counts),
        "",
        _("Questions with no answer ({count}):").format(count=format_number(len(unmatched))),
    ]
    lines += [
        _("• «{question}» — {count} times, last on {date}").format(
            question=q.example,
            count=format_number(q.count),
            date=format_jalali_date(q.last_asked, zone),
        )
        for q in unmatched
    ] or [nothing]
    lines += [
        "",
        _("Questions whose suggestions were all passed over ({count}):").format(
            count=format_number(len(passed_over))
        ),
    ]
    lines += [
        _("• «{question}» — {count} times; suggested: {entries}").format(
            question=q.example,
            count=format_number(q.count),
            entries=_entry_names(book, q.suggested),
        )
        for q in passed_over
    ] or [nothing]
    lines += [
        "",
        _("Answers marked 👎 ({count}):").format(count=format_number(len(report.disliked))),
    ]
    for answer in report.disliked:
        lines.append(
            _("• {entry}: {down} 👎, {up} 👍").format(
                entry=_entry_names(book, (answer.entry_id,)),
                down=format_number(answer.disliked),
                up=format_number(answer.liked),
            )
        )
        lines += [_("  – «{question}»").format(question=q) for q in answer.questions]
    if not report.disliked:
        lines.append(nothing)
    lines += [
        "",
        _(
            "To answer them: add their words to an entry's {phrasings} or {keywords} in {file}, "
            "or write a new entry, then restart the bot."
        ).format(phrasings="phrasings", keywords="keywords", file=FAQ_PATH),
    ]
    return "\n".join(lines)


async def _collect(settings: Settings, limit: int) -> FaqReport:
    settings.ensure_dirs()
    store = await Store.open(settings.database_path)
    try:
        return await collect_faq_report(store, limit)
    finally:
        await store.close()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `faq-report` on the `homebiz` parser."""
    parser = sub.add_parser(
        "faq-report", help="questions the FAQ could not answer and answers marked 👎"
    )
    parser.add_argument("--limit", type=int, default=50, help="lines per list (default 50)")


def command(args: argparse.Namespace, settings: Settings) -> int:
    """`homebiz faq-report [--limit N]`."""
    book = load_catalogue(settings.catalogue_dir).faq  # a broken faq.yaml is reported first
    report = asyncio.run(_collect(settings, max(args.limit, 1)))
    print(render_faq_report(report, book, settings.zone))
    return 0
