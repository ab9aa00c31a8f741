"""A kill between a group's statements loses nothing and applies nothing twice.

Several chats answer a small persisted conversation at once, so their units of work are
grouped into one transaction; the bot is killed (tests.e2e.crash_points, ``CRASH_AT=group``)
right after a second unit joined a group, before its one COMMIT, three times. Every update
is then handled exactly once: each chat's answers end up in its own state, nothing failed,
nothing is left unhandled or unsent.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from botapi_emulator import Citizen, Emulator
from tests.e2e.process import BotProcess
from tests.e2e.test_crash_points import Supervisor
from tests.settle import read_rows, store_settled

CHATS = 8


async def survey(citizen: Citizen, index: int) -> list[str]:
    """Walk the test conversation; return the texts the bot sent."""
    await citizen.says("/survey")
    await citizen.says(f"city{index}")
    await citizen.says(f"craft{index}")
    return [message.text or "" for message in citizen.messages]


@pytest.mark.timeout(300)
async def test_a_kill_inside_a_group_commit_loses_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    database = data / "homebiz.db"
    ledger = tmp_path / "ledger.txt"
    process = BotProcess(
        emulator, data, CRASH_AT="group", CRASH_LEDGER=str(ledger), WITH_TEST_CONVERSATION="1"
    )
    citizens = [
        Citizen(emulator.url, 6100 + i, "زهرا", timeout=120, settle=store_settled(database))
        for i in range(CHATS)
    ]
    try:
        async with Supervisor(process) as supervisor:
            texts = await asyncio.gather(
                *(survey(citizen, i) for i, citizen in enumerate(citizens))
            )
            lives = supervisor.lives
    finally:
        for citizen in citizens:
            await citizen.close()

    assert lives > 1 and ledger.read_text().count("\n") >= 1, "no group was killed"
    for index, seen in enumerate(texts):
        assert f"done: city{index} / craft{index}" in seen, seen
    for leftover in (
        "SELECT count(*) FROM inbox_updates WHERE handled_at IS NULL",
        "SELECT count(*) FROM inbox_updates WHERE outcome = 'failed'",
        "SELECT count(*) FROM reply_queue WHERE sent_at IS NULL",
    ):
        assert read_rows(database, leftover) == [(0,)], leftover
    # One stored update per message sent: none lost, none stored twice.
    assert read_rows(database, "SELECT count(*) FROM inbox_updates") == [(CHATS * 3,)]
    # Every handled update queued its one reply exactly once.
    queued = read_rows(database, "SELECT count(*), count(DISTINCT update_seq) FROM reply_queue")
    assert queued == [(CHATS * 3, CHATS * 3)]
