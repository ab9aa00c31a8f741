"""FAQ questions and votes on a real SQLite file: the office's report and the stats counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.faq import FaqOutcome
from storage import Store
from tests.clock import FakeClock
from tests.conftest import migrated


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 8, 30, tzinfo=UTC))


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(migrated(tmp_path / "data" / "bot.sqlite3"), clock=clock)
    yield opened
    await opened.close()


async def _citizen(store: Store, user_id: int) -> int:
    return (await store.citizens.get_or_create("telegram", user_id, user_id)).id


async def test_a_question_is_stored_picked_and_voted(store: Store) -> None:
    citizen = await _citizen(store, 1)
    row = await store.faq.record(
        citizen,
        FaqOutcome.SUGGESTED,
        text="بیمه",
        normalized="بیمه",
        suggested=("insurance", "insurance_and_loan"),
    )
    await store.faq.pick(row, "insurance")
    await store.faq.vote(row, helpful=False)
    stored = await store.faq.get(row)
    assert stored is not None
    assert (stored.outcome, stored.entry_id, stored.helpful) == (
        FaqOutcome.PICKED,
        "insurance",
        False,
    )
    assert stored.suggested == ("insurance", "insurance_and_loan")
    assert stored.text == "بیمه" and stored.citizen_id == citizen


async def test_unanswered_questions_are_grouped_and_counted(store: Store, clock: FakeClock) -> None:
    citizen = await _citizen(store, 2)
    for text in ("وام ازدواج؟", "وام ازدواج", "وام  ازدواج!!"):
        await store.faq.record(citizen, FaqOutcome.UNMATCHED, text=text, normalized="وام ازدواج")
        clock.advance(minutes=1)
    await store.faq.record(citizen, FaqOutcome.UNMATCHED, text="یارانه", normalized="یارانه")
    await store.faq.record(
        citizen, FaqOutcome.SUGGESTED, text="بیمه", normalized="بیمه", suggested=("insurance",)
    )
    await store.faq.record(
        citizen, FaqOutcome.ANSWERED, text="ضامن؟", normalized="ضامن", entry_id="guarantor"
    )
    found = await store.faq.unanswered()
    assert [(q.example, q.count, q.outcome) for q in found] == [
        ("وام  ازدواج!!", 3, FaqOutcome.UNMATCHED),  # the latest wording of the three
        ("بیمه", 1, FaqOutcome.SUGGESTED),
        ("یارانه", 1, FaqOutcome.UNMATCHED),
    ]
    assert found[1].suggested == ("insurance",)


async def test_disliked_answers_list_their_questions(store: Store) -> None:
    citizen = await _citizen(store, 3)
    for text, helpful in (("ضامن؟", False), ("وثیقه", False), ("ضامن لازمه", True)):
        row = await store.faq.record(
            citizen, FaqOutcome.ANSWERED, text=text, normalized=text, entry_id="guarantor"
        )
        await store.faq.vote(row, helpful=helpful)
    browsed = await store.faq.record(citizen, FaqOutcome.BROWSED, entry_id="guarantor")
    await store.faq.vote(browsed, helpful=False)
    liked = await store.faq.record(citizen, FaqOutcome.ANSWERED, text="سود", entry_id="interest")
    await store.faq.vote(liked, helpful=True)
    (disliked,) = await store.faq.disliked()
    assert (disliked.entry_id, disliked.disliked, disliked.liked) == ("guarantor", 3, 1)
    assert set(disliked.questions) == {"ضامن؟", "وثیقه"}  # browsing has no question text


async def test_counts_give_the_share_answered_without_an_officer(
    store: Store, clock: FakeClock
) -> None:
    citizen = await _citizen(store, 4)
    await store.faq.record(citizen, FaqOutcome.UNMATCHED, text="قدیمی", normalized="قدیمی")
    clock.advance(days=2)
    since = clock.now
    for outcome in (FaqOutcome.ANSWERED, FaqOutcome.ANSWERED, FaqOutcome.ANSWERED):
        await store.faq.record(citizen, outcome, text="ضامن", entry_id="guarantor")
    disliked = await store.faq.record(citizen, FaqOutcome.ANSWERED, text="سود", entry_id="x")
    await store.faq.vote(disliked, helpful=False)
    await store.faq.record(citizen, FaqOutcome.PICKED, text="بیمه", entry_id="insurance")
    await store.faq.record(citizen, FaqOutcome.SUGGESTED, text="کار", normalized="کار")
    await store.faq.record(citizen, FaqOutcome.UNMATCHED, text="دلار", normalized="دلار")
    await store.faq.record(citizen, FaqOutcome.BROWSED, entry_id="insurance")
    counts = await store.faq.counts(since=since)
    assert (counts.answered, counts.picked, counts.suggested, counts.unmatched) == (4, 1, 1, 1)
    assert (counts.disliked, counts.browsed, counts.asked) == (1, 1, 7)
    assert counts.answered_without_officer == 4
    assert counts.share_without_officer == pytest.approx(4 / 7)
    everything = await store.faq.counts()
    assert everything.unmatched == 2
    assert (await store.faq.counts(until=since)).asked == 1


def test_faq_report_lists_unanswered_and_disliked_with_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`homebiz faq-report` as the office runs it: Persian, with counts and the entries' ids."""
    from bot.cli import main

    data_dir = tmp_path / "data"
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    async def seed() -> None:
        store = await Store.open(data_dir / "homebiz.db")
        try:
            citizen = await _citizen(store, 5)
            for _ in range(3):
                await store.faq.record(
                    citizen, FaqOutcome.UNMATCHED, text="وام ازدواج؟", normalized="وام ازدواج"
                )
            await store.faq.record(
                citizen,
                FaqOutcome.SUGGESTED,
                text="بیمه",
                normalized="بیمه",
                suggested=("insurance", "insurance_and_loan"),
            )
            for helpful in (False, False, True):
                row = await store.faq.record(
                    citizen, FaqOutcome.ANSWERED, text="ضامن؟", entry_id="guarantor"
                )
                await store.faq.vote(row, helpful=helpful)
        finally:
            await store.close()

    assert main(["faq-report"]) == 0  # an empty store: nothing to list, no error
    assert "هنوز پرسشی نوشته نشده است." in capsys.readouterr().out

    asyncio.run(seed())
    assert main(["faq-report"]) == 0
    out = capsys.readouterr().out
    assert "• «وام ازدواج؟» — ۳ بار، آخرین بار" in out
    assert "• «بیمه» — ۱ بار؛ پیشنهادها: آیا صاحبان مشاغل خانگی بیمه می‌شوند؟ (insurance)" in out
    assert "• برای وام ضامن یا وثیقه لازم است؟ (guarantor): ۲ 👎، ۱ 👍" in out
    assert "  – «ضامن؟»" in out
    # 7 typed, 3 answered of which 2 marked 👎: one answered without an officer.
    assert "پرسش‌های نوشته‌شده: ۷؛ پاسخ‌داده‌شده از پرسش‌های پرتکرار بدون کارشناس: ۱ (۱۴٪)" in out


def test_stats_add_the_faq_share_answered_without_an_officer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`homebiz stats` ends with the year's FAQ share (the same counts as the report)."""
    from bot.cli import main

    data_dir = tmp_path / "data"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    async def seed() -> None:
        store = await Store.open(data_dir / "homebiz.db")
        try:
            citizen = await _citizen(store, 6)
            await store.faq.record(citizen, FaqOutcome.ANSWERED, text="ضامن", entry_id="guarantor")
            await store.faq.record(citizen, FaqOutcome.UNMATCHED, text="دلار", normalized="دلار")
        finally:
            await store.close()

    asyncio.run(seed())
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(
        "پرسش‌های نوشته‌شده: ۲؛ پاسخ‌داده‌شده از پرسش‌های پرتکرار بدون کارشناس: ۱ (۵۰٪)"
    )
