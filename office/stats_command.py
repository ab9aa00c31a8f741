"""`homebiz stats [--year 1404] [--chart FILE.png]`: the year's figures and the seed paragraph."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime, time
from pathlib import Path

from config.settings import Settings
from domain.catalogue import load_catalogue
from domain.faq import FaqCounts
from domain.stats import Stats
from domain.tickets import TicketStats
from services import statistics, tickets
from services.actors import Actor
from storage import Store

OFFICE = Actor("system", "homebiz")  # the office's shell: whoever runs it holds the store


async def _collect(
    args: argparse.Namespace, settings: Settings
) -> tuple[Stats, FaqCounts, TicketStats]:
    catalogue = load_catalogue(settings.catalogue_dir)
    settings.ensure_dirs()
    store = await Store.open(settings.database_path)
    try:
        stats = await statistics.year_figures(
            store, OFFICE, tz=settings.zone, year=args.year, catalogue=catalogue
        )
        # The FAQ's share answered without an officer, and the tickets, over the same year.
        since, until = (
            datetime.combine(d, time(), settings.zone) for d in (stats.start, stats.end)
        )
        faq = await store.faq.counts(since=since, until=until)
        return stats, faq, await tickets.statistics(store, since, until)
    finally:
        await store.close()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `stats` on the `homebiz` parser."""
    parser = sub.add_parser("stats", help="the year's figures and the summary paragraph")
    parser.add_argument("--year", type=int, help="Jalali year, e.g. 1404 (default: this year)")
    parser.add_argument("--chart", metavar="FILE.png", help="also save the chart as a PNG")


def command(args: argparse.Namespace, settings: Settings) -> int:
    """`homebiz stats [--year Y] [--chart FILE.png]`."""
    from office.faq_report import share_line
    from texts.stats import render_stats_text
    from texts.tickets import stats_lines

    stats, faq, ticket_stats = asyncio.run(_collect(args, settings))
    print(render_stats_text(stats))
    print()
    for line in stats_lines(ticket_stats):  # the tickets, then the share they were not needed
        print(line)
    print(share_line(faq))
    if args.chart:
        from texts.charts import render_stats_chart  # matplotlib loads only when asked for

        Path(args.chart).write_bytes(render_stats_chart(stats))
    return 0
