"""Receiving by webhook against long polling: the same load, side by side.

Our bot runs as its own process against the emulator, replies uncapped
(``REPLY_RATE_PER_SECOND=0``, so the send budget does not set the pace), first by long
polling, then by webhook (the emulator POSTs each update to the bot's web server, up to 40
at once, one chat's in order), taking turns ``--repeat`` times; medians are reported.

1. Open run: ``--citizens`` (200) at once, each sending /start, the help button, /help,
   /cancel: updates/s and the latency to the first reply.
2. Closed loop: ``--closed-citizens`` (50) walk ``--rounds`` rounds of /start, the
   eligibility button, /cancel, the help button, each step after the whole last answer.

    .venv/bin/python benchmarks/webhook.py [--citizens 200] [--closed-citizens 50]
        [--rounds 3] [--repeat 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import socket
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.interactive import measure, measure_closed_loop  # noqa: E402
from botapi_emulator import Emulator  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "webhook.json"
COMMAND = [sys.executable, "-m", "bot.cli", "run"]
MODES = ("polling", "webhook")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(mode: str) -> dict[str, str]:
    env = {"REPLY_RATE_PER_SECOND": "0", "QUIET_HOURS_START": "0", "QUIET_HOURS_END": "0"}
    port = _free_port()
    env["WEB_PORT"] = str(port)
    if mode == "webhook":
        env["WEBHOOK_BASE_URL"] = f"http://127.0.0.1:{port}"
    return env


async def run(citizens: int, closed: int, rounds: int, repeat: int) -> dict[str, Any]:
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        mode: {"open": [], "closed": []} for mode in MODES
    }
    with tempfile.TemporaryDirectory() as tmp:
        for turn in range(repeat):
            for index, mode in enumerate(MODES):
                # A fresh emulator per run: a set webhook must not outlive its run.
                async with Emulator(mode="telegram") as emu:
                    token = f"72{turn}{index}01:benchmark-{mode}-open"
                    data = Path(tmp) / f"{mode}-{turn}-open"
                    runs[mode]["open"].append(
                        await measure(mode, COMMAND, token, emu, citizens, data, _env(mode))
                    )
                async with Emulator(mode="telegram") as emu:
                    token = f"72{turn}{index}02:benchmark-{mode}-closed"
                    data = Path(tmp) / f"{mode}-{turn}-closed"
                    runs[mode]["closed"].append(
                        await measure_closed_loop(
                            mode, COMMAND, token, emu, closed, rounds, data, _env(mode)
                        )
                    )
                print(f"turn {turn + 1}/{repeat} {mode} done", flush=True)
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "citizens": citizens,
        "closed_citizens": closed,
        "rounds": rounds,
        "repeat": repeat,
        "runs": runs,
        "median": {},
    }
    for mode in MODES:
        opened, closed_runs = runs[mode]["open"], runs[mode]["closed"]
        result["median"][mode] = {
            "open_updates_per_second": _median(opened, "updates_per_second"),
            "open_p95_ms": round(statistics.median(r["latency_ms"]["p95"] for r in opened)),
            "open_cpu_ms_per_update": _median(opened, "cpu_ms_per_update"),
            "closed_actions_per_second": _median(closed_runs, "updates_per_second"),
            "closed_replies_per_second": _median(closed_runs, "replies_per_second"),
            "closed_p95_ms": round(statistics.median(r["latency_ms"]["p95"] for r in closed_runs)),
            "closed_cpu_ms_per_update": _median(closed_runs, "cpu_ms_per_update"),
        }
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(float(r[key]) for r in runs), 1)


def report(result: dict[str, Any]) -> None:
    print(f"\n{'':32}{'polling':>12}{'webhook':>12}")
    for key in result["median"]["polling"]:
        polling, webhook = result["median"]["polling"][key], result["median"]["webhook"][key]
        print(f"{key:32}{polling:>12}{webhook:>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--closed-citizens", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = asyncio.run(run(args.citizens, args.closed_citizens, args.rounds, args.repeat))
    report(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
