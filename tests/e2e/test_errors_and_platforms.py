"""The one error handler, log hygiene, and the same walk on Bale's flavour of the API."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import CommandHandler

from botapi_emulator import Citizen, Emulator
from domain.statuses import ApplicationStatus
from handlers.context import BotContext
from tests.conftest import RunningBot, bot_running, make_settings
from tests.e2e.application_walk import (
    business,
    national_code,
    open_application,
    submit,
    upload_all,
)
from tests.settle import store_settled
from texts.formatting import format_tracking_code
from texts.i18n import _

NATIONAL_CODE = "0499370899"


async def _explode(update: Update, context: BotContext) -> None:
    raise RuntimeError(f"database on fire while saving {NATIONAL_CODE}")


async def test_a_crash_in_a_handler_gets_a_persian_apology_and_the_menu(
    citizen: Citizen, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.application.add_handler(CommandHandler("explode", _explode), group=-5)
    with caplog.at_level(logging.ERROR):
        replies = await citizen.sends_command("/explode")
    apology = _(
        "Sorry, something went wrong on our side. Your previous answers are saved. "
        "Please try again, or press /start to see the menu."
    )
    answered = [r for r in replies if r.text == apology]
    assert len(answered) == 1
    assert answered[0].buttons, "the menu comes back with the apology"
    assert all("database on fire" not in (r.text or "") for r in replies)
    record = next(r for r in caplog.records if r.name == "handlers.errors")
    assert f"user={citizen.user_id}" in record.getMessage()
    assert record.exc_info is not None  # the traceback is logged


async def _platform_down(update: Update, context: BotContext) -> None:
    raise NetworkError(
        "Bad Gateway (502). Parsing the server response b'<html>\\r\\n<head>…' failed"
    )


async def test_a_platform_error_that_outlived_its_retries_is_one_warning_line(
    citizen: Citizen, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.application.add_handler(CommandHandler("down", _platform_down), group=-5)
    with caplog.at_level(logging.INFO):
        replies = await citizen.sends_command("/down")
    assert replies and replies[0].buttons, "the apology and the menu still go out"
    (record,) = [r for r in caplog.records if r.name == "handlers.errors"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage().endswith(": Bad Gateway (502)")


def test_logs_never_show_a_national_code_or_phone_in_clear(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from config.logging_setup import configure_logging

    configure_logging(logging.INFO, secrets=("123456:TOKEN-abc",))
    logger = logging.getLogger("test.hygiene")
    logger.info("citizen %s with phone %s", NATIONAL_CODE, "09121234567")
    logger.info("calling https://api.telegram.org/bot123456:TOKEN-abc/getMe")
    try:
        raise ValueError(f"bad national code {NATIONAL_CODE}")
    except ValueError:
        logger.exception("failed")
    err = capsys.readouterr().err
    assert NATIONAL_CODE not in err
    assert "09121234567" not in err
    assert "TOKEN-abc" not in err
    assert "failed" in err and "ValueError" in err


async def test_the_bot_works_on_bale(tmp_path: Path) -> None:
    """Bale: plain text only, no setMyCommands; the emulator refuses both if used."""
    async with Emulator(mode="bale") as emulator:
        settings = make_settings(emulator, tmp_path / "data", bot_platform="bale")
        async with bot_running(settings):
            citizen = Citizen(
                emulator.url,
                user_id=5151,
                first_name="علی",
                settle=store_settled(settings.database_path),
            )
            try:
                replies = await citizen.sends_command("/start")
                assert replies[-1].buttons
                replies = await citizen.sends_command("/help")
                assert replies[-1].text
            finally:
                await citizen.close()
        methods = {call.method for call in emulator.calls}
        assert "setMyCommands" not in methods
        assert all(call.ok for call in emulator.calls if call.method == "sendMessage")
        assert not any("parse_mode" in call.params for call in emulator.calls)


async def test_a_whole_application_on_bale(tmp_path: Path) -> None:
    """On Bale: the contact card may come without user_id, and no call may use parse_mode."""
    async with Emulator(mode="bale") as emulator:
        settings = make_settings(emulator, tmp_path / "data", bot_platform="bale")
        async with bot_running(settings) as running:
            citizen = Citizen(
                emulator.url,
                user_id=6161,
                first_name="فاطمه",
                settle=store_settled(settings.database_path),
            )
            try:
                await open_application(citizen)
                await citizen.presses(_("✅ I agree"))
                await citizen.shares_contact(phone="+989161234567", omit_user_id=True)
                await citizen.says("فاطمه رضایی")
                await citizen.says(national_code(61))
                await citizen.says("۱۳۶۸/۱۱/۲۰")
                await business(citizen, amount="۱۰۰ میلیون")
                await upload_all(citizen, 5, seed=61)
                done = await submit(citizen)
            finally:
                await citizen.close()
            store = running.application.services.store
            registered = await store.citizens.get_by_platform_user("bale", 6161)
            assert registered is not None and registered.phone == "+989161234567"
            (app,) = await store.applications.list_for_citizen(registered.id)
            assert app.status is ApplicationStatus.SUBMITTED and app.tracking_code
            assert format_tracking_code(app.tracking_code) in done[-1].content
        assert all(call.ok for call in emulator.calls if call.method != "getUpdates")
        assert not any("parse_mode" in call.params for call in emulator.calls)
        assert "setMyCommands" not in {call.method for call in emulator.calls}


async def test_an_html_502_is_one_warning_line_in_the_bot_log(tmp_path: Path) -> None:
    """The bot as a process, its log read back: a proxy's HTML 502 on a notification is one
    warning line, no traceback, and the notification still arrives; a 502 on a reply leaves
    no traceback either, and the reply arrives."""
    from botapi_emulator import FaultConfig
    from botapi_emulator.users import user_json
    from domain.notifications import OutboxKind, OutboxMessage
    from storage import Store
    from tests.conftest import BOT_TOKEN
    from tests.e2e.process import BotProcess

    log_file = tmp_path / "bot.log"
    data_dir = tmp_path / "data"
    async with Emulator(mode="telegram") as emulator:
        # The reply's retry after its 502 comes 0.05 s later instead of 0.5 s.
        process = BotProcess(emulator, data_dir, log_file=log_file, REPLY_RETRY_SECONDS="0.05")
        await process.start()
        try:
            chat_id = 5252
            emulator.bot(BOT_TOKEN).chat(user_json(chat_id, "مریم"))
            emulator.faults = FaultConfig(rate_502=1.0, count=1, methods=frozenset({"sendMessage"}))
            store = await Store.open(data_dir / "homebiz.db")
            try:
                await store.outbox.enqueue(
                    OutboxMessage(
                        chat_id=chat_id,
                        kind=OutboxKind.OFFICER_ALERT.value,
                        text="پیام آزمایشی",
                        urgent=True,
                        dedupe_key="test:502",
                    )
                )
            finally:
                await store.close()
            citizen = Citizen(
                emulator.url,
                user_id=chat_id,
                first_name="مریم",
                settle=store_settled(data_dir / "homebiz.db"),
            )
            try:
                arrived = await citizen.wait_for_message(
                    timeout=30, predicate=lambda m: m.content == "پیام آزمایشی"
                )
                assert arrived
                emulator.faults = FaultConfig(
                    rate_502=1.0, count=1, methods=frozenset({"sendMessage"})
                )
                replies = await citizen.sends_command("/start", timeout=30)
                assert replies and replies[0].buttons, "the reply arrives after the 502"
            finally:
                await citizen.close()
        finally:
            await process.stop()
        faults = [c for c in emulator.calls if c.fault == "502"]
        assert len(faults) == 2

    log = log_file.read_text(encoding="utf-8")
    assert "Traceback" not in log and "Can not load invalid JSON" not in log, log
    assert not any(" ERROR " in line for line in log.splitlines()), log
    told = [line for line in log.splitlines() if "bot.workers.sender:" in line and "502" in line]
    assert len(told) == 1, log
    assert " WARNING " in told[0] and "Bad Gateway (502); retry 1" in told[0], log
    # The reply's retry is logged by bot.updates.reply_sender (one line, no traceback).
