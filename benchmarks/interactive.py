"""Interactive load: simulated citizens press through the menu, our bot vs a bare echo bot.

The bots run as their own processes against one Bot API emulator on loopback.

1. Open run (``--citizens``, 200): each citizen sends /start, presses the help button, sends
   /help and /cancel, one step after the other; all citizens at once. Latency is from the
   citizen's message to the bot's first reply. Our bot as shipped (replies within the send
   budget, 30/s) and with no reply cap, then the echo bot.
2. Closed loop (``--closed-citizens``, 50, ``--rounds`` times each): each citizen sends its
   next action only when the last reply to the previous one has arrived: /start, the
   eligibility button (a conversation opens and its state is stored), /cancel, the help
   button. Our bot with no reply cap against the echo bot, in the same run (``--repeat``
   pairs, in turn): replies/s and actions answered/s of both and their ratios (the target is
   at least 0.8).

Prints updates/s, latency, the bot process's peak RSS and its CPU time per update (a cost
that other load on a shared machine barely moves), writes JSON. ``--profile PATH`` runs our
bot's closed-loop run under cProfile (PROFILE_TO) and prints its top costs.

    .venv/bin/python benchmarks/interactive.py [--citizens 200] [--closed-citizens 50]
        [--rounds 5] [--repeat 3] [--only closed] [--profile /tmp/homebiz.pstats]
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
OUR_TOKEN_CLOSED = "710004:benchmark-homebiz-closed"
ECHO_TOKEN_CLOSED = "710005:benchmark-echo-closed"
RESULTS = ROOT / "benchmarks" / "results" / "interactive.json"


def steps() -> list[tuple[str, str]]:
    """What each citizen sends, in order: (kind, payload)."""
    return [
        ("command", "/start"),
        ("text", label(MenuItem.HELP)),
        ("command", "/help"),
        ("command", "/cancel"),
    ]


def closed_loop_steps() -> list[tuple[str, str]]:
    """One round of the closed loop: a conversation opened (its state stored) and left."""
    return [
        ("command", "/start"),
        ("text", label(MenuItem.ELIGIBILITY)),
        ("command", "/cancel"),
        ("text", label(MenuItem.HELP)),
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
        "WEB_PORT": "0",  # any free port: another bot on this machine may hold the default
    }
    env.pop("DATABASE_URL", None)
    state = emu.bot(token)
    by_webhook = bool(extra_env.get("WEBHOOK_BASE_URL"))  # ready: registered, not polling

    def generation() -> int:
        return state.webhook_generation if by_webhook else state.poll_generation

    polls = generation()
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with asyncio.timeout(60):
        while generation() == polls:  # noqa: ASYNC110 - no event to wait on
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


async def _post_step(
    http: aiohttp.ClientSession, emu: Emulator, token: str, user_id: int, kind: str, payload: str
) -> int:
    """Send one action; return the chat's change counter just before the bot's answer."""
    body: dict[str, Any] = {"bot": token, "user_id": user_id, "first_name": "bench"}
    body["command" if kind == "command" else "text"] = payload
    async with http.post(f"{emu.url}/_client/messages/{kind}", json=body) as resp:
        created = await resp.json()
    return int(created["seq"])


async def _changed_since(
    http: aiohttp.ClientSession, emu: Emulator, token: str, user_id: int, seq: int, wait: float
) -> tuple[set[int], int]:
    """Ids of the bot's messages created or edited after ``seq`` (waiting up to ``wait`` s)."""
    url = f"{emu.url}/_client/chats/{user_id}/messages"
    params: dict[str, str | float] = {"bot": token, "since_seq": seq, "wait": wait}
    async with http.get(url, params=params) as resp:
        answer = await resp.json()
    return {int(m["message_id"]) for m in answer["messages"]}, int(answer["seq"])


async def learn_replies(
    http: aiohttp.ClientSession, emu: Emulator, token: str, user_id: int, script: list[Any]
) -> list[int]:
    """Walk the script once, slowly: how many messages each step's answer creates or edits."""
    counts = []
    for kind, payload in script:
        seq = await _post_step(http, emu, token, user_id, kind, payload)
        changed, cursor = await _changed_since(http, emu, token, user_id, seq, 30)
        while True:  # quiet for a second: the answer is complete
            more, cursor = await _changed_since(http, emu, token, user_id, cursor, 1.0)
            if not more:
                break
            changed |= more
        if not changed:
            raise RuntimeError(f"{token}: no answer to {payload!r}")
        counts.append(len(changed))
    return counts


