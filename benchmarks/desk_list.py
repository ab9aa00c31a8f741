"""The web desk's applications list at 100,000 applications: server time of each page.

Seeds a store (``tests/integration/scale_seed.py``: one citizen per application, statuses spread
as in a programme three years old) through the project's migrations, then times the list the
desk shows (``services.application_list.list_applications``: the officer check, the count, the
page) for the usual filter, sort and page combinations: p50 / p95 / max on the wall clock and
in CPU time, with the target of 200 ms.

Run: ``.venv/bin/python -m benchmarks.desk_list [--applications 100000] [--db PATH --reuse]``.
Prints the numbers and writes ``benchmarks/results/desk_list.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from domain.accounts import Account
from domain.catalogue import load_catalogue
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from services.actors import Actor
from services.application_list import ApplicationFilter, ListSort, list_applications
from storage import Store
from tests.integration.scale_seed import national_code_for, phone_for, seed_store

RESULTS = Path(__file__).resolve().parent / "results" / "desk_list.json"
NOW = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
OFFICER = 900_001
TARGET_MS = 200.0
REPEAT = 15


def _typed(canonical: str) -> str:
    """+989121234567 as an officer may type it: «۰۹۱۲ ۱۲۳ ۴۵۶۷»."""
    local = "0" + canonical.removeprefix("+98")
    spaced = f"{local[:4]} {local[4:7]} {local[7:]}"
    return spaced.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def cases() -> dict[str, ApplicationFilter]:
    """The pages an officer opens most: the default, each filter, each sort, deep pages."""
    f = ApplicationFilter
    return {
        "default (newest first, page 1)": f(),
        "page 100": f(page=100),
        "last page": f(page=10_000),
        "status submitted": f(statuses=(S.SUBMITTED,)),
        "status submitted + under review, oldest first": f(
            statuses=(S.SUBMITTED, S.UNDER_REVIEW), descending=False
        ),
        "county khorramabad": f(county="khorramabad"),
        "county dowreh, page 5": f(county="dowreh", page=5),
        "activity group handicrafts": f(activity_group="handicrafts"),
        "plan supporting": f(plan_type=PlanType.SUPPORTING),
        "dates: one month (1404/09)": f(from_date=date(2025, 11, 22), to_date=date(2025, 12, 21)),
        "county + status + plan + dates": f(
            county="borujerd",
            statuses=(S.INTRODUCED_TO_BANK,),
            plan_type=PlanType.INDEPENDENT,
            from_date=date(2025, 3, 21),
            to_date=date(2026, 1, 10),
        ),
        "sort by name": f(sort=ListSort.NAME, descending=False),
        "sort by name, page 500": f(sort=ListSort.NAME, descending=False, page=500),
        "sort by status": f(sort=ListSort.STATUS, descending=False),
        "sort by county": f(sort=ListSort.COUNTY, descending=False),
        "sort by last change": f(sort=ListSort.UPDATED),
        "sort by amount": f(sort=ListSort.AMOUNT),
        "county + sort by name": f(county="khorramabad", sort=ListSort.NAME, descending=False),
        "search: common first name «محمد»": f(search="محمد"),
        "search: full name": f(search="مریم احمدی"),
        "search: national code": f(search=national_code_for(4_321)),
        "search: phone as typed (Persian digits, spaced)": f(search=_typed(phone_for(4_321))),
        "search: name + status paid": f(search="زهرا", statuses=(S.PAID,)),
    }


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def measure(db: Path) -> dict[str, Any]:
    catalogue = load_catalogue()
    store = await Store.open(db, clock=lambda: NOW)
    store.officers.configure({Account("telegram", OFFICER)}, "telegram")
    actor = Actor("officer", OFFICER)
    results: dict[str, Any] = {}
    try:
        for name, filters in cases().items():
            page = await list_applications(store, actor, catalogue, filters)  # warm
            wall: list[float] = []
            cpu: list[float] = []
            for _ in range(REPEAT):
                w0, c0 = time.perf_counter(), time.process_time()
                page = await list_applications(store, actor, catalogue, filters)
                wall.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
            results[name] = {
                "total": page.total,
                "rows": len(page.rows),
                "wall": _ms(wall),
                "cpu": _ms(cpu),
            }
            wall_ms, cpu_ms = results[name]["wall"], results[name]["cpu"]
            print(
                f"  {name:<48} {page.total:>7,} found  wall p50 {wall_ms['p50_ms']:>7}"
                f" p95 {wall_ms['p95_ms']:>7}  cpu p50 {cpu_ms['p50_ms']:>7} ms",
                flush=True,
            )
    finally:
        await store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="keep the store here")
    parser.add_argument("--reuse", action="store_true", help="measure a store seeded before")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "desk.db"
        if not (args.reuse and db.exists()):
            print(f"seeding {args.applications:,} applications…", flush=True)
            started = time.perf_counter()
            seed_store(db, args.applications, now=NOW, progress=True)
            print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
        results = asyncio.run(measure(db))
    worst = max(r["wall"]["p95_ms"] for r in results.values())
    worst_cpu = max(r["cpu"]["p95_ms"] for r in results.values())
    summary = {
        "applications": args.applications,
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "target_ms": TARGET_MS,
        "worst_p95_wall_ms": worst,
        "worst_p95_cpu_ms": worst_cpu,
        "within_target": worst_cpu < TARGET_MS,
        "cases": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"worst p95: {worst} ms wall, {worst_cpu} ms CPU (target {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
