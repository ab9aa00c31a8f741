"""Start and kill the bot as a real process, pointed at an in-test emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from botapi_emulator import Emulator
from tests.conftest import BOT_TOKEN, OFFICER_ID

ROOT = Path(__file__).resolve().parents[2]


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
            **extra_env,
        }
        self._env.pop("DATABASE_URL", None)
        self._emulator = emulator
        # By webhook, ready means registered (setWebhook); by polling, polling.
        self._by_webhook = bool(self._env.get("WEBHOOK_BASE_URL"))
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        await self.spawn()
        await self._wait_until_polling()

    async def spawn(self) -> None:
        """Start the process without waiting for it to poll (it may die on purpose first)."""
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
                raise AssertionError("bot process did not start polling")
            await asyncio.sleep(0.05)

    async def first_poll(self, limit_seconds: float = 60.0) -> None:
        """Until some process of this bot has polled the emulator once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_seconds
        while not self._emulator.bots or self._poll_count() == 0:
            if loop.time() > deadline:
                raise AssertionError("bot process did not start polling")
            await asyncio.sleep(0.05)

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
