"""Exhibitions, booth requests, subscriptions and broadcasts on a real SQLite file."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.exhibitions import (
    BoothStatus,
    BroadcastFilter,
    ExhibitionDraft,
    ExhibitionKind,
    ExhibitionStatus,
    Subscription,
)
from domain.statuses import ApplicationStatus, PlanType
from storage import Store
from storage.exhibitions import DuplicateBoothRequest, DuplicateExhibition
from tests.catalogues import parsed_catalogue
from tests.conftest import migrated


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(migrated(tmp_path / "bot.sqlite3"))
    yield opened
    await opened.close()


def _draft(**changes: object) -> ExhibitionDraft:
    values: dict[str, object] = {
        "title": "نمایشگاه یلدا",
        "kind": ExhibitionKind.SEASONAL,
        "county": "khorramabad",
        "venue": "سالن شهدا",
        "starts_on": date(2030, 12, 18),
        "ends_on": date(2030, 12, 22),
        "booth_deadline": date(2030, 12, 10),
    }
    values.update(changes)
    return ExhibitionDraft.model_validate(values)


async def _citizens(store: Store, count: int, start: int = 1) -> list[int]:
    ids = []
    async with store.db.transaction() as c:  # one commit (one fsync) for all of them
        for user_id in range(start, start + count):
            citizen = await store.citizens.get_or_create("telegram", user_id, user_id, conn=c)
            ids.append(citizen.id)
    return ids


async def test_exhibition_create_edit_cancel_and_upcoming(store: Store) -> None:
    created = await store.exhibitions.create(_draft(), "officer:1")
    assert created.status is ExhibitionStatus.ACTIVE
    with pytest.raises(DuplicateExhibition):
        await store.exhibitions.create(_draft(), "officer:1")
    edited = await store.exhibitions.update(created.id, _draft(venue="پارک ملت"))
    assert edited.venue == "پارک ملت"
    virtual = await store.exhibitions.create(
        _draft(title="بازارچهٔ مجازی", kind=ExhibitionKind.VIRTUAL, county=None), "officer:1"
    )
    assert [e.id for e in await store.exhibitions.upcoming(date(2030, 1, 1))] == [
        created.id,
        virtual.id,
    ]
    await store.exhibitions.set_status(created.id, ExhibitionStatus.CANCELLED)
    assert [e.id for e in await store.exhibitions.upcoming(date(2030, 1, 1))] == [virtual.id]
    assert await store.exhibitions.upcoming(date(2031, 1, 1)) == []


async def test_booth_request_once_and_decided_once(store: Store) -> None:
    exhibition = await store.exhibitions.create(_draft(), "officer:1")
    (citizen,) = await _citizens(store, 1)
    assert not await store.exhibitions.has_application(citizen)
    app = await store.applications.create_draft(citizen, PlanType.INDEPENDENT)
    assert not await store.exhibitions.has_application(citizen)
    await store.applications.set_status(app.id, ApplicationStatus.SUBMITTED)
    assert await store.exhibitions.has_application(citizen)

    request = await store.exhibitions.request_booth(exhibition.id, citizen)
    with pytest.raises(DuplicateBoothRequest):
        await store.exhibitions.request_booth(exhibition.id, citizen)
    assert await store.exhibitions.count_booths() == 1
    decided = await store.exhibitions.decide_booth(request.id, BoothStatus.APPROVED, "officer:1")
    assert decided is not None and decided.status is BoothStatus.APPROVED
    assert (
        await store.exhibitions.decide_booth(request.id, BoothStatus.DECLINED, "officer:2") is None
    )


async def test_subscription_matching_agrees_with_the_domain(store: Store) -> None:
    ids = await _citizens(store, 6)
    choices = [
        (("khorramabad",), ()),
        (("borujerd",), ("handicrafts",)),
        ((), ("handicrafts",)),
        ((), ()),
        (("khorramabad", "borujerd"), ("livestock",)),
    ]
    for citizen, (counties, groups) in zip(ids, choices, strict=False):
        await store.subscriptions.replace(citizen, counties, groups)
    await store.subscriptions.set_active(ids[5], False)
    await store.subscriptions.replace(ids[3], (), (), active=False)
    await store.subscriptions.set_active(ids[3], True)
    subs = [await store.subscriptions.get(c) for c in ids]
    for county, group in itertools.product(
        (None, "khorramabad", "borujerd", "azna"), (None, "handicrafts", "livestock")
    ):
        flt = BroadcastFilter(county=county, group=group)
        expected = sum(flt.matches(s) for s in subs)
        assert await store.subscriptions.count_matching(flt) == expected, (county, group)


async def test_toggle_and_all(store: Store) -> None:
    (citizen,) = await _citizens(store, 1)
    assert await store.subscriptions.get(citizen) == Subscription(citizen_id=citizen)
    sub = await store.subscriptions.toggle(citizen, "county", "azna")
    assert sub.active and sub.counties == ("azna",)
    sub = await store.subscriptions.toggle(citizen, "county", "azna")
    assert sub.counties == ()
    await store.subscriptions.toggle(citizen, "group", "fisheries")
    sub = await store.subscriptions.choose_all(citizen, "group")
    assert sub.groups == ()


async def test_broadcast_enqueues_in_batches_and_resumes_without_doubles(store: Store) -> None:
    ids = await _citizens(store, 250)
    async with store.db.transaction() as c:
        for citizen in ids:
            await store.subscriptions.replace(citizen, (), (), conn=c)
    broadcast = await store.broadcasts.create("officer:1", "سلام", BroadcastFilter())
    now = datetime.now(UTC)
    assert (
        await store.broadcasts.enqueue_batch(
            broadcast, reply_markup=None, not_before=now, batch_size=100
        )
        == 100
    )
    # A crash here: the next run starts from the stored resume point.
    again = await store.broadcasts.get(broadcast.id)
    assert again is not None and again.enqueued_upto == ids[99] and not again.enqueue_done
    counts = [
        await store.broadcasts.enqueue_batch(
            again, reply_markup=None, not_before=now, batch_size=100
        )
        for _ in range(3)
    ]
    assert counts == [100, 50, 0]
    done = await store.broadcasts.get(broadcast.id)
    assert done is not None and done.enqueue_done and done.total == 250
    progress = await store.broadcasts.progress(broadcast.id)
    assert progress.total == 250 and progress.settled == 0
    assert await store.broadcasts.finish(broadcast.id, report_chat_id=7, report_text="گزارش")
    assert not await store.broadcasts.finish(broadcast.id, report_chat_id=7, report_text="گزارش")
    assert await store.broadcasts.running() == []
    report = await store.outbox.get_by_dedupe_key(f"broadcast_report:{broadcast.id}")
    assert report is not None and report.urgent


async def test_import_is_all_or_nothing(store: Store, tmp_path: Path) -> None:
    from services.imports.exhibitions import import_exhibitions, render_result

    catalogue = parsed_catalogue()
    good = tmp_path / "good.csv"
    good.write_text(
        "عنوان,نوع,شهرستان,محل برگزاری,تاریخ شروع,تاریخ پایان,مهلت درخواست غرفه\n"
        "بازارچهٔ یلدا,فصلی,خرم‌آباد,سالن شهدا,۱۴۰۹/۰۹/۲۷,۱۴۰۹/۰۹/۳۰,۱۴۰۹/۰۹/۲۰\n"
        "بازار مجازی,virtual,,,2031-01-05,2031-01-20,\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "title,kind,county,start,end\n"
        "Autumn fair,seasonal,borujerd,2031-10-01,2031-10-05\n"
        "x market,weekly,borujerd,2031-10-01,2031-10-05\n"
        "Spring fair,seasonal,atlantis,2031-03-01,2031-03-05\n"
        "Late fair,permanent,azna,2031-03-09,2031-03-01\n",
        encoding="utf-8",
    )
    result = await import_exhibitions(store, catalogue, bad)
    assert [row for row, _ in result.problems] == [3, 4, 5]
    assert "سطر ۴" in render_result(result)
    assert await store.exhibitions.upcoming(date(2030, 1, 1)) == []  # nothing stored

    result = await import_exhibitions(store, catalogue, good)
    assert result.ok and result.created == 2
    stored = await store.exhibitions.upcoming(date(2030, 1, 1))
    assert [(e.county, e.starts_on) for e in stored] == [
        ("khorramabad", date(2030, 12, 18)),
        (None, date(2031, 1, 5)),
    ]
    again = await import_exhibitions(store, catalogue, good)
    assert not again.ok and len(await store.exhibitions.upcoming(date(2030, 1, 1))) == 2
