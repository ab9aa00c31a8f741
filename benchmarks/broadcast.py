"""Broadcast benchmark: enqueue + progress queries + peak RSS at 100,000 recipients, and the
sustained delivery rate of the outbox sender, at the configured limit and uncapped.

Run: ``.venv/bin/python -m benchmarks.broadcast [--recipients 100000] [--sample 3000]``.
Delivery goes to the Bot API emulator in this process (it shares the CPU with the sender,
so the uncapped figure is a floor). Prints the numbers and writes
``benchmarks/results/broadcast.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.api_client import BotApiClient
from bot.workers.broadcast import BroadcastRunner
from bot.workers.sender import OutboxSender
from botapi_emulator import Emulator
from botapi_emulator.users import user_json
from domain.exhibitions import BroadcastFilter
from domain.notifications import QuietHours
from storage import Store
from tests.e2e.subscribers import seed_subscribers

TOKEN = "123456:BENCH-token-for-the-emulator"
RESULTS = Path(__file__).resolve().parent / "results" / "broadcast.json"
NO_QUIET = QuietHours(start_hour=0, end_hour=0)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def runner(bot: Any, store: Store) -> BroadcastRunner:
    return BroadcastRunner(
        bot, store, wake_sender=lambda: None, quiet_hours=NO_QUIET, clock=lambda: datetime.now(UTC)
    )


async def bench_enqueue(folder: Path, recipients: int) -> dict[str, Any]:
    """Enqueue every recipient in batches of 1,000 and time the progress query."""
    store = await Store.open(folder / "enqueue.db")
    try:
        started = time.perf_counter()
        await seed_subscribers(store, 1, recipients)
        seeded = time.perf_counter() - started
        broadcast = await store.broadcasts.create("officer:1", "اطلاعیهٔ آزمایشی", BroadcastFilter())
        started = time.perf_counter()
        added = await runner(None, store).enqueue(broadcast.id)
        enqueue_seconds = time.perf_counter() - started
        timings = []
        for _ in range(20):
            t0 = time.perf_counter()
            progress = await store.broadcasts.progress(broadcast.id)
            timings.append(time.perf_counter() - t0)
        assert progress.total == recipients == added
        return {
            "recipients": recipients,
            "seed_seconds": round(seeded, 2),
            "enqueue_seconds": round(enqueue_seconds, 2),
            "enqueue_rows_per_second": round(added / enqueue_seconds),
            "progress_query_ms_median": round(sorted(timings)[len(timings) // 2] * 1000, 2),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    finally:
        await store.close()


async def bench_delivery(folder: Path, name: str, sample: int, rate: float) -> dict[str, Any]:
    """Deliver ``sample`` broadcast rows through the OutboxSender; the sustained rate."""
    async with Emulator(mode="telegram") as emulator:
        state = emulator.bot(TOKEN)
        for user_id in range(1, sample + 1):
            state.chat(user_json(user_id, "شهروند"))
        store = await Store.open(folder / f"deliver-{name}.db")
        # The bot's Bot API client, as the running bot makes it (bot.runtime).
        api = BotApiClient(emulator.api_base_url + TOKEN, connections=32)
        try:
            await seed_subscribers(store, 1, sample)
            broadcast = await store.broadcasts.create("officer:1", "اطلاعیه", BroadcastFilter())
            await runner(None, store).enqueue(broadcast.id)
            sender = OutboxSender(api, store.outbox, global_rate=rate, poll_interval=0.2)
            async with api:
                started = time.perf_counter()
                await sender.start()
                while True:  # polling the store, as the broadcast runner does
                    if (await store.broadcasts.progress(broadcast.id)).settled >= sample:
                        break
                    await asyncio.sleep(0.2)
                elapsed = time.perf_counter() - started
                await sender.stop()
            sent = sum(1 for c in emulator.calls if c.method == "sendMessage" and c.ok)
            return {
                "limit_per_second": rate if rate < 1e6 else None,
                "messages": sample,
                "delivered": sent,
                "seconds": round(elapsed, 2),
                "sustained_per_second": round(sample / elapsed, 1),
            }
        finally:
            await store.close()


async def main(recipients: int, sample: int, capped_sample: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="homebiz-bench-") as tmp:
        folder = Path(tmp)
        enqueue = await bench_enqueue(folder, recipients)
        print("enqueue:", json.dumps(enqueue))
        uncapped = await bench_delivery(folder, "uncapped", sample, 1e9)
        print("delivery uncapped:", json.dumps(uncapped))
        capped = await bench_delivery(folder, "capped", capped_sample, 30.0)
        print("delivery at 30/s:", json.dumps(capped))
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "enqueue_100k": enqueue,
        "delivery_uncapped": uncapped,
        "delivery_capped_30": capped,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=3000, help="uncapped delivery sample")
    parser.add_argument("--capped-sample", type=int, default=600, help="messages at 30/s")
    args = parser.parse_args()
    results = asyncio.run(main(args.recipients, args.sample, args.capped_sample))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"peak RSS {results['peak_rss_mb']} MiB; written to {RESULTS}")
