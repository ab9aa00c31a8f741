"""Outbox claim benchmark: ``OutboxRepository.claim_due`` latency at 5k / 50k / 100k pending rows.

Two shapes: ``due`` (a broadcast: every row due, one row per chat, the sender claiming 16 at a
time and settling them) and ``held`` (the rows held by quiet hours, 50 urgent rows due behind
them). Prints the median / p95 claim latency and the query plans of the claim's SELECTs, and
merges them under ``--label`` into ``benchmarks/results/outbox_claim.json``.

Run: ``.venv/bin/python -m benchmarks.outbox_claim [--label after] [--sizes 5000 50000 100000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.db import Database, to_db_time
from storage.outbox import OutboxRepository

RESULTS = Path(__file__).resolve().parent / "results" / "outbox_claim.json"
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
LIMIT = 16  # the sender's max_lanes
ROUNDS = 40
URGENT = 50


async def seed(db: Database, pending: int, due: str, urgent: int = 0) -> None:
    """``pending`` broadcast rows due at ``due`` (one chat each), then ``urgent`` due rows."""
    stamp = to_db_time(NOW)
    rows = [(n, n, f"b:{n}", due, 0) for n in range(1, pending + 1)]
    rows += [(10**7 + n, 10**7 + n, f"u:{n}", stamp, 1) for n in range(urgent)]
    async with db.transaction() as c:
        await c.executemany(
            "INSERT INTO outbox (chat_id, citizen_id, kind, text, urgent, dedupe_key, not_before,"
            " status, attempts, created_at, updated_at)"
            " VALUES (?, NULL, 'broadcast', 'اطلاعیه', ?, ?, ?, 'pending', 0, ?, ?)",
            [(chat, urg, key, nb, stamp, stamp) for chat, _, key, nb, urg in rows],
        )


async def claim_plans(db: Database, outbox: OutboxRepository) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT one claim runs (captured with a trace callback)."""
    statements: list[str] = []
    writer = db._writer  # the claim runs on the writer: trace it there
    assert writer is not None
    await writer.set_trace_callback(statements.append)
    claimed = await outbox.claim_due(NOW, LIMIT)
    await writer.set_trace_callback(None)
    await outbox.release([m.id for m in claimed if m.id is not None])
    plans: list[str] = []
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        async with db.read() as c, c.execute(f"EXPLAIN QUERY PLAN {sql}") as cur:
            lines = [str(row[3]) for row in await cur.fetchall()]
        plans.append(" | ".join(lines))
    return plans


async def measure(folder: Path, shape: str, pending: int) -> dict[str, Any]:
    """Claim ``ROUNDS`` times (settling each claim as sent) and time each claim."""
    async with Database(folder / f"{shape}-{pending}.db", clock=lambda: NOW) as db:
        outbox = OutboxRepository(db)
        if shape == "due":
            await seed(db, pending, to_db_time(NOW - timedelta(minutes=1)))
        else:
            await seed(db, pending, to_db_time(NOW + timedelta(hours=10)), urgent=URGENT)
        plans = await claim_plans(db, outbox)
        timings: list[float] = []
        claimed_total = 0
        for _ in range(ROUNDS):
            started = time.perf_counter()
            claimed = await outbox.claim_due(NOW, LIMIT)
            timings.append(time.perf_counter() - started)
            claimed_total += len(claimed)
            ids = [m.id for m in claimed]
            if shape == "held" and not ids:  # the urgent rows are all sent: start them again
                async with db.transaction() as c:
                    await c.execute("UPDATE outbox SET status = 'pending' WHERE urgent = 1")
                continue
            marks = ", ".join("?" for _ in ids)
            async with db.transaction() as c:
                await c.execute(f"UPDATE outbox SET status = 'sent' WHERE id IN ({marks})", ids)
        timings.sort()
        return {
            "shape": shape,
            "pending": pending,
            "claims": ROUNDS,
            "claimed": claimed_total,
            "claim_ms_median": round(statistics.median(timings) * 1000, 3),
            "claim_ms_p95": round(timings[int(len(timings) * 0.95) - 1] * 1000, 3),
            "plans": plans,
        }


async def main(sizes: list[int]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="homebiz-claim-") as tmp:
        for shape in ("due", "held"):
            for pending in sizes:
                result = await measure(Path(tmp), shape, pending)
                print(
                    f"{shape:>4} {pending:>7} pending: claim median"
                    f" {result['claim_ms_median']:.3f} ms, p95 {result['claim_ms_p95']:.3f} ms"
                    f" ({result['claimed']} rows in {ROUNDS} claims)"
                )
                for plan in result["plans"]:
                    print(f"      plan: {plan}")
                results.append(result)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--label", default="after", help="key in the JSON file (before/after)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000, 100_000])
    args = parser.parse_args()
    measured = asyncio.run(main(args.sizes))
    saved: dict[str, Any] = {}
    if RESULTS.exists():
        saved = json.loads(RESULTS.read_text(encoding="utf-8"))
    saved[args.label] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "limit": LIMIT,
        "results": measured,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(saved, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS} under {args.label!r}")
