"""The year's statistics read indexes and tallies, and give the figures the old full scans gave.

The oracle is the old ``collect_stats`` (its queries kept here as they were), run on the same
seeded store after the bot's own writes have moved applications about.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.catalogue import Catalogue
from domain.lifecycle import ActorKind, EventKind, allowed_transitions
from domain.stats import LoanTotals, jalali_year_bounds
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from storage import Store
from storage.reports import collect_stats, local_day_start
from storage.status_changes import change_status, record_permit
from tests.catalogues import parsed_catalogue
from tests.clock import FakeClock
from tests.integration.conftest import SeededStore
from tests.integration.scale_seed import COUNTIES, SCALE_APPLICATIONS, SCALE_NOW
from texts.notifications import make_renderer

NOW = SCALE_NOW
OFFICER = "officer:900001"
RENDER = make_renderer()
YEARS = (1340, 1401, 1402, 1403, 1404, 1405, 1510)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


@pytest.fixture(scope="module")
def seeded(seeded_store: SeededStore) -> Path:
    return seeded_store(SCALE_APPLICATIONS, now=NOW)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def store(seeded: Path, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    path = tmp_path / "homebiz.db"
    shutil.copy(seeded, path)
    opened = await Store.open(path, clock=clock)
    yield opened
    await opened.close()


# --- the oracle: the old statistics, four full scans and two scans of the events ---------------


async def old_figures(store: Store, year: int) -> dict[str, object]:
    start, end = jalali_year_bounds(year)
    span = (local_day_start(start), local_day_start(end))
    filed = "COALESCE(submitted_at, created_at)"
    where = f"status != 'draft' AND {filed} >= ? AND {filed} < ?"
    figures: dict[str, object] = {}
    async with store.db.read() as c:

        async def rows(sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
            async with c.execute(sql, params) as cur:
                return [tuple(r) for r in await cur.fetchall()]

        figures["drafts"] = (
            await rows(
                "SELECT COUNT(*) FROM applications WHERE status = 'draft'"
                " AND created_at >= ? AND created_at < ?",
                span,
            )
        )[0][0]
        for column in ("status", "county", "activity_code", "plan_type"):
            grouped = await rows(
                f"SELECT COALESCE({column}, ''), COUNT(*) FROM applications WHERE {where}"
                " GROUP BY 1",
                span,
            )
            figures[column] = Counter({str(k): int(str(n)) for k, n in grouped})
        figures["introduced"] = {
            str(p): LoanTotals(count=int(str(n)), rials=int(str(r)))
            for p, n, r in await rows(
                "SELECT plan_type, COUNT(*), COALESCE(SUM(requested_rials), 0) FROM applications"
                " WHERE id IN (SELECT application_id FROM status_events"
                "   WHERE to_status = 'introduced_to_bank'"
                "   AND (from_status IS NULL OR from_status != to_status)"
                "   AND created_at >= ? AND created_at < ?)"
                " GROUP BY plan_type",
                span,
            )
        }
        figures["paid"] = {
            str(p): LoanTotals(count=int(str(n)), rials=int(str(r)))
            for p, n, r in await rows(
                "SELECT plan_type, COUNT(*), COALESCE(SUM(paid_rials), 0) FROM applications"
                " WHERE status = 'paid' AND paid_on >= ? AND paid_on < ? GROUP BY plan_type",
                (start.isoformat(), end.isoformat()),
            )
        }
        figures["permits"] = (
            await rows(
                "SELECT COUNT(DISTINCT application_id) FROM status_events"
                " WHERE json_extract(details_json, '$.event') = ?"
                " AND created_at >= ? AND created_at < ?",
                (EventKind.PERMIT_ISSUED.value, *span),
            )
        )[0][0]
    return figures


async def assert_same_figures(store: Store, catalogue: Catalogue, year: int) -> None:
    old = await old_figures(store, year)
    new = await collect_stats(store, year=year, today=date(2026, 1, 10), catalogue=catalogue)
    status = old["status"]
    assert isinstance(status, Counter)
    assert new.drafts == old["drafts"], year
    assert new.submitted == sum(status.values()), year
    assert new.by_status == {s: n for s, n in status.items() if n}, year
    assert {t.code: t.count for t in new.by_county} == old["county"], year
    assert new.by_plan_type == dict(old["plan_type"]), year  # type: ignore[call-overload]
    activity = old["activity_code"]
    assert isinstance(activity, Counter)
    groups: Counter[str] = Counter()
    for code, n in activity.items():
        found = catalogue.activity(code)
        groups[found.group if found else ""] += n
    assert {t.code: t.count for t in new.by_group} == groups, year
    assert new.introduced == old["introduced"], year
    assert new.paid == old["paid"], year
    assert new.permits_issued == old["permits"], year


async def _move_things_about(store: Store, clock: FakeClock, rounds: int = 400) -> None:
    """What the bot does day by day: drafts filed, moves, edits, permits, across a year end."""
    rng = random.Random(7)
    async with store.db.read() as c, c.execute("SELECT id FROM applications") as cur:
        ids = [int(r[0]) for r in await cur.fetchall()]
    for n in range(rounds):
        clock.now = datetime(2026, 3, 15, 12, tzinfo=UTC) + timedelta(hours=n * 0.7)  # Nowruz
        app = await store.applications.get(rng.choice(ids))
        assert app is not None
        if app.status is S.DRAFT:
            await change_status(store, app.id, S.SUBMITTED, actor=f"citizen:{app.citizen_id}")
            continue
        choice = rng.random()
        if choice < 0.2:
            await store.applications.update_fields(
                app.id,
                county=rng.choice([*COUNTIES, None]),
                activity_code=rng.choice(["kilim", None]),
            )
        elif choice < 0.3 and app.status in (S.APPROVED, S.INTRODUCED_TO_BANK, S.PAID):
            await record_permit(
                store, app.id, str(rng.randrange(1000, 9999)), OFFICER, render=RENDER
            )
        else:
            moves = [s for s in allowed_transitions(app.status, ActorKind.OFFICER)]
            if not moves:
                continue
            to = rng.choice(moves)
            details: dict[str, object] | None = None
            if to is S.INTRODUCED_TO_BANK:
                details = {"bank": "ملت", "branch": "مرکزی"}
            elif to is S.PAID:
                details = {"amount_rials": 10_000_000, "paid_on": clock.now.date().isoformat()}
            elif to is S.NEEDS_CORRECTION:
                details = {"documents": ["photo"]}
            reason = "بررسی" if to in (S.REJECTED, S.NEEDS_CORRECTION) else None
            await change_status(
                store, app.id, to, OFFICER, reason=reason, details=details, render=RENDER
            )
    for user in range(5):  # new drafts, two of them filed
        citizen = await store.citizens.get_or_create("telegram", 7_000 + user, 7_000 + user)
        draft = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
        if user < 2:
            await change_status(store, draft.id, S.SUBMITTED, actor=f"citizen:{citizen.id}")


async def test_same_figures_as_the_full_scans(
    store: Store, catalogue: Catalogue, clock: FakeClock
) -> None:
    for year in YEARS:
        await assert_same_figures(store, catalogue, year)
    await _move_things_about(store, clock)
    for year in YEARS:
        await assert_same_figures(store, catalogue, year)
    stats = await collect_stats(store, year=1404, today=date(2026, 1, 10), catalogue=catalogue)
    assert stats.submitted > 500 and stats.paid_total.count > 100 and stats.permits_issued > 10


async def test_a_year_the_tallies_cannot_answer_is_counted_from_the_index(
    store: Store, catalogue: Catalogue
) -> None:
    """If the time zone rules ever move a year's start, the stored bounds no longer match."""
    async with store.db.transaction() as c:
        await c.execute(
            "UPDATE jalali_years SET starts_at = '2025-03-20T19:30:00.000000+00:00'"
            " WHERE year = 1404"
        )
    for year in (1403, 1404):
        await assert_same_figures(store, catalogue, year)


async def test_the_stored_years_begin_where_the_code_says(store: Store) -> None:
    async with store.db.read() as c, c.execute("SELECT year, starts_at FROM jalali_years") as cur:
        stored = {int(r[0]): str(r[1]) for r in await cur.fetchall()}
    assert min(stored) <= 1380 and max(stored) >= 1500
    for year, starts_at in stored.items():
        assert starts_at == local_day_start(jalali_year_bounds(year)[0]), year


async def test_every_figure_is_read_from_an_index(store: Store, catalogue: Catalogue) -> None:
    statements: list[str] = []
    reader = store.db._reader
    assert reader is not None
    await reader.set_trace_callback(statements.append)
    try:
        await collect_stats(store, year=1404, today=date(2026, 1, 10), catalogue=catalogue)
    finally:
        await reader.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().startswith("SELECT")]
    assert len(selects) >= 6
    async with store.db.read() as c:
        for sql in selects:
            async with c.execute(f"EXPLAIN QUERY PLAN {sql}") as cur:
                plan = [str(row[3]) for row in await cur.fetchall()]
            assert not any(line.startswith("SCAN") for line in plan), (sql, plan)
