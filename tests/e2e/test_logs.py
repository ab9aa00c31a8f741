"""The bot's log, at debug level, through a whole identity step: one line per event, and no
token, webhook secret, national code, phone or citizen's words in it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from botapi_emulator import Citizen, Emulator
from config.logging_setup import configure_logging
from tests.conftest import BOT_TOKEN, bot_running, free_port, make_settings, webhook_settings
from tests.e2e.application_walk import identity, national_code, open_application
from tests.settle import store_settled

NAME = "مریم احمدی"
QUESTION = "وام خانگی چقدر است و کی واریز می‌شود"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    path = tmp_path / "bot.log"
    configure_logging(logging.DEBUG, (BOT_TOKEN,), stderr=False, log_file=path, json_lines=True)
    try:
        yield path
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


async def test_the_log_holds_nothing_personal_or_secret(
    emulator: Emulator, tmp_path: Path, log_file: Path
) -> None:
    settings = make_settings(emulator, tmp_path / "data", **webhook_settings(free_port()))
    code = national_code(4242)
    async with bot_running(settings) as bot:
        citizen = Citizen(emulator.url, 4242, "مریم", settle=store_settled(settings.database_path))
        try:
            await open_application(citizen)
            await identity(citizen, code, name=NAME)
            await citizen.sends_command("/cancel")
            await citizen.says(QUESTION)
        finally:
            await citizen.close()
        assert bot.application.webhook is not None
        secret = bot.application.webhook.address.secret
    text = _read(log_file)
    lines = text.splitlines()
    assert len(lines) > 5
    records = [json.loads(line) for line in lines]  # every line is one JSON event
    for leak in (BOT_TOKEN, BOT_TOKEN.split(":")[1], secret, code, "9121234567", NAME, QUESTION):
        assert leak not in text, leak
    assert any(record["logger"].startswith("bot.") for record in records)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
