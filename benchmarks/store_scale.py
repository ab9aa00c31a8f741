"""The office's commands at the scale of a national programme (issue 14).

Seeds a store of ``--applications`` applications (one citizen each, statuses spread as in a
running programme, every move in the timeline) through the project's own migrations, then
measures with the project's own code:

* the citizen's lookup (tracking code + national code) and each officer search (tracking code,
  national code, phone in the form an officer types it, name): p50 / p99;
* ``homebiz stats`` for the current year (and the old full-scan queries, for comparison);
* ``homebiz export`` to CSV and to XLSX, each in its own process: time and peak RSS;
* a 10,000-row bank report: time, write transactions and the longest one, while the bot's
  repositories keep writing from another process: their latency and any lock errors.

Run: ``.venv/bin/python -m benchmarks.store_scale [--applications 100000] [--db PATH --reuse]``
(the default is 1,000,000 applications; seeding them takes several minutes). Prints the numbers
and merges them, keyed by size, into ``benchmarks/results/store_scale.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from domain.catalogue import load_catalogue
from domain.notifications import QuietHours
from domain.statuses import PlanType
from services.export import export_to
from services.imports.bank_import import import_bank_report
from storage import Store
from storage.reports import ExportFilter, collect_stats
from tests.integration.scale_seed import introduced_applications, seed_store
from tests.integration.test_stats_at_scale import old_figures

RESULTS = Path(__file__).resolve().parent / "results" / "store_scale.json"
ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)  # the seeded programme's "today" (1404/10/20)
TODAY = date(2026, 1, 10)
SAMPLES = 400
REPORT_ROWS = 10_000
NO_QUIET = QuietHours(start_hour=0, end_hour=0)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    Linux's VmHWM starts afresh at exec (getrusage's ru_maxrss would carry the parent's peak
    over into a child started by fork and exec).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
        "n": len(ordered),
    }


async def timed(store: Store, calls: list[Callable[[], Awaitable[object]]]) -> dict[str, Any]:
    """Through the repository (aiosqlite, models): p50/p99; then SQLite's own share of it.

    The second pass captures the statements each call ran and times them again on a plain
    sqlite3 connection: what the engine takes, without the thread hops and the models. Each is
    timed on the wall clock and in CPU time: on a shared machine the wall clock also counts the
    moments other processes had the cores; CPU time is the work itself.
    """
    for call in calls:  # once untimed: the pages they read are in the cache, as in a running bot
        await call()
    times, cpu = [], []
    for call in calls:
        started, started_cpu = time.perf_counter(), time.process_time()
        await call()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    result: dict[str, Any] = percentiles(times)
    result["cpu"] = percentiles(cpu)
    statements: list[list[str]] = []
    reader = store.db._reader
    assert reader is not None
    for call in calls:
        ran: list[str] = []
        await reader.set_trace_callback(ran.append)
        await call()
        await reader.set_trace_callback(None)
        statements.append([sql for sql in ran if sql.lstrip().upper().startswith("SELECT")])
    engine, engine_cpu = await asyncio.to_thread(_engine_times, store.db.path, statements)
    result["engine"] = percentiles(engine)
    result["engine_cpu"] = percentiles(engine_cpu)
    return result


def _engine_times(db: Path, statements: list[list[str]]) -> tuple[list[float], list[float]]:
    times, cpu = [], []
    with sqlite3.connect(db) as conn:
        for call in statements:
            started, started_cpu = time.perf_counter(), time.thread_time()
            for sql in call:
                conn.execute(sql).fetchall()
            times.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
    return times, cpu


def sample_rows(path: Path, count: int) -> list[sqlite3.Row]:
    """Random submitted applications: what officers and citizens look for."""
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        (top,) = conn.execute("SELECT MAX(id) FROM applications").fetchone()
        rng = random.Random(14)
        ids = rng.sample(range(1, top + 1), min(count * 2, top))
        marks = ", ".join("?" for _ in ids)
        rows = conn.execute(
            "SELECT tracking_code, national_code, phone, full_name FROM applications"
            f" WHERE id IN ({marks}) AND tracking_code IS NOT NULL",
            ids,
        ).fetchall()
    return rows[:count]


def _typed_phone(canonical: str, n: int) -> str:
    """The forms officers type: 0912…, with spaces, Persian digits, +98…"""
    local = "0" + canonical.removeprefix("+98")
    forms = (
        local,
        f"{local[:4]} {local[4:7]} {local[7:]}",
        local.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
        canonical,
    )
    return forms[n % len(forms)]


async def bench_lookups(store: Store, rows: list[sqlite3.Row]) -> dict[str, Any]:
    apps = store.applications

    async def citizen_lookup(code: str, national: str) -> None:
        await store.lookups.blocked_until("telegram", 1)  # the throttle is checked first
        app = await apps.find_by_tracking_code(code)
        assert app is not None and app.national_code == national

    async def by_phone(typed: str) -> None:
        assert await apps.find_by_phone(typed)

    async def by_name(name: str) -> None:
        assert await apps.search_by_name(name)

    def surname(name: str) -> str:
        return name.split(" ", 1)[1]

    results = {
        "citizen lookup (tracking code + national code)": await timed(
            store, [lambda r=r: citizen_lookup(r[0], r[1]) for r in rows]
        ),
        "officer: tracking code": await timed(
            store, [lambda r=r: apps.find_by_tracking_code(r[0]) for r in rows]
        ),
        "officer: national code": await timed(
            store, [lambda r=r: apps.find_by_national_code(r[1]) for r in rows]
        ),
        "officer: phone (as typed)": await timed(
            store, [lambda n=n, r=r: by_phone(_typed_phone(r[2], n)) for n, r in enumerate(rows)]
        ),
        "officer: name (first and last)": await timed(
            store, [lambda r=r: by_name(r[3]) for r in rows]
        ),
        "officer: name (surname only)": await timed(
            store, [lambda r=r: by_name(surname(r[3])) for r in rows]
        ),
    }
    return results


async def bench_stats(store: Store) -> dict[str, Any]:
    catalogue = load_catalogue()
    times, cpu = [], []
    for _round in range(5):
        started, started_cpu = time.perf_counter(), time.process_time()
        stats = await collect_stats(store, year=1404, today=TODAY, catalogue=catalogue)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    started, started_cpu = time.perf_counter(), time.process_time()
    await old_figures(store, 1404)
    old = time.perf_counter() - started
    old_cpu = time.process_time() - started_cpu
    return {
        "year": 1404,
        "submitted": stats.submitted,
        "first_s": round(times[0], 3),
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
        "old_queries_s": round(old, 3),
        "old_queries_cpu_s": round(old_cpu, 3),
    }


# --- export, in its own process --------------------------------------------------------------


async def _export_child(db: Path, out: Path) -> dict[str, Any]:
    store = await Store.open(db)
    try:
        started = time.perf_counter()
        result = await export_to(store, load_catalogue(), out, ExportFilter())
        seconds = time.perf_counter() - started
        cpu = time.process_time()
    finally:
        await store.close()
    size = await asyncio.to_thread(os.path.getsize, out)
    return {
        "rows": result.rows,
        "sheets": result.sheets,
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "file_mb": round(size / 2**20, 1),
    }


def bench_export(db: Path, folder: Path, suffix: str) -> dict[str, Any]:
    """Run the export in a fresh process, so its peak RSS is the export's own."""
    out = folder / f"export.{suffix}"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.store_scale", "--export-child", str(db), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    out.unlink(missing_ok=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the bank report ---------------------------------------------------------------------------


