"""Receiving by webhook: the platform POSTs updates; only authentic, stored ones are answered 200.

Telegram proves a request with the secret header, Bale with a secret path segment; a forged
request changes nothing. The emulator delivers as the platforms do (retrying non-2xx).
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from botapi_emulator import Citizen, Emulator, FaultConfig
from tests.conftest import (
    BOT_TOKEN,
    RunningBot,
    bot_running,
    free_port,
    make_settings,
    webhook_settings,
)
from tests.settle import read_rows, store_settled

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "Mallory"}
    message = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
        "from": user,
        "text": text,
    }
    return {"update_id": update_id, "message": message}


async def _post(url: str, body: dict[str, object], headers: dict[str, str] | None = None) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers or {}) as response,
    ):
        return response.status


def _inbox(bot: RunningBot) -> list[tuple[object, ...]]:
    return read_rows(bot.settings.database_path, "SELECT update_id FROM inbox_updates")


async def test_a_citizen_is_answered_by_webhook_and_polling_is_refused(
    emulator: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(emulator, tmp_path / "data", **webhook_settings(free_port()))
    async with bot_running(settings) as bot:
        citizen = Citizen(emulator.url, 5101, "مریم", settle=store_settled(settings.database_path))
        try:
            replies = await citizen.sends_command("/start")
            assert replies, "the bot answered by webhook"
        finally:
            await citizen.close()
        assert bot.application.webhook is not None and bot.application.webhook.alive
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{settings.webhook_base_url}/healthz") as health,
        ):
            assert health.status == 200
            assert '"telegram":{"kind":"webhook","alive":true}' in await health.text()
        hook = emulator.bot(BOT_TOKEN).webhook
        assert hook is not None and hook["url"] == f"{settings.webhook_base_url}/webhook/telegram"
        assert len(str(hook["secret_token"])) >= 32
        # Webhook mode keeps the webhook: no deleteWebhook at start, and getUpdates gets 409.
        assert not [c for c in emulator.calls if c.method == "deleteWebhook"]
        status, _body = await emulator.call(BOT_TOKEN, "getUpdates", {}, {})
        assert status == 409


async def test_forged_requests_change_nothing(emulator: Emulator, tmp_path: Path) -> None:
    settings = make_settings(emulator, tmp_path / "data", **webhook_settings(free_port()))
    async with bot_running(settings) as bot:
        url = f"{settings.webhook_base_url}/webhook/telegram"
        forged = _update(900_001, 5202, "/start")
        assert await _post(url, forged) == 403
        assert await _post(url, forged, {SECRET_HEADER: "x" * 43}) == 403
        assert await _post(url + "/anything", forged) in (404, 405)
        assert _inbox(bot) == []
        assert emulator.delivered_texts(5202) == []
        # The right secret, twice (a re-delivery): stored once, both answered 200.
        address = bot.application.webhook
        assert address is not None
        assert address.forged == 2
        right = {SECRET_HEADER: address.address.secret}
        assert await _post(url, forged, right) == 200
        assert await _post(url, forged, right) == 200
        assert _inbox(bot) == [(900_001,)]


async def test_bale_proves_by_path_and_a_wrong_path_is_404(tmp_path: Path) -> None:
    async with Emulator(mode="bale") as emulator:
        settings = make_settings(
            emulator, tmp_path / "data", bot_platform="bale", **webhook_settings(free_port())
        )
        async with bot_running(settings) as bot:
            hook = emulator.bot(BOT_TOKEN).webhook
            assert hook is not None and hook["secret_token"] is None
            base = f"{settings.webhook_base_url}/webhook/bale"
            secret = str(hook["url"]).rsplit("/", 1)[1]
            assert len(secret) >= 32
            # The secret is kept in the data dir: the same URL after a restart.
            kept = settings.data_dir / "webhook-secret-bale"
            assert kept.read_text() == secret
            assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # the owner's alone
            forged = _update(900_002, 5303, "/start")
            assert await _post(f"{base}/{'a' * 43}", forged) == 404
            assert await _post(base, forged) in (404, 405)
            assert _inbox(bot) == []
            citizen = Citizen(
                emulator.url, 5303, "علی", settle=store_settled(settings.database_path)
            )
            try:
                assert await citizen.sends_command("/start")
            finally:
                await citizen.close()
            set_calls = [c for c in emulator.calls if c.method == "setWebhook"]
            assert set_calls and set(set_calls[-1].params) == {"url"}


async def test_updates_wait_on_the_platform_while_the_bot_is_down(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Non-2xx (nobody listening, or 503 while stopping) keeps the update on the platform."""
    port = free_port()
    settings = make_settings(emulator, tmp_path / "data", **webhook_settings(port))
    async with bot_running(settings):
        pass  # registered the webhook, then stopped: the platform's webhook stays set
    citizen = Citizen(emulator.url, 5404, "زهرا", settle=store_settled(settings.database_path))
    try:
        await citizen.sends_command("/start", wait="none")
        await asyncio.sleep(0.5)  # delivery fails meanwhile and is retried
        state = emulator.bot(BOT_TOKEN)
        assert len(state.updates) == 1
        assert state.delivery is not None and state.delivery.last_error_message
        async with bot_running(settings):
            await citizen.wait_for_message(30, lambda m: bool(m.content))
    finally:
        await citizen.close()
    assert emulator.bot(BOT_TOKEN).updates == []