async def closed_loop_citizen(
    http: aiohttp.ClientSession,
    emu: Emulator,
    token: str,
    user_id: int,
    script: list[Any],
    expected: list[int],
) -> tuple[list[float], int]:
    """Walk the script; each step waits for its whole answer. Return latencies and replies."""
    latencies: list[float] = []
    replies = 0
    for (kind, payload), count in zip(script, expected, strict=True):
        started = time.perf_counter()
        seq = await _post_step(http, emu, token, user_id, kind, payload)
        changed: set[int] = set()
        while len(changed) < count:
            more, seq = await _changed_since(http, emu, token, user_id, seq, 30)
            if not more:
                raise RuntimeError(f"{token}: citizen {user_id} got no answer to {payload!r}")
            changed |= more
        latencies.append(time.perf_counter() - started)
        replies += len(changed)
    return latencies, replies


def _summary(
    name: str, citizens: int, latencies: list[float], elapsed: float, cpu: float, rss: float
) -> dict[str, Any]:
    latencies = sorted(latencies)
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


async def measure_closed_loop(
    name: str,
    command: list[str],
    token: str,
    emu: Emulator,
    citizens: int,
    rounds: int,
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    cwd: Path = ROOT,
) -> dict[str, Any]:
    """Closed loop: ``citizens`` walk ``rounds`` rounds, each step after the last reply."""
    script = closed_loop_steps() * rounds
    process = await start_bot(command, token, emu, data_dir, extra_env or {}, cwd)
    try:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            # Warm-up, not counted: one citizen learns how many replies each step brings.
            expected = await learn_replies(http, emu, token, 1, script)
            cpu_before = cpu_seconds(process.pid)
            started = time.perf_counter()
            results = await asyncio.gather(
                *(
                    closed_loop_citizen(http, emu, token, 30_000 + i, script, expected)
                    for i in range(citizens)
                )
            )
            elapsed = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        rss = peak_rss_mib(process.pid)
    finally:
        process.terminate()
        await process.wait()
    summary = _summary(name, citizens, [x for r, _ in results for x in r], elapsed, cpu, rss)
    replies = sum(n for _, n in results)
    summary["rounds"] = rounds
    summary["replies"] = replies
    summary["replies_per_second"] = round(replies / elapsed, 1)
    return summary


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
    return _summary(name, citizens, [x for r in results for x in r], elapsed, cpu, rss)


async def open_runs(emu: Emulator, citizens: int, tmp: Path, bot_root: Path) -> dict[str, Any]:
    """The open run: all citizens at once, our bot capped and uncapped, then the echo bot."""
    ours_cmd = [sys.executable, "-m", "bot.cli", "run"]
    echo_cmd = [sys.executable, str(ROOT / "benchmarks" / "echo_bot.py")]
    # As shipped: replies within the bot's send budget (Telegram's ~30 messages/s).
    capped = await measure(
        "homebiz (30/s cap)", ours_cmd, OUR_TOKEN, emu, citizens, tmp / "capped", cwd=bot_root
    )
    # The bot's own cost: no reply cap, like the bare echo bot.
    uncapped = await measure(
        "homebiz (no cap)",
        ours_cmd,
        OUR_TOKEN_UNCAPPED,
        emu,
        citizens,
        tmp / "uncapped",
        {"REPLY_RATE_PER_SECOND": "0"},
        cwd=bot_root,
    )
    echo = await measure("ptb-echo", echo_cmd, ECHO_TOKEN, emu, citizens, tmp / "e")
    return {
        "results": [capped, uncapped, echo],
        "ratio_uncapped_vs_echo": {
            "updates_per_second": round(
                uncapped["updates_per_second"] / echo["updates_per_second"], 2
            ),
            "p95_latency": round(uncapped["latency_ms"]["p95"] / echo["latency_ms"]["p95"], 2),
            "peak_rss": round(uncapped["peak_rss_mib"] / echo["peak_rss_mib"], 2),
        },
    }


