"""Application benchmark: N simulated citizens complete applications at the same time.

Each citizen goes from /start to a tracking code (consent, own contact, name, national code,
birth date, gender, county, rented home, activity search, plan, amount, 5 photos, review,
submit) against the Bot API emulator, with the bot running in this process.

Run: ``.venv/bin/python -m benchmarks.applications [--citizens 50] [--reply-rate 30]``.
Prints the total time and per-citizen p50/p95, writes ``benchmarks/results/applications.json``.
``--reply-rate`` is the bot's global reply cap (REPLY_RATE_PER_SECOND; 0 = uncapped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botapi_emulator import Citizen, Emulator
from domain.statuses import ApplicationStatus
from tests.conftest import bot_running, make_settings
from tests.e2e.application_walk import (
    business,
    identity,
    national_code,
    open_application,
    submit,
    upload_all,
)

RESULTS = Path(__file__).resolve().parent / "results" / "applications.json"
DOCUMENTS = 5  # a woman, kilim weaving (skills certificate), own home, independent plan


async def one_citizen(emulator: Emulator, user_id: int) -> tuple[float, int]:
    """Walk one application; return (seconds, bot messages received)."""
    async with Citizen(emulator.url, user_id=user_id, first_name="شهروند", timeout=120) as c:
        started = time.perf_counter()
        await open_application(c)
        await identity(c, national_code(user_id))
        await business(c)
        await upload_all(c, DOCUMENTS, seed=user_id)
        done = await submit(c)
        elapsed = time.perf_counter() - started
        if not done or "کد پیگیری" not in done[-1].content:
            raise AssertionError(f"citizen {user_id} did not get a tracking code")
        return elapsed, len(c.messages)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[rank - 1]


async def run(citizens: int, reply_rate: float) -> dict[str, Any]:
    async with Emulator(mode="telegram") as emulator:
        with tempfile.TemporaryDirectory() as folder:
            settings = make_settings(
                emulator, Path(folder) / "data", reply_rate_per_second=reply_rate
            )
            async with bot_running(settings) as running:
                started = time.perf_counter()
                results = await asyncio.gather(
                    *(one_citizen(emulator, 20_000 + n) for n in range(citizens))
                )
                total = time.perf_counter() - started
                store = running.application.services.store
                submitted = await store.applications.list_by_status(ApplicationStatus.SUBMITTED)
                files = sum(1 for p in (settings.data_dir / "files").rglob("*") if p.is_file())
    seconds = [elapsed for elapsed, _count in results]
    updates = sum(count for _elapsed, count in results)
    return {
        "benchmark": "applications",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "citizens": citizens,
        "documents_per_citizen": DOCUMENTS,
        "reply_rate_per_second": reply_rate,
        "total_seconds": round(total, 2),
        "per_citizen_p50_seconds": round(statistics.median(seconds), 2),
        "per_citizen_p95_seconds": round(percentile(seconds, 0.95), 2),
        "per_citizen_max_seconds": round(max(seconds), 2),
        "bot_messages_received": updates,
        "submitted_in_store": len(submitted),
        "files_on_disk": files,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--reply-rate", type=float, default=30.0)
    args = parser.parse_args()
    result = asyncio.run(run(args.citizens, args.reply_rate))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{result['citizens']} citizens completed applications concurrently in "
        f"{result['total_seconds']} s (reply cap {result['reply_rate_per_second']}/s); "
        f"per citizen p50 {result['per_citizen_p50_seconds']} s, "
        f"p95 {result['per_citizen_p95_seconds']} s; "
        f"{result['submitted_in_store']} submitted in the store, "
        f"{result['files_on_disk']} files on disk"
    )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
