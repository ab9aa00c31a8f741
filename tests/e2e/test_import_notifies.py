"""A bank-report import reaches the citizen: the running bot's sender delivers the notification."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from botapi_emulator import Citizen
from domain.statuses import ApplicationStatus as S
from services.imports.bank_import import import_bank_report
from tests.conftest import RunningBot
from tests.integration.office_seed import NATIONAL, NO_QUIET, TRACKING, seed_application
from texts.formatting import format_toman, to_persian_digits

REPORT = (
    "کد رهگیری,کد ملی,بانک,شعبه,مبلغ,تاریخ پرداخت\n"
    "{code},{national},بانک ملت,مرکزی,{amount},۱۴۰۴/۰۸/۱۵\n"
)


def _is_payment(code: str, amount: int) -> object:
    def matches(message: object) -> bool:
        text = getattr(message, "text", None) or ""
        return to_persian_digits(code) in text and format_toman(amount) in text

    return matches


async def _introduced(bot: RunningBot, citizen: Citizen, code: str, national: str) -> int:
    await citizen.sends_command("/start")  # the citizen's row and private chat
    app = await seed_application(
        bot.application.services.store,
        user_id=citizen.user_id,
        status=S.INTRODUCED_TO_BANK,
        tracking_code=code,
        national_code=national,
    )
    return app.id


async def test_in_process_import_notifies_the_citizen(
    bot: RunningBot, citizen: Citizen, tmp_path: Path
) -> None:
    app_id = await _introduced(bot, citizen, TRACKING[0], NATIONAL[0])
    path = tmp_path / "mellat.csv"
    path.write_text(
        REPORT.format(code=TRACKING[0], national="", amount="۲٬۰۰۰٬۰۰۰٬۰۰۰"), encoding="utf-8"
    )
    services = bot.application.services
    result = await import_bank_report(
        services.store,
        services.catalogue,
        path,
        tz=services.settings.zone,
        quiet_hours=NO_QUIET,
        wake=services.wake_sender,
    )
    assert result.applied, result.problems
    message = await citizen.wait_for_message(
        timeout=15, predicate=_is_payment(TRACKING[0], 2_000_000_000)
    )
    assert "پرداخت شد" in (message.text or "")
    app = await services.store.applications.get(app_id)
    assert app is not None and app.status is S.PAID


async def test_homebiz_command_notifies_through_the_running_bot(
    bot: RunningBot, citizen: Citizen, tmp_path: Path
) -> None:
    """The CLI process only writes the outbox; the bot's sender finds and delivers it."""
    await _introduced(bot, citizen, TRACKING[1], NATIONAL[1])
    path = tmp_path / "report.csv"
    path.write_text(
        REPORT.format(code="", national=NATIONAL[1], amount="1500000000"), encoding="utf-8"
    )
    env = {
        **os.environ,
        "DATA_DIR": str(bot.settings.data_dir),
        "QUIET_HOURS_START": "0",
        "QUIET_HOURS_END": "0",
    }
    env.pop("BOT_TOKEN", None)
    env.pop("DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "import-bank-report",
        str(path),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, (out.decode(), err.decode())
    assert "انجام شد" in out.decode()
    message = await citizen.wait_for_message(
        timeout=15, predicate=_is_payment(TRACKING[1], 1_500_000_000)
    )
    assert "پرداخت شد" in (message.text or "")