async def closed_runs(
    emu: Emulator,
    citizens: int,
    rounds: int,
    tmp: Path,
    bot_root: Path,
    profile: Path | None,
    repeat: int = 1,
) -> dict[str, Any]:
    """The closed loop, our bot (no reply cap) and the echo bot in turn, ``repeat`` times.

    Taking turns spreads the other load of a shared machine over both; the ratios are of the
    medians.
    """
    ours_cmd = [sys.executable, "-m", "bot.cli", "run"]
    echo_cmd = [sys.executable, str(ROOT / "benchmarks" / "echo_bot.py")]
    env = {"REPLY_RATE_PER_SECOND": "0"}
    ours: list[dict[str, Any]] = []
    echo: list[dict[str, Any]] = []
    for n in range(repeat):
        run_env = dict(env)
        if profile is not None and n == 0:
            run_env["PROFILE_TO"] = str(profile)
        ours.append(
            await measure_closed_loop(
                "homebiz (no cap)",
                ours_cmd,
                closed_token(OUR_TOKEN_CLOSED, n),
                emu,
                citizens,
                rounds,
                tmp / f"closed-{n}",
                run_env,
                cwd=bot_root,
            )
        )
        echo.append(
            await measure_closed_loop(
                "ptb-echo",
                echo_cmd,
                closed_token(ECHO_TOKEN_CLOSED, n),
                emu,
                citizens,
                rounds,
                tmp / f"closed-echo-{n}",
            )
        )

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(r[key] for r in runs))

    def median_p95(runs: list[dict[str, Any]]) -> float:
        return float(statistics.median(r["latency_ms"]["p95"] for r in runs))

    return {
        "closed_loop": ours + echo,
        "closed_loop_ratio": {
            # Every message the bot sent or edited counts as a reply …
            "replies_per_second": round(
                median(ours, "replies_per_second") / median(echo, "replies_per_second"), 2
            ),
            # … and, stricter, every citizen action answered (the echo bot answers each once).
            "actions_per_second": round(
                median(ours, "updates_per_second") / median(echo, "updates_per_second"), 2
            ),
            "p95_latency": round(median_p95(ours) / median_p95(echo), 2),
            "cpu_per_update": round(
                median(ours, "cpu_ms_per_update") / median(echo, "cpu_ms_per_update"), 2
            ),
        },
    }


def closed_token(base: str, n: int) -> str:
    """A token of its own for the n-th repetition (a fresh bot in the emulator)."""
    bot_id, secret = base.split(":")
    return f"{int(bot_id) + 100 * n}:{secret}"


async def main(
    citizens: int,
    bot_root: Path = ROOT,
    *,
    closed_citizens: int = 50,
    rounds: int = 5,
    only: str = "all",
    profile: Path | None = None,
    repeat: int = 1,
) -> dict[str, Any]:
    outcome: dict[str, Any] = {
        "benchmark": "interactive",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        async with Emulator() as emu:
            if only in ("all", "open"):
                outcome.update(await open_runs(emu, citizens, tmp, bot_root))
            if only in ("all", "closed"):
                outcome.update(
                    await closed_runs(emu, closed_citizens, rounds, tmp, bot_root, profile, repeat)
                )
    return outcome


def report(result: dict[str, Any]) -> None:
    for r in result.get("results", []):
        lat = r["latency_ms"]
        print(
            f"{r['bot']:>18}: {r['citizens']} citizens, {r['updates']} updates in {r['seconds']} s"
            f" = {r['updates_per_second']} updates/s; latency p50 {lat['p50']} ms,"
            f" p95 {lat['p95']} ms, p99 {lat['p99']} ms; peak RSS {r['peak_rss_mib']} MiB;"
            f" CPU {r['cpu_ms_per_update']} ms/update"
        )
    if "ratio_uncapped_vs_echo" in result:
        print("homebiz (no cap) / echo:", result["ratio_uncapped_vs_echo"])
    for r in result.get("closed_loop", []):
        lat = r["latency_ms"]
        print(
            f"closed loop {r['bot']:>16}: {r['citizens']} citizens x {r['rounds']} rounds,"
            f" {r['replies']} replies in {r['seconds']} s = {r['replies_per_second']} replies/s;"
            f" {r['updates_per_second']} actions/s; latency p50 {lat['p50']} ms,"
            f" p95 {lat['p95']} ms; CPU {r['cpu_ms_per_update']} ms/update"
        )
    if "closed_loop_ratio" in result:
        print("closed loop, homebiz (no cap) / echo:", result["closed_loop_ratio"])


def top_costs(profile: Path, count: int = 25) -> None:
    """Print the profile's functions by their own time, then by cumulative time."""
    import pstats

    stats = pstats.Stats(str(profile))
    stats.sort_stats("tottime").print_stats(count)
    stats.sort_stats("cumulative").print_stats(count)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument(
        "--bot-root", type=Path, default=ROOT, help="run the bot from another checkout"
    )
    parser.add_argument("--closed-citizens", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5, help="closed-loop rounds per citizen")
    parser.add_argument("--repeat", type=int, default=1, help="closed-loop pairs, in turn")
    parser.add_argument("--only", choices=("all", "open", "closed"), default="all")
    parser.add_argument("--profile", type=Path, help="cProfile our bot's closed-loop run here")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    profile_path = args.profile.resolve() if args.profile else None
    outcome = asyncio.run(
        main(
            args.citizens,
            args.bot_root.resolve(),
            closed_citizens=args.closed_citizens,
            rounds=args.rounds,
            only=args.only,
            profile=profile_path,
            repeat=args.repeat,
        )
    )
    report(outcome)
    if profile_path is not None and profile_path.exists():
        top_costs(profile_path)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(outcome, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.output}")