def write_report(db: Path, path: Path, rows: int) -> int:
    lines = ["کد رهگیری,کد ملی,بانک,شعبه,مبلغ (ریال),تاریخ پرداخت"]
    for n, (code, national, bank, amount) in enumerate(introduced_applications(db, rows)):
        key = (code, "") if n % 3 else ("", national)  # every third row by national code
        lines.append(f"{key[0]},{key[1]},بانک {bank},مرکزی,{amount},۱۴۰۴/۰۸/{1 + n % 28:02d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


async def _bot_writer_child(db: Path, stop: Path) -> dict[str, Any]:
    """The bot's own process: save a draft's answers every few milliseconds until told to stop.

    Its busy timeout is the bot's (10 s): a write that waits longer fails with "database is
    locked", as the issue saw with the old import.
    """
    bot = await Store.open(db)
    citizen = await bot.citizens.get_or_create("telegram", 1, 1)
    draft = await bot.applications.open_draft_for_citizen(citizen.id)
    if draft is None:
        draft = await bot.applications.create_draft(citizen.id, PlanType.SUPPORTING)
    waits: list[float] = []
    errors: list[str] = []
    print("ready", flush=True)
    try:
        n = 0
        while not await asyncio.to_thread(stop.exists):
            started = time.perf_counter()
            try:
                await bot.applications.save_answers(draft.id, {"n": n}, "full_name")
            except sqlite3.OperationalError as exc:
                errors.append(str(exc))
            waits.append(time.perf_counter() - started)
            n += 1
            await asyncio.sleep(0.01)
    finally:
        await bot.close()
    latency = percentiles(waits)
    return {
        "bot_writes": len(waits),
        "bot_write_p50_ms": latency["p50_ms"],
        "bot_write_p99_ms": latency["p99_ms"],
        "bot_write_max_ms": latency["max_ms"],
        "bot_lock_errors": len(errors),
    }


async def bench_import(db: Path, folder: Path) -> dict[str, Any]:
    """The 10,000-row report through `import_bank_report`, the bot writing in its own process."""
    report = folder / "bank-report.csv"
    rows = await asyncio.to_thread(write_report, db, report, REPORT_ROWS)
    stop = folder / "stop-bot"
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.store_scale",
        "--bot-writer-child",
        str(db),
        str(stop),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert bot.stdout is not None
    assert (await bot.stdout.readline()).strip() == b"ready"
    store = await Store.open(db)
    try:
        started, started_cpu = time.perf_counter(), time.process_time()
        result = await import_bank_report(
            store, load_catalogue(), report, today=TODAY, quiet_hours=NO_QUIET
        )
        seconds = time.perf_counter() - started
        cpu = time.process_time() - started_cpu
    finally:
        await store.close()
        await asyncio.to_thread(stop.touch)
        out, _err = await bot.communicate()
    assert result.applied, result.problems[:5]
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "write_transactions": result.write_transactions,
        "longest_write_ms": round(result.longest_write_seconds * 1000, 1),
        **json.loads(out.decode().strip().splitlines()[-1]),
    }


