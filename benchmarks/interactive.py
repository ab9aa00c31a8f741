"""Interactive load: N simulated citizens press through the menu, our bot vs a bare echo bot.

Both bots run as their own processes against one Bot API emulator on loopback. Each citizen
sends /start, presses the help button, sends /help and /cancel, one step after the other;
all citizens at once. Latency is from the citizen's message to the bot's first reply.
Prints updates/s, p50/p95/p99 latency and the bot process's peak RSS, writes JSON.

    .venv/bin/python benchmarks/interactive.py [--citizens 200]
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
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from botapi_emulator import Emulator  # noqa: E402
from handlers.menu import MenuItem, label  # noqa: E402

OUR_TOKEN = "710001:benchmark-homebiz"
OUR_TOKEN_UNCAPPED = "710003:benchmark-homebiz-uncapped"
ECHO_TOKEN = "710002:benchmark-echo"
RESULTS = ROOT / "benchmarks" / "results" / "interactive.json"


def steps() -> list[tuple[str, str]]:
    """What each citizen sends, in order: (kind, payload)."""
    return [
        ("command", "/start"),
        ("text", label(MenuItem.HELP)),
        ("command", "/help"),
        ("command", "/cancel"),
    ]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used: a cost that other load barely moves."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the process's peak resident set size."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def start_bot(
    command: list[str],
    token: str,
    emu: Emulator,
    data_dir: Path,
    extra_env: dict[str, str],
    cwd: Path = ROOT,
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        **extra_env,
        "BOT_TOKEN": token,
        "BOT_API_BASE_URL": emu.api_base_url,
        "BOT_FILE_BASE_URL": emu.file_base_url,
        "DATA_DIR": str(data_dir),
    }
    env.pop("DATABASE_URL", None)
    polls = emu.bot(token).poll_generation
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with asyncio.timeout(60):
        while emu.bot(token).poll_generation == polls:  # noqa: ASYNC110 - no event to wait on
            await asyncio.sleep(0.05)
    return process


async def one_citizen(
    http: aiohttp.ClientSession, emu: Emulator, token: str, user_id: int
) -> list[float]:
    """Walk the steps; return the latency of each step's first reply."""
    latencies = []
    for kind, payload in steps():
        body: dict[str, Any] = {"bot": token, "user_id": user_id, "first_name": "bench"}
        body["command" if kind == "command" else "text"] = payload
        started = time.perf_counter()
        async with http.post(f"{emu.url}/_client/messages/{kind}", json=body) as resp:
            created = await resp.json()
        seq = created["seq"]
        while True:
            url = f"{emu.url}/_client/chats/{user_id}/messages"
            params = {"bot": token, "since_seq": seq, "wait": 30}
            async with http.get(url, params=params) as resp:
                answer = await resp.json()
            if answer["messages"]:
                break
            seq = answer["seq"]
        latencies.append(time.perf_counter() - started)
    return latencies


async def measure(
    name: str,
    command: list[str],
    token: str,
    emu: Emulator,
    citizens: int,
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    cwd: Path = ROOT,
) -> dict[str, Any]:
    process = await start_bot(command, token, emu, data_dir, extra_env or {}, cwd)
    try:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            # Warm-up: one citizen, not counted.
            await one_citizen(http, emu, token, 1)
            cpu_before = cpu_seconds(process.pid)
            started = time.perf_counter()
            results = await asyncio.gather(
                *(one_citizen(http, emu, token, 10_000 + i) for i in range(citizens))
            )
            elapsed = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        rss = peak_rss_mib(process.pid)
    finally:
        process.terminate()
        await process.wait()
    latencies = sorted(x for r in results for x in r)
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "bot": name,
        "citizens": citizens,
        "updates": len(latencies),
        "seconds": round(elapsed, 3),
        "updates_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": {
            "p50": round(quantiles[49] * 1000, 1),
            "p95": round(quantiles[94] * 1000, 1),
            "p99": round(quantiles[98] * 1000, 1),
        },
        "peak_rss_mib": round(rss, 1),
        "cpu_ms_per_update": round(cpu * 1000 / len(latencies), 2),
    }


async def main(citizens: int, bot_root: Path = ROOT) -> dict[str, Any]:
    ours_cmd = [sys.executable, "-m", "bot.cli", "run"]
    echo_cmd = [sys.executable, str(ROOT / "benchmarks" / "echo_bot.py")]
    with tempfile.TemporaryDirectory() as tmp:
        async with Emulator() as emu:
            # As shipped: replies capped at Telegram's ~30 messages/s across all chats.
            capped = await measure(
                "homebiz (30/s cap)",
                ours_cmd,
                OUR_TOKEN,
                emu,
                citizens,
                Path(tmp) / "capped",
                cwd=bot_root,
            )
            # The bot's own cost: no reply cap, like the bare echo bot.
            uncapped = await measure(
                "homebiz (no cap)",
                ours_cmd,
                OUR_TOKEN_UNCAPPED,
                emu,
                citizens,
                Path(tmp) / "uncapped",
                {"REPLY_RATE_PER_SECOND": "0"},
                cwd=bot_root,
            )
            echo = await measure("ptb-echo", echo_cmd, ECHO_TOKEN, emu, citizens, Path(tmp) / "e")
    return {
        "benchmark": "interactive",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "results": [capped, uncapped, echo],
        "ratio_uncapped_vs_echo": {
            "updates_per_second": round(
                uncapped["updates_per_second"] / echo["updates_per_second"], 2
            ),
            "p95_latency": round(uncapped["latency_ms"]["p95"] / echo["latency_ms"]["p95"], 2),
            "peak_rss": round(uncapped["peak_rss_mib"] / echo["peak_rss_mib"], 2),
        },
    }


def report(result: dict[str, Any]) -> None:
    for r in result["results"]:
        lat = r["latency_ms"]
        print(
            f"{r['bot']:>18}: {r['citizens']} citizens, {r['updates']} updates in {r['seconds']} s"
            f" = {r['updates_per_second']} updates/s; latency p50 {lat['p50']} ms,"
            f" p95 {lat['p95']} ms, p99 {lat['p99']} ms; peak RSS {r['peak_rss_mib']} MiB;"
            f" CPU {r['cpu_ms_per_update']} ms/update"
        )
    print("homebiz (no cap) / echo:", result["ratio_uncapped_vs_echo"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument(
        "--bot-root", type=Path, default=ROOT, help="run the bot from another checkout"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    outcome = asyncio.run(main(args.citizens, args.bot_root.resolve()))
    report(outcome)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.output}")
