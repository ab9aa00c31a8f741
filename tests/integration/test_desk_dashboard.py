"""The desk's dashboard on a seeded store: the figures agree with the rows counted in Python
(Tehran days, Jalali months), and the charts are well-formed SVG in Persian digits."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.statuses import ApplicationStatus as S
from services.actors import Actor
from services.dashboard import charts, dashboard
from services.errors import NotAllowed
from storage import Store
from storage.dashboard import JalaliMonth, months_up_to
from storage.reports import local_day_start
from tests.catalogues import parsed_catalogue
from tests.integration.conftest import SeededStore, application_rows, store_with_officer

NOW = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)  # 1404/10/20
TODAY = date(2026, 1, 10)
OFFICER = 900_001
ACTOR = Actor("officer", OFFICER)
CATALOGUE = parsed_catalogue()


@pytest.fixture(scope="module")
def seeded(seeded_store: SeededStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dash") / "dash.db"
    shutil.copy(seeded_store(600, now=NOW, seed=7, years=2), path)
    return path


@pytest.fixture
async def store(seeded: Path) -> AsyncIterator[Store]:
    async with store_with_officer(seeded, NOW, OFFICER) as opened:
        yield opened


def test_jalali_months_step_over_the_year() -> None:
    dey = JalaliMonth.of(TODAY)
    assert (dey.year, dey.month) == (1404, 10)
    assert dey.start == date(2025, 12, 22) and dey.end == date(2026, 1, 21)
    twelve = months_up_to(dey, 12)
    assert (twelve[0].year, twelve[0].month) == (1403, 11)
    assert JalaliMonth(1404, 12).next() == JalaliMonth(1405, 1)


async def test_the_figures_are_the_rows_counted(store: Store, seeded: Path) -> None:
    rows = application_rows(seeded)
    board = await dashboard(store, ACTOR, CATALOGUE, today=TODAY)
    for status in S:
        assert board.by_status[status] == sum(r["status"] == status.value for r in rows)
    for figures in (board.this_month, board.last_month, *board.months):
        m = figures.month
        span = (local_day_start(m.start), local_day_start(m.end))
        filed = [r for r in rows if r["status"] != "draft" and span[0] <= r["filed_at"] < span[1]]
        paid = [
            r
            for r in rows
            if r["status"] == "paid" and m.start.isoformat() <= r["paid_on"] < m.end.isoformat()
        ]
        assert figures.filed == len(filed)
        assert figures.paid.count == len(paid)
        assert figures.paid.rials == sum(r["paid_rials"] for r in paid)
    assert board.this_month.month == JalaliMonth(1404, 10)
    assert board.last_month.month == JalaliMonth(1404, 9)
    assert sum(c.filed for c in board.counties) == board.stats.submitted
    assert sum(c.paid.count for c in board.counties) == board.stats.paid_total.count
    assert board.paragraph.startswith("از ابتدای سال ۱۴۰۴")


async def test_the_charts_are_svg_in_persian(store: Store) -> None:
    drawn = charts(await dashboard(store, ACTOR, CATALOGUE, today=TODAY))
    for svg in (drawn.months, drawn.counties):
        root = ET.fromstring(svg)  # well-formed
        assert root.get("direction") == "rtl"
        texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
        assert not any(ch.isascii() and ch.isdigit() for ch in texts)
        assert any("۰" <= ch <= "۹" for ch in texts)
    assert "دی" in drawn.months and "خرم‌آباد" in drawn.counties


async def test_only_an_officer_now_sees_the_dashboard(store: Store) -> None:
    with pytest.raises(NotAllowed):
        await dashboard(store, Actor("officer", 5), CATALOGUE, today=TODAY)