# --- the run ----------------------------------------------------------------------------------


def _print(results: dict[str, Any]) -> None:
    print(
        f"\n{results['applications']:,} applications, {results['status_events']:,} events"
        f" (load average {results['load_average']})"
    )
    for label, row in results.get("lookups", {}).items():
        cpu, engine, engine_cpu = row["cpu"], row["engine"], row["engine_cpu"]
        print(
            f"  {label:<46} p50 {row['p50_ms']:6.3f} ms  p99 {row['p99_ms']:6.3f} ms"
            f" (CPU {cpu['p50_ms']:.3f} / {cpu['p99_ms']:.3f});"
            f" SQLite alone {engine['p50_ms']:.3f} / {engine['p99_ms']:.3f}"
            f" (CPU {engine_cpu['p50_ms']:.3f} / {engine_cpu['p99_ms']:.3f})"
        )
    if s := results.get("stats"):
        print(
            f"  stats {s['year']}: median {s['median_s']:.3f} s (CPU {s['median_cpu_s']:.3f} s;"
            f" first {s['first_s']:.3f} s, max {s['max_s']:.3f} s); the old full-scan queries:"
            f" {s['old_queries_s']:.3f} s (CPU {s['old_queries_cpu_s']:.3f} s)"
        )
    for kind, row in results.get("export", {}).items():
        print(
            f"  export {kind}: {row['rows']:,} rows in {row['seconds']:.1f} s"
            f" (CPU {row['cpu_s']:.1f} s), peak RSS {row['peak_rss_mb']:.0f} MiB,"
            f" file {row['file_mb']:.0f} MiB, {row['sheets']} sheet(s)"
        )
    if i := results.get("import"):
        print(
            f"  bank report {i['rows']:,} rows: {i['seconds']:.2f} s (CPU {i['cpu_s']:.2f} s),"
            f" {i['write_transactions']} write transactions, longest {i['longest_write_ms']:.0f}"
            f" ms; the bot's process meanwhile: {i['bot_writes']} writes,"
            f" p50 {i['bot_write_p50_ms']:.0f} ms, p99 {i['bot_write_p99_ms']:.0f} ms,"
            f" max {i['bot_write_max_ms']:.0f} ms, {i['bot_lock_errors']} lock errors"
        )


