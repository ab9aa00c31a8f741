"""A whole application walked while the bot is killed at every durable write and every send.

The bot process is started again each time it dies (tests.e2e.crash_points chooses where):
- after every write on the update path (inbox batch, an update's commit, replies marked);
- after every send the platform accepted, before it is marked sent.
Afterwards the store must hold one application with every answer, one document row per
document sent with the bytes sent for it, every update handled and every reply sent; the
citizen sees each step's answer (a reply the platform had accepted may come twice, the one
documented duplicate window).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from pathlib import Path

import pytest

from botapi_emulator import Citizen, Emulator
from tests.e2e.application_walk import (
    business,
    identity,
    jpeg_bytes,
    last,
    national_code,
    open_application,
    submit,
)
from tests.e2e.process import BotProcess
from tests.settle import read_rows, store_settled

DOCUMENTS = 5  # a woman, own home, independent plan
MAX_LIVES = 400  # a hook that stops making progress fails the test instead of looping


class Supervisor:
    """Starts the bot again whenever it dies, as systemd would, and counts its lives."""

    def __init__(self, process: BotProcess) -> None:
        self.process = process
        self.lives = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Supervisor:
        self._task = asyncio.create_task(self._keep_running())
        polled = asyncio.ensure_future(self.process.first_poll())
        await asyncio.wait({polled, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not polled.done():  # the supervisor stopped: say why, not "did not poll" later
            polled.cancel()
            self._task.result()
            raise AssertionError(f"the supervisor stopped after {self.lives} lives")
        polled.result()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self.process.stop()

    async def _keep_running(self) -> None:
        while self.lives < MAX_LIVES:
            self.lives += 1
            await self.process.spawn()
            assert self.process.process is not None
            await self.process.process.wait()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("crash_at", ["write", "send"])
async def test_a_whole_application_survives_a_crash_at_every_write_and_send(
    emulator: Emulator, tmp_path: Path, crash_at: str
) -> None:
    data = tmp_path / "data"
    database = data / "homebiz.db"
    process = BotProcess(
        emulator,
        data,
        log_file=tmp_path / "bot.log",
        CRASH_AT=crash_at,
        CRASH_LEDGER=str(tmp_path / "ledger.txt"),
    )
    citizen = Citizen(emulator.url, 8181, "زهرا", timeout=120, settle=store_settled(database))
    photos = [jpeg_bytes(8100 + index) for index in range(DOCUMENTS)]
    try:
        async with Supervisor(process) as supervisor:
            await open_application(citizen)
            await identity(citizen, national_code(81))
            await business(citizen)
            for photo in photos:
                checklist = await citizen.sends_photo(photo)
            assert "۵ از ۵" in last(checklist)
            done = await submit(citizen)
            assert "کد پیگیری" in last(done)
            lives = supervisor.lives
    finally:
        await citizen.close()
    assert lives > 20, f"the hooks did not fire ({lives} lives)"

    applications = read_rows(
        database,
        "SELECT id, status, full_name, national_code, birth_date, county, activity_code,"
        " requested_rials, plan_type FROM applications",
    )
    assert len(applications) == 1
    app_id, status, *answers = applications[0]
    assert status == "submitted"
    assert answers == [
        "مریم احمدی",
        national_code(81),
        "1991-08-03",
        "khorramabad",
        "kilim",
        2_000_000_000,
        "independent",
    ]
    documents = read_rows(
        database, "SELECT kind, sha256 FROM documents WHERE application_id = ?", app_id
    )
    assert len(documents) == DOCUMENTS, documents
    assert len({kind for kind, _sha in documents}) == DOCUMENTS
    assert {sha for _kind, sha in documents} == {
        hashlib.sha256(photo).hexdigest() for photo in photos
    }
    for leftover in (
        "SELECT count(*) FROM inbox_updates WHERE handled_at IS NULL",
        "SELECT count(*) FROM reply_queue WHERE sent_at IS NULL",
        "SELECT count(*) FROM inbox_updates WHERE outcome = 'failed'",
    ):
        assert read_rows(database, leftover) == [(0,)], leftover
