"""The desk's applications list on a seeded store: every filter, sort and page agrees with the
same selection made in Python over all rows; the free search; the officer check; the plans."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from services.actors import Actor
from services.application_list import (
    ApplicationFilter,
    ListSort,
    list_applications,
    search_term,
    to_query,
)
from services.errors import NotAllowed
from storage import Store
from storage.application_list import explain
from storage.reports import local_day_start
from tests.catalogues import parsed_catalogue
from tests.integration.conftest import SeededStore, application_rows, store_with_officer
from tests.integration.scale_seed import national_code_for, phone_for

NOW = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
OFFICER = 900_001
APPLICATIONS = 700
CATALOGUE = parsed_catalogue()

# The Persian alphabet's order of the letters Unicode puts elsewhere.
PERSIAN_ORDER = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def persian_key(name: str | None) -> tuple[int, ...]:
    folded = (name or "").replace("\u200c", "").replace("ي", "ی").replace("ك", "ک")
    # Anything else (a space) before every letter, as in the stored key's code point order.
    return tuple(
        PERSIAN_ORDER.index(ch) if ch in PERSIAN_ORDER else ord(ch) - 10**6 for ch in folded
    )


@pytest.fixture(scope="module")
def seeded(seeded_store: SeededStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("desk") / "desk.db"
    shutil.copy(seeded_store(APPLICATIONS, now=NOW, seed=12), path)
    return path


@pytest.fixture
async def store(seeded: Path) -> AsyncIterator[Store]:
    async with store_with_officer(seeded, NOW, OFFICER) as opened:
        yield opened


ACTOR = Actor("officer", OFFICER)


async def every_page(store: Store, filters: ApplicationFilter) -> tuple[list[int], int]:
    """The ids of every page in turn, and the total the first page gave."""
    first = await list_applications(store, ACTOR, CATALOGUE, filters)
    ids = [r.id for r in first.rows]
    for number in range(2, first.pages + 1):
        page = await list_applications(
            store, ACTOR, CATALOGUE, filters.model_copy(update={"page": number})
        )
        assert page.total == first.total and page.page == number
        ids += [r.id for r in page.rows]
    return ids, first.total


def expected(
    rows: list[dict[str, Any]],
    keep: Callable[[dict[str, Any]], bool],
    key: Callable[[dict[str, Any]], Any],
    descending: bool,
) -> list[int]:
    chosen = [r for r in rows if r["status"] != "draft" and keep(r)]
    chosen.sort(key=lambda r: (key(r), r["id"]), reverse=descending)
    return [r["id"] for r in chosen]


def nullable(value: Any) -> tuple[bool, Any]:
    return (value is not None, value if value is not None else "")


async def test_filters_sorts_and_pages_agree_with_python(store: Store, seeded: Path) -> None:
    rows = application_rows(seeded)
    crafts = {a.code for a in CATALOGUE.activities_in("handicrafts")}
    start = local_day_start(date(2025, 3, 21))
    end = local_day_start(date(2025, 9, 23))
    rank = {s.value: n for n, s in enumerate(S)}
    cases: list[tuple[ApplicationFilter, Callable[[dict[str, Any]], bool], Any]] = [
        (ApplicationFilter(per_page=37), lambda r: True, lambda r: r["filed_at"]),
        (
            ApplicationFilter(statuses=(S.PAID, S.REJECTED), descending=False, per_page=20),
            lambda r: r["status"] in ("paid", "rejected"),
            lambda r: r["filed_at"],
        ),
        (
            ApplicationFilter(county="khorramabad", sort=ListSort.NAME, descending=False),
            lambda r: r["county"] == "khorramabad",
            lambda r: persian_key(r["full_name"]),
        ),
        (
            ApplicationFilter(activity_group="handicrafts", sort=ListSort.STATUS, per_page=9),
            lambda r: r["activity_code"] in crafts,
            lambda r: rank[r["status"]],
        ),
        (
            ApplicationFilter(
                plan_type=PlanType.SUPPORTING,
                from_date=date(2025, 3, 21),
                to_date=date(2025, 9, 22),
                sort=ListSort.AMOUNT,
            ),
            lambda r: r["plan_type"] == "supporting" and start <= r["filed_at"] < end,
            lambda r: nullable(r["requested_rials"]),
        ),
        (
            ApplicationFilter(sort=ListSort.COUNTY, descending=False, per_page=100),
            lambda r: True,
            lambda r: nullable(r["county"]),
        ),
        (
            ApplicationFilter(sort=ListSort.UPDATED, per_page=60),
            lambda r: True,
            lambda r: r["updated_at"],
        ),
    ]
    for filters, keep, key in cases:
        want = expected(rows, keep, key, filters.descending)
        got, total = await every_page(store, filters)
        assert total == len(want), filters
        assert got == want, filters


async def test_names_sort_in_persian_alphabetical_order(store: Store) -> None:
    page = await list_applications(
        store,
        ACTOR,
        CATALOGUE,
        ApplicationFilter(sort=ListSort.NAME, descending=False, per_page=200),
    )
    names = [r.full_name for r in page.rows]
    assert names == sorted(names, key=persian_key)
    assert len({n[0] for n in names if n}) > 3  # several first letters, پ and ک among them


async def test_a_free_search_finds_by_every_kind(store: Store, seeded: Path) -> None:
    rows = {r["id"]: r for r in application_rows(seeded) if r["status"] != "draft"}
    one = next(r for r in rows.values() if r["tracking_code"])
    by = {
        "tracking": one["tracking_code"],
        "national": national_code_for(one["citizen_id"] - 1),
        "phone": "0" + phone_for(one["citizen_id"] - 1).removeprefix("+98"),
    }
    assert one["national_code"] == by["national"]
    for kind, typed in by.items():
        page = await list_applications(
            store,
            ACTOR,
            CATALOGUE,
            ApplicationFilter(search=typed.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))),
        )
        assert [r.id for r in page.rows] == [one["id"]], kind
    surname = one["full_name"].split(" ")[-1]
    page = await list_applications(
        store, ACTOR, CATALOGUE, ApplicationFilter(search=surname, per_page=200)
    )
    assert one["id"] in [r.id for r in page.rows]
    assert all(surname in (r.full_name or "") for r in page.rows)
    # A search narrows the other filters, it does not replace them.
    other = S.PAID if one["status"] != "paid" else S.REJECTED
    none = await list_applications(
        store, ACTOR, CATALOGUE, ApplicationFilter(search=one["tracking_code"], statuses=(other,))
    )
    assert none.total == 0 and none.rows == []


def test_a_typed_search_is_read_every_way_it_may_be_meant() -> None:
    term = search_term("۰۹۱۲ ۳۴۵ ۶۷۸۹")
    assert term.phone == "+989123456789" and term.name is None
    assert search_term("مریم احمدی").name == "مریم احمدی"
    assert search_term("x").empty  # one letter: nothing is searched, nothing listed


async def test_a_page_past_the_end_is_the_last_page(store: Store) -> None:
    page = await list_applications(store, ACTOR, CATALOGUE, ApplicationFilter(page=10_000))
    assert page.page == page.pages and page.rows
    assert not page.has_next and page.has_previous


async def test_only_an_officer_now_reads_the_list(store: Store) -> None:
    for actor in (Actor("officer", 123), Actor("citizen", 1), Actor("system", 0)):
        with pytest.raises(NotAllowed):
            await list_applications(store, actor, CATALOGUE, ApplicationFilter())


async def test_no_filter_or_sort_reads_the_whole_table(store: Store) -> None:
    filters = [
        ApplicationFilter(),
        ApplicationFilter(county="borujerd"),
        ApplicationFilter(county="borujerd", sort=ListSort.NAME),
        ApplicationFilter(activity_group="handicrafts", plan_type=PlanType.INDEPENDENT),
        ApplicationFilter(from_date=date(2025, 1, 1), to_date=date(2025, 6, 1)),
        ApplicationFilter(sort=ListSort.STATUS),
        ApplicationFilter(statuses=(S.SUBMITTED,)),
        ApplicationFilter(search="مریم"),
    ]
    for f in filters:
        plans = await explain(store, to_query(f, CATALOGUE))
        assert not any(p == "SCAN applications" for p in plans), (f, plans)
