"""Two platforms and the process's web parts: a webhook per bot, one /healthz and /metrics,
`homebiz webhook` for each bot, and a Bale officer on the web desk (issue 13 with i13-ops
and i12-desk).

The emulator's own default flavour is Bale here, its Telegram bot Telegram by token: the
secret header goes with each bot's flavour, not the emulator's.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.cli import main
from botapi_emulator import Citizen, Emulator
from config.settings import Settings
from domain.accounts import Account
from tests.conftest import OFFICER_ID, bot_running, free_port, make_settings, webhook_settings
from tests.e2e.test_two_platforms import BALE, SAME_NUMBER, TELEGRAM
from tests.settle import store_settled
from texts.formatting import to_persian_digits
from texts.i18n import _
from texts.labels import platform_name

_LINK = re.compile(r"https?://\S+/signin/\S+")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(mode="bale", modes={TELEGRAM: "telegram", BALE: "bale"}) as emu:
        yield emu


def two_bots(emulator: Emulator, data_dir: Path, **overrides: object) -> Settings:
    urls = {
        f"{platform}_{kind}_base_url": url
        for platform in ("telegram", "bale")
        for kind, url in (("api", emulator.api_base_url), ("file", emulator.file_base_url))
    }
    return make_settings(
        emulator,
        data_dir,
        bot_token=None,
        bot_api_base_url=None,
        bot_file_base_url=None,
        telegram_bot_token=SecretStr(TELEGRAM),
        bale_bot_token=SecretStr(BALE),
        officer_ids=frozenset({Account("bale", OFFICER_ID)}),
        **urls,
        **overrides,
    )


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_each_bot_receives_by_its_own_webhook_and_one_server_reports_both(
    emulator: Emulator, tmp_path: Path
) -> None:
    settings = two_bots(emulator, tmp_path / "data", **webhook_settings(free_port()))
    base = settings.webhook_base_url
    async with bot_running(settings) as bot:
        telegram_hook = emulator.bot(TELEGRAM).webhook
        bale_hook = emulator.bot(BALE).webhook
        assert telegram_hook is not None and bale_hook is not None
        assert telegram_hook["url"] == f"{base}/webhook/telegram"
        assert len(str(telegram_hook["secret_token"])) >= 32  # proven by the header
        assert bale_hook["secret_token"] is None  # Bale: by the secret path
        assert str(bale_hook["url"]).startswith(f"{base}/webhook/bale/")
        for token, first_name in ((TELEGRAM, "مریم"), (BALE, "زهرا")):
            citizen = Citizen(
                emulator.url,
                SAME_NUMBER,
                first_name,
                bot_token=token,
                settle=store_settled(settings.database_path),
            )
            try:
                assert await citizen.sends_command("/start"), token
            finally:
                await citizen.close()
        for each in bot.application.bots.values():
            assert each.webhook is not None and each.webhook.alive
            assert each.metrics is bot.application.metrics  # one metrics for the process
        status, health = await _get(f"{base}/healthz")
        assert status == 200, health
        assert '"telegram":{"kind":"webhook","alive":true}' in health
        assert '"bale":{"kind":"webhook","alive":true}' in health
        status, metrics = await _get(f"{base}/metrics")
        assert status == 200
        for platform in ("telegram", "bale"):
            assert f'homebiz_rate_limited_total{{platform="{platform}"}}' in metrics
            assert re.search(
                rf'homebiz_updates_handled_total{{[^}}]*platform="{platform}"', metrics
            )
        # Webhook mode keeps both webhooks: neither bot deleted its own.
        assert not [c for c in emulator.calls if c.method == "deleteWebhook"]


async def test_the_webhook_command_acts_on_each_configured_bot(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "TELEGRAM_BOT_TOKEN": TELEGRAM,
        "BALE_BOT_TOKEN": BALE,
        "TELEGRAM_API_BASE_URL": emulator.api_base_url,
        "TELEGRAM_FILE_BASE_URL": emulator.file_base_url,
        "BALE_API_BASE_URL": emulator.api_base_url,
        "BALE_FILE_BASE_URL": emulator.file_base_url,
        "DATA_DIR": str(tmp_path / "data"),
        "WEBHOOK_BASE_URL": "https://bot.example.ir",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("BOT_TOKEN", "BOT_PLATFORM", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert await asyncio.to_thread(main, ["webhook", "set"]) == 0
    telegram_hook = emulator.bot(TELEGRAM).webhook
    bale_hook = emulator.bot(BALE).webhook
    assert telegram_hook is not None and bale_hook is not None
    assert telegram_hook["url"] == "https://bot.example.ir/webhook/telegram"
    secret = str(bale_hook["url"]).rsplit("/", 1)[1]
    assert bale_hook["url"] == f"https://bot.example.ir/webhook/bale/{secret}"
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["webhook", "info"]) == 0
    shown = capsys.readouterr().out
    assert "telegram: " in shown and "https://bot.example.ir/webhook/telegram" in shown
    assert "bale: " in shown and "https://bot.example.ir/webhook/bale/<secret>" in shown
    assert secret not in shown
    assert await asyncio.to_thread(main, ["webhook", "delete"]) == 0
    assert emulator.bot(TELEGRAM).webhook is None and emulator.bot(BALE).webhook is None


async def test_a_bale_officer_signs_in_to_the_web_desk_and_the_telegram_namesake_cannot(
    emulator: Emulator, tmp_path: Path
) -> None:
    settings = two_bots(emulator, tmp_path / "data")
    async with bot_running(settings) as bot:
        settle = store_settled(settings.database_path)
        officer = Citizen(emulator.url, OFFICER_ID, "کارشناس", bot_token=BALE, settle=settle)
        namesake = Citizen(emulator.url, OFFICER_ID, "کارشناس", bot_token=TELEGRAM, settle=settle)
        try:
            await officer.sends_command("/officer")
            replies = await officer.presses(_("🖥 Web desk"))
            links = [m for r in replies if (m := _LINK.search(r.content))]
            assert links, [r.content for r in replies]
            await namesake.sends_command("/officer")
            assert not any("/signin/" in t for t in emulator.delivered_texts(OFFICER_ID, TELEGRAM))
        finally:
            await officer.close()
            await namesake.close()
        link = links[-1].group()
        token = link.rsplit("/", 1)[1]
        web = bot.application.web
        assert web is not None and link.startswith(web.local_url)
        # unsafe: keep the cookie of an IP address (the desk listens on 127.0.0.1).
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.post(
                f"{web.local_url}/signin", data={"token": token}, allow_redirects=False
            ) as response:
                assert response.status == 303, await response.text()
            async with session.get(f"{web.local_url}/") as dashboard:
                assert dashboard.status == 200
            # The admin's officers page names each account's messenger; an officer is added
            # on the messenger the form names.
            async with session.get(f"{web.local_url}/officers") as officers_page:
                html = await officers_page.text()
            assert officers_page.status == 200, html
            assert f"{to_persian_digits(OFFICER_ID)} ({platform_name('bale')})" in html
            csrf = re.search(r'name="csrf" value="([^"]+)"', html)
            assert csrf is not None
            form = {"csrf": csrf.group(1), "user_id": "777", "platform": "telegram"}
            async with session.post(
                f"{web.local_url}/officers/add", data=form, allow_redirects=False
            ) as added:
                assert added.status in (302, 303), await added.text()
        store = bot.application.services.store
        assert await store.officers.is_officer_now(Account("telegram", 777))
        assert not await store.officers.is_officer_now(Account("bale", 777))
        actors = {e.actor for e in await store.audit.list(f"officer:bale:{OFFICER_ID}")}
        assert actors == {f"officer:bale:{OFFICER_ID}"}
        actions = [e.action for e in await store.audit.list(f"officer:bale:{OFFICER_ID}")]
        assert "desk_link" in actions and "desk_sign_in" in actions