async def test_the_webhook_command_sets_shows_and_deletes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with Emulator(mode="bale") as emulator:
        for name, value in {
            "BOT_TOKEN": BOT_TOKEN,
            "BOT_PLATFORM": "bale",
            "BOT_API_BASE_URL": emulator.api_base_url,
            "BOT_FILE_BASE_URL": emulator.file_base_url,
            "DATA_DIR": str(tmp_path / "data"),
            "WEBHOOK_BASE_URL": "https://bot.example.ir",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("DATABASE_URL", raising=False)
        assert await asyncio.to_thread(main, ["webhook", "set"]) == 0
        hook = emulator.bot(BOT_TOKEN).webhook
        assert hook is not None
        secret = str(hook["url"]).rsplit("/", 1)[1]
        assert str(hook["url"]) == f"https://bot.example.ir/webhook/bale/{secret}"
        assert await asyncio.to_thread(main, ["webhook", "info"]) == 0
        shown = capsys.readouterr().out
        assert "https://bot.example.ir/webhook/bale/<secret>" in shown
        assert secret not in shown
        assert await asyncio.to_thread(main, ["webhook", "delete"]) == 0
        assert emulator.bot(BOT_TOKEN).webhook is None


async def test_an_update_that_cannot_be_stored_is_refused_with_503(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(emulator, tmp_path / "data", **webhook_settings(free_port()))
    async with bot_running(settings) as bot:
        endpoint = bot.application.webhook
        assert endpoint is not None
        url = f"{settings.webhook_base_url}/webhook/telegram"
        right = {SECRET_HEADER: endpoint.address.secret}

        async def broken(_updates: object) -> int:
            raise OSError("disk full")

        with monkeypatch.context() as patch:
            patch.setattr(endpoint.receiver, "receive", broken)
            assert await _post(url, _update(900_010, 5505, "/start"), right) == 503
        endpoint.max_backlog = -1  # more stored updates wait than the bot takes
        assert await _post(url, _update(900_011, 5505, "/start"), right) == 503
        endpoint.max_backlog = 5000
        endpoint.stop()  # shutting down
        assert await _post(url, _update(900_012, 5505, "/start"), right) == 503
        assert _inbox(bot) == []
        endpoint.accepting = True
        assert await _post(url, _update(900_012, 5505, "/start"), right) == 200
        assert _inbox(bot) == [(900_012,)]


async def test_a_platform_out_of_reach_at_start_is_asked_again(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.faults = FaultConfig(rate_500=1.0, methods=frozenset({"setWebhook"}), count=1)
    settings = make_settings(emulator, tmp_path / "data", **webhook_settings(free_port()))
    async with bot_running(settings) as bot:
        endpoint = bot.application.webhook
        assert endpoint is not None
        assert not endpoint.alive  # started all the same; /healthz says it is not receiving
        async with asyncio.timeout(30):
            while not endpoint.alive:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        assert emulator.bot(BOT_TOKEN).webhook is not None
