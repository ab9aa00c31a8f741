"""Start and kill the bot as a real process, pointed at an in-test emulator.

Each life is forked from a pre-imported parent (tests.e2e.fork_server, started by a worker's
first life) instead of a fresh interpreter importing python-telegram-bot and the project
again: the child then does what ``python -m tests.e2e.bot_process`` does, and is still a
process of its own that SIGKILL kills. ``BOT_PROCESS_EXEC=1`` in the environment starts each
life with ``exec`` instead, as before.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from botapi_emulator import Emulator
from tests.conftest import BOT_TOKEN, OFFICER_ID, TEST_PACING, migrated

ROOT = Path(__file__).resolve().parents[2]
# How often a start looks at the emulator's count of polls (in memory: a look costs nothing).
POLL_SECONDS = 0.005


class _ForkServer:
    """The worker's fork server (tests.e2e.fork_server), launched by the first life it forks."""

    def __init__(self) -> None:
        self._popen: subprocess.Popen[bytes] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._ready = False
        self.socket_path = ""

    async def ensure_started(self) -> str:
        if self._popen is None or self._popen.poll() is not None:
            self.launch()
        if not self._ready:
            await asyncio.to_thread(self._wait_ready)
        return self.socket_path

    def launch(self) -> None:
        """Start the server (its imports take a second or two: ensure_started waits for them)."""
        self._folder = tempfile.TemporaryDirectory(prefix="homebiz-fork-")
        self.socket_path = os.path.join(self._folder.name, "fork.sock")
        self._ready = False
        self._popen = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.fork_server", self.socket_path],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        atexit.register(self.close)

    def _wait_ready(self) -> None:
        """Until the server says "ready" (its imports done)."""
        assert self._popen is not None and self._popen.stdout is not None
        if self._popen.stdout.readline().strip() != b"ready":
            raise AssertionError("the fork server did not start")
        self._ready = True

    def close(self) -> None:
        """Closing its stdin makes the server kill its children still alive, and exit."""
        if self._popen is not None and self._popen.poll() is None:
            assert self._popen.stdin is not None
            self._popen.stdin.close()
            try:
                self._popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._popen.kill()
        if self._folder is not None:
            self._folder.cleanup()


# Started by the first bot life a worker asks for, not at import: every worker imports this
# module (collecting), and the scheduler (tests/conftest.py) runs its tests on one of them.
_FORK_SERVER = _ForkServer()


class ForkedProcess:
    """A bot life forked by the fork server, with asyncio.subprocess.Process's few verbs."""

    def __init__(self, pid: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.pid = pid
        self._writer = writer
        self._exit = asyncio.ensure_future(self._read_exit(reader))

    @classmethod
    async def spawn(cls, env: dict[str, str], log_file: Path | None) -> ForkedProcess:
        path = await _FORK_SERVER.ensure_started()
        reader, writer = await asyncio.open_unix_connection(path)
        request = {"env": env, "log": str(log_file) if log_file is not None else None}
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        answer = (await reader.readline()).split()
        if len(answer) != 2 or answer[0] != b"pid":
            writer.close()
            raise AssertionError(f"the fork server did not fork: {answer!r}")
        return cls(int(answer[1]), reader, writer)

    async def _read_exit(self, reader: asyncio.StreamReader) -> int:
        try:
            line = (await reader.readline()).split()
        finally:
            self._writer.close()
        if len(line) != 2 or line[0] != b"exit":
            raise AssertionError("the fork server went away before the bot process ended")
        return int(line[1])

    @property
    def returncode(self) -> int | None:
        if not self._exit.done() or self._exit.cancelled() or self._exit.exception():
            return None
        return self._exit.result()

    async def wait(self) -> int:
        return await asyncio.shield(self._exit)

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class BotProcess:
    """One bot subprocess; ``kill()`` is SIGKILL, as a crash or an OOM kill would be."""

    def __init__(
        self, emulator: Emulator, data_dir: Path, *, log_file: Path | None = None, **extra_env: str
    ) -> None:
        """``log_file`` keeps the process's log (its stderr); by default it is dropped."""
        self._log_file = log_file
        self._env = {
            **os.environ,
            "BOT_TOKEN": BOT_TOKEN,
            "BOT_PLATFORM": "telegram",
            "BOT_API_BASE_URL": emulator.api_base_url,
            "BOT_FILE_BASE_URL": emulator.file_base_url,
            "DATA_DIR": str(data_dir),
            "OFFICER_IDS": str(OFFICER_ID),
            "WEB_PORT": "0",  # any free port: tests run side by side
            # No quiet hours unless a test asks: the suite must pass at any hour.
            "QUIET_HOURS_START": "0",
            "QUIET_HOURS_END": "0",
            **{key.upper(): str(value) for key, value in TEST_PACING.items()},
            **extra_env,
        }
        self._env.pop("DATABASE_URL", None)
        migrated(data_dir / "homebiz.db")  # as make_settings does
        self._emulator = emulator
        # By webhook, ready means registered (setWebhook); by polling, polling.
        self._by_webhook = bool(self._env.get("WEBHOOK_BASE_URL"))
        self.process: asyncio.subprocess.Process | ForkedProcess | None = None

    async def start(self) -> None:
        await self.spawn()
        await self._wait_until_polling()

    async def spawn(self) -> None:
        """Start the process without waiting for it to poll (it may die on purpose first)."""
        if os.environ.get("BOT_PROCESS_EXEC") != "1":
            self.process = await ForkedProcess.spawn(self._env, self._log_file)
            return
        log = self._log_file.open("ab") if self._log_file is not None else None
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.e2e.bot_process",
                cwd=ROOT,
                env=self._env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log if log is not None else asyncio.subprocess.DEVNULL,
            )
        finally:
            if log is not None:
                log.close()  # the child has its own copy

    async def _wait_until_polling(self, limit_seconds: float = 60.0) -> None:
        """Ready means: this process has started a getUpdates long-poll (counted on arrival),
        or by webhook, has registered its webhook."""
        polls_before = self._poll_count()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_seconds
        while self._poll_count() == polls_before:
            assert self.process is not None
            if self.process.returncode is not None:
                raise AssertionError(f"bot process exited with {self.process.returncode}")
            if loop.time() > deadline:
                raise AssertionError(f"bot process did not start polling{self._log_tail()}")
            await asyncio.sleep(POLL_SECONDS)

    async def first_poll(self, limit_seconds: float = 60.0) -> None:
        """Until some process of this bot has polled the emulator once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_seconds
        while not self._emulator.bots or self._poll_count() == 0:
            if loop.time() > deadline:
                raise AssertionError(f"bot process did not start polling{self._log_tail()}")
            await asyncio.sleep(POLL_SECONDS)

    def _log_tail(self, lines: int = 30) -> str:
        """The end of the process's log, when it keeps one: why it did not get there."""
        if self._log_file is None or not self._log_file.exists():
            return ""
        tail = self._log_file.read_text(errors="replace").splitlines()[-lines:]
        return "; its log ends:\n" + "\n".join(tail)

    def _poll_count(self) -> int:
        state = self._emulator.bot(BOT_TOKEN)
        return state.webhook_generation if self._by_webhook else state.poll_generation

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=15)
            except TimeoutError:
                await self.kill()
