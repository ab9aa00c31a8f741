"""Chats do not wait for each other: reply latency with one chat stalled, and under faults.

The bot runs as its own process against the emulator on loopback; citizens walk a few
menu steps in a closed loop (the next step when the last reply came). Three runs:
1. baseline: no faults;
2. one chat's sends stalled 10 s (the platform answers that chat late): the other chats'
   p95 must stay within 1.5x of the baseline;
3. 20% of the sends to half of the chats fail (429, 500, 2 s stalls) while status-change
   notifications go out to every citizen: every notification delivered exactly once, and
   the median reply of the unaffected chats under 1 s.
Prints the numbers and writes benchmarks/results/stalls.json.

    .venv/bin/python benchmarks/stalls.py [--citizens 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.interactive import one_citizen, start_bot  # noqa: E402
from botapi_emulator import Emulator, FaultConfig  # noqa: E402
from domain.statuses import ApplicationStatus  # noqa: E402
from storage import Store  # noqa: E402
from tests.e2e.test_tracking import store_change, submitted_in  # noqa: E402

TOKEN = "720001:benchmark-stalls"
RESULTS = ROOT / "benchmarks" / "results" / "stalls.json"
FIRST_USER = 20_000


def _summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100)
    return {
        "replies": len(ordered),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _walk(
    http: aiohttp.ClientSession, emu: Emulator, users: list[int], rounds: int
) -> dict[int, list[float]]:
    async def one(user: int) -> list[float]:
        latencies: list[float] = []
        for _ in range(rounds):
            latencies += await one_citizen(http, emu, TOKEN, user)
        return latencies

    results = await asyncio.gather(*(one(user) for user in users))
    return dict(zip(users, results, strict=True))


async def _notify_everyone(database: Path, data_dir: Path, users: list[int]) -> int:
    """Submit an application for each citizen and move it twice: 3 notifications each."""
    store = await Store.open(database)
    try:
        for n, user in enumerate(users):
            app = await submitted_in(store, data_dir, user, seed=500 + n)
            for to in (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.APPROVED):
                await store_change(store, app.id, to, "officer:1")
        return len(users) * 3
    finally:
        await store.close()


async def _notifications_settled(database: Path, expected: int, limit: float = 300) -> None:
    store = await Store.open(database)
    try:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            stats = await store.outbox.stats()
            if await store.outbox.pending_count() == 0 and sum(stats.values()) >= expected:
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"notifications did not settle: {await store.outbox.stats()}")
    finally:
        await store.close()


async def _sent_texts(database: Path) -> list[tuple[int, str]]:
    store = await Store.open(database)
    try:
        async with (
            store.db.read() as conn,
            conn.execute("SELECT chat_id, text FROM outbox WHERE status = 'sent'") as cursor,
        ):
            return [(int(r["chat_id"]), str(r["text"])) for r in await cursor.fetchall()]
    finally:
        await store.close()


async def main(citizens: int, rounds: int) -> dict[str, Any]:
    users = [FIRST_USER + n for n in range(citizens)]
    stalled, others = users[0], users[1:]
    affected, unaffected = users[: citizens // 2], users[citizens // 2 :]
    command = [sys.executable, "-m", "bot.cli", "run"]
    env = {"QUIET_HOURS_START": "0", "QUIET_HOURS_END": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        database = data_dir / "homebiz.db"
        async with Emulator() as emu:
            process = await start_bot(command, TOKEN, emu, data_dir, env)
            try:
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                    await one_citizen(http, emu, TOKEN, 1)  # warm-up
                    baseline = await _walk(http, emu, others, rounds)

                    emu.faults = FaultConfig(
                        rate_delay=1.0, delay_seconds=10.0, chats=frozenset({stalled})
                    )
                    stalled_run = await _walk(http, emu, users, rounds)
                    emu.faults = FaultConfig()

                    emu.faults = FaultConfig(
                        rate_429=0.07,
                        rate_500=0.07,
                        rate_delay=0.06,
                        delay_seconds=2.0,
                        retry_after=1,
                        chats=frozenset(affected),
                        seed=9,
                    )
                    expected = await _notify_everyone(database, data_dir, users)
                    faulted_run = await _walk(http, emu, users, rounds)
                    await _notifications_settled(database, expected)
                    injected = Counter(c.fault for c in emu.calls if c.fault)
                    emu.faults = FaultConfig()
            finally:
                process.terminate()
                await process.wait()
            sent = await _sent_texts(database)
            delivered = {user: Counter(emu.delivered_texts(user)) for user in users}
    duplicates = sum(1 for chat, text in sent if delivered[chat][text] != 1)
    base = _summary([x for u in others for x in baseline[u]])
    with_stall = _summary([x for u in others for x in stalled_run[u]])
    faulted_unaffected = _summary([x for u in unaffected for x in faulted_run[u]])
    return {
        "benchmark": "stalls",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "citizens": citizens,
        "rounds": rounds,
        "baseline_other_chats": base,
        "one_chat_stalled_10s_other_chats": with_stall,
        "p95_ratio_stalled_vs_baseline": round(with_stall["p95_ms"] / base["p95_ms"], 2),
        "faults_20pct_unaffected_chats": faulted_unaffected,
        "faults_20pct_affected_chats": _summary([x for u in affected for x in faulted_run[u]]),
        "faults_injected": dict(injected),
        "notifications_expected": expected,
        "notifications_sent": len(sent),
        "notifications_not_exactly_once": duplicates,
    }


def report(result: dict[str, Any]) -> None:
    print(f"baseline, other chats:            {result['baseline_other_chats']}")
    print(f"one chat stalled 10 s, others:    {result['one_chat_stalled_10s_other_chats']}")
    print(f"p95 ratio (stalled / baseline):   {result['p95_ratio_stalled_vs_baseline']}")
    print(f"20% faults, unaffected chats:     {result['faults_20pct_unaffected_chats']}")
    print(f"20% faults, affected chats:       {result['faults_20pct_affected_chats']}")
    print(f"faults injected:                  {result['faults_injected']}")
    print(
        f"notifications: {result['notifications_sent']} sent of "
        f"{result['notifications_expected']}, not exactly once: "
        f"{result['notifications_not_exactly_once']}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    outcome = asyncio.run(main(args.citizens, args.rounds))
    report(outcome)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
