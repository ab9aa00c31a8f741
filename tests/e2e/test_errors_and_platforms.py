"""The one error handler, log hygiene, and the same walk on Bale's flavour of the API."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from bot.formatting import format_tracking_code
from bot.i18n import _
from botapi_emulator import Citizen, Emulator
from domain.statuses import ApplicationStatus
from tests.conftest import RunningBot, bot_running, make_settings
from tests.e2e.application_walk import (
    business,
    national_code,
    open_application,
    submit,
    upload_all,
)

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
    record = next(r for r in caplog.records if r.name == "bot.errors")
    assert f"user={citizen.user_id}" in record.getMessage()
    assert record.exc_info is not None  # the traceback is logged


def test_logs_never_show_a_national_code_or_phone_in_clear(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.logging_setup import configure_logging

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
            citizen = Citizen(emulator.url, user_id=5151, first_name="علی")
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
            citizen = Citizen(emulator.url, user_id=6161, first_name="فاطمه")
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
