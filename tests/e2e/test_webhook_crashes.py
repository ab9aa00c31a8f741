"""Twenty citizens apply by webhook while the bot is killed (SIGKILL) at random moments.

The platform (the emulator) keeps every update the bot did not answer 200 and delivers it
again after the restart; the bot answers 200 only once an update is stored. Afterwards every
citizen has finished, every application holds its answers and one document per document
sent (the bytes sent for it), and nothing is left unhandled or unsent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
from pathlib import Path

import pytest

from botapi_emulator import Citizen, Emulator
from tests.conftest import BOT_TOKEN, free_port
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

CITIZENS = 20
DOCUMENTS = 5  # a woman, own home, independent plan
KILLS = 4
FIRST_ID = 6100


def _photos(index: int) -> list[bytes]:
    return [jpeg_bytes(FIRST_ID * 10 + index * DOCUMENTS + n) for n in range(DOCUMENTS)]


async def _walk(citizen: Citizen, index: int) -> str:
    await open_application(citizen)
    await identity(citizen, national_code(FIRST_ID + index))
    await business(citizen)
    for photo in _photos(index):
        checklist = await citizen.sends_photo(photo)
    assert "۵ از ۵" in last(checklist), last(checklist)
    return last(await submit(citizen))


async def _kill_at_random(process: BotProcess, walks: asyncio.Future[object], seed: int) -> int:
    """Kill and restart the bot ``KILLS`` times at random moments while the walks go on."""
    rng = random.Random(seed)
    kills = 0
    while kills < KILLS and not walks.done():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(walks), rng.uniform(0.5, 2.0))
        if walks.done():
            break
        await process.kill()
        kills += 1
        await process.start()
    return kills


@pytest.mark.timeout(600)
async def test_twenty_citizens_by_webhook_survive_kills(emulator: Emulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = data / "homebiz.db"
    # The platform tries again soon after a failed delivery: the restarted bot is found at once.
    emulator.webhook_retry_base = 0.05
    emulator.webhook_retry_max = 0.25
    port = free_port()
    process = BotProcess(
        emulator,
        data,
        WEB_PORT=str(port),
        WEBHOOK_BASE_URL=f"http://127.0.0.1:{port}",
        # Replies unpaced: at Telegram's 30 a second the twenty citizens mostly waited for
        # each other's replies, which is not what this test is about.
        REPLY_RATE_PER_SECOND="0",
        SEND_RATE_PER_SECOND="1000",
    )
    await process.start()
    citizens = [
        Citizen(
            emulator.url,
            FIRST_ID + i,
            "مریم",
            timeout=180,
            settle=store_settled(database, poll_seconds=0.05, chat=FIRST_ID + i),
        )
        for i in range(CITIZENS)
    ]
    try:
        walks = asyncio.gather(*(_walk(c, i) for i, c in enumerate(citizens)))
        kills = await _kill_at_random(process, walks, seed=13)
        endings = await walks
    finally:
        for citizen in citizens:
            await citizen.close()
        await process.stop()
    assert kills >= 2, f"the walks ended before the bot was killed ({kills} kills)"
    assert all("کد پیگیری" in ending for ending in endings), endings

    applications = read_rows(
        database, "SELECT id, national_code, status FROM applications ORDER BY national_code"
    )
    assert len(applications) == CITIZENS
    by_code = {code: (app_id, status) for app_id, code, status in applications}
    for index in range(CITIZENS):
        app_id, status = by_code[national_code(FIRST_ID + index)]
        assert status == "submitted"
        documents = read_rows(
            database,
            "SELECT kind, sha256, stored_name FROM documents WHERE application_id = ?",
            app_id,
        )
        assert len(documents) == DOCUMENTS, documents  # none stored twice, none missing
        assert len({kind for kind, _sha, _name in documents}) == DOCUMENTS
        assert {sha for _kind, sha, _name in documents} == {
            hashlib.sha256(photo).hexdigest() for photo in _photos(index)
        }
        for _kind, sha, name in documents:
            stored = (data / "files" / str(name)).read_bytes()
            assert hashlib.sha256(stored).hexdigest() == sha
    for leftover in (
        "SELECT count(*) FROM inbox_updates WHERE handled_at IS NULL",
        "SELECT count(*) FROM reply_queue WHERE sent_at IS NULL",
        "SELECT count(*) FROM inbox_updates WHERE outcome = 'failed'",
    ):
        assert read_rows(database, leftover) == [(0,)], leftover
    assert emulator.bot(BOT_TOKEN).updates == [], "the platform still holds updates"