PARTS = ("lookups", "stats", "export", "import")


async def measure(db: Path, folder: Path, parts: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    store = await Store.open(db)
    try:
        if "lookups" in parts:
            rows = await asyncio.to_thread(sample_rows, db, SAMPLES)
            results["lookups"] = await bench_lookups(store, rows)
        if "stats" in parts:
            results["stats"] = await bench_stats(store)
    finally:
        await store.close()
    if "export" in parts:
        results["export"] = {
            suffix: await asyncio.to_thread(bench_export, db, folder, suffix)
            for suffix in ("csv", "xlsx")
        }
    if "import" in parts:  # last: it marks 10,000 applications paid
        results["import"] = await bench_import(db, folder)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="where to keep the seeded store")
    parser.add_argument("--reuse", action="store_true", help="use the store at --db as it is")
    parser.add_argument(
        "--parts", nargs="+", choices=PARTS, default=list(PARTS), help="measure only these"
    )
    parser.add_argument("--export-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bot-writer-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        print(json.dumps(asyncio.run(_export_child(*args.export_child))))
        return
    if args.bot_writer_child:
        print(json.dumps(asyncio.run(_bot_writer_child(*args.bot_writer_child))))
        return
    with tempfile.TemporaryDirectory(prefix="homebiz-scale-") as tmp:
        folder = Path(tmp)
        db = args.db or folder / "homebiz.db"
        seed_seconds = None
        if not (args.reuse and db.exists()):
            for old in db.parent.glob(db.name + "*"):
                old.unlink()
            print(f"seeding {args.applications:,} applications into {db} …", flush=True)
            started = time.perf_counter()
            seed_store(db, args.applications, now=NOW, batch=50_000, progress=True)
            seed_seconds = round(time.perf_counter() - started, 1)
        with sqlite3.connect(db) as conn:
            (applications,) = conn.execute("SELECT COUNT(*) FROM applications").fetchone()
            (events,) = conn.execute("SELECT COUNT(*) FROM status_events").fetchone()
        measured = asyncio.run(measure(db, folder, args.parts))
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        # The machine is shared: its load during the run says how much the numbers are inflated.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "machine": platform.machine(),
        "applications": applications,
        "status_events": events,
        **({"seed_seconds": seed_seconds} if seed_seconds is not None else {}),
        **measured,
    }
    _print(results)
    saved: dict[str, Any] = {}
    if RESULTS.exists():
        saved = json.loads(RESULTS.read_text(encoding="utf-8"))
    # A partial run (--parts) updates only what it measured.
    saved[str(args.applications)] = {**saved.get(str(args.applications), {}), **results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(saved, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS} under {str(args.applications)!r}")


if __name__ == "__main__":
    main()
