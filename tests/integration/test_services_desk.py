"""What the desk adds to the services, on a real SQLite file: a stale form changes nothing, the
applications list filters, searches, sorts and pages, the dashboard counts months."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desk.pages.applications import read_filters
from domain.statuses import ApplicationStatus as S
from services import lifecycle
from services.actors import Actor
from services.application_list import ApplicationFilter, list_applications
from services.dashboard import dashboard
from services.errors import NotAllowed
from services.lifecycle import StatusChanged
from storage import Store
from tests.catalogues import parsed_catalogue
from tests.integration.services_seed import (
    NO_QUIET,
    OFFICER,
    RENDER,
    counts,
    open_store,
    submitted,
)

ZONE = ZoneInfo("Asia/Tehran")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(tmp_path) as opened:
        yield opened


async def test_a_move_from_a_status_that_changed_meanwhile_writes_nothing(store: Store) -> None:
    app, _citizen = await submitted(store)
    await lifecycle.change_status(
        store,
        OFFICER,
        app.id,
        S.UNDER_REVIEW,
        render=RENDER,
        quiet_hours=NO_QUIET,
        expected=S.SUBMITTED,
    )
    before = await counts(store)
    # Another officer's form, opened while it was still submitted.
    with pytest.raises(StatusChanged) as caught:
        await lifecycle.change_status(
            store,
            OFFICER,
            app.id,
            S.REJECTED,
            "ناقص",
            render=RENDER,
            quiet_hours=NO_QUIET,
            expected=S.SUBMITTED,
        )
    assert caught.value.current is S.UNDER_REVIEW
    with pytest.raises(StatusChanged):
        await lifecycle.request_correction(
            store, OFFICER, app.id, ["photo"], "تار", render=RENDER, expected=S.SUBMITTED
        )
    assert await counts(store) == before


async def test_the_list_filters_searches_sorts_and_pages(store: Store) -> None:
    catalogue = parsed_catalogue()
    apps = [(await submitted(store))[0] for _ in range(3)]
    first, second, third = apps
    await store.applications.update_fields(first.id, full_name="مریم احمدی", county="khorramabad")
    await store.applications.update_fields(second.id, full_name="زهرا رضایی", county="borujerd")
    await store.applications.update_fields(third.id, full_name="سارا کریمی", county="borujerd")
    await lifecycle.change_status(
        store, OFFICER, third.id, S.UNDER_REVIEW, render=RENDER, quiet_hours=NO_QUIET
    )

    async def ids(**params: str) -> list[int]:
        # As the desk's page reads its query string.
        filters, _raw = read_filters(params, catalogue)
        result = await list_applications(store, OFFICER, catalogue, filters, tz=ZONE)
        return [app.id for app in result.rows]

    assert await ids() == [third.id, second.id, first.id]  # newest filed first
    assert await ids(sort="name", order="asc") == [second.id, third.id, first.id]
    assert await ids(county="borujerd") == [third.id, second.id]
    assert await ids(status="under_review") == [third.id]
    assert await ids(q="رضایی") == [second.id]
    assert second.tracking_code is not None
    assert await ids(q=second.tracking_code) == [second.id]
    # Unknown values filter nothing away and break nothing.
    assert await ids(status="'; DROP TABLE applications; --", county="nowhere", sort="evil") == [
        third.id,
        second.id,
        first.id,
    ]
    with pytest.raises(NotAllowed):
        await list_applications(
            store, Actor("officer", 4242), catalogue, ApplicationFilter(), tz=ZONE
        )


async def test_the_dashboard_counts_this_month(store: Store) -> None:
    await submitted(store)
    figures = await dashboard(store, OFFICER, parsed_catalogue(), tz=ZONE)
    assert figures.this_month.filed == 1
    assert figures.months[-1] == figures.this_month
    assert figures.stats.by_status == {"submitted": 1}
    assert figures.by_status[S.SUBMITTED] == 1
