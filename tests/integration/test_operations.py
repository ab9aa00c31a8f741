"""/healthz and /metrics on the process's web server, as an operator's monitoring reads them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp

from bot.operations import BotMetrics
from botapi_emulator import Citizen
from tests.conftest import RunningBot
from tests.settle import read_rows


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def _web(bot: RunningBot) -> str:
    assert bot.application.web is not None
    return bot.application.web.local_url


async def test_healthz_is_200_while_everything_lives(bot: RunningBot) -> None:
    await asyncio.sleep(0.1)  # the poller's first answer
    status, body = await _get(_web(bot) + "/healthz")
    assert status == 200, body
    assert '"status":"ok"' in body
    assert '"telegram":{"kind":"polling","alive":true}' in body
    assert '"store":{"ok":true' in body


async def test_healthz_is_503_when_the_receiver_stopped(bot: RunningBot) -> None:
    bot.stop.set()
    await asyncio.wait_for(bot.task, timeout=10)
    status, body = await _get(_web(bot) + "/healthz")
    assert status == 503, body
    assert '"alive":false' in body and '"status":"failing"' in body


async def test_healthz_is_503_when_the_outbox_falls_behind(bot: RunningBot) -> None:
    # A due message nobody sent for an hour (the sender is stopped so it stays so).
    store = bot.application.services.store
    sender = bot.application.services.sender
    assert sender is not None
    await sender.stop()
    an_hour_ago = (store.db.now() - timedelta(hours=1)).isoformat(timespec="microseconds")
    async with store.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO outbox (chat_id, kind, text, dedupe_key, not_before, created_at,"
            " updated_at) VALUES (1, 'reminder', 'x', 'test:1', ?, ?, ?)",
            (an_hour_ago, an_hour_ago, an_hour_ago),
        )
    status, body = await _get(_web(bot) + "/healthz")
    assert status == 503, body
    assert '"outbox":{"ok":false' in body


async def test_metrics_count_updates_by_platform_and_kind(
    bot: RunningBot, citizen: Citizen
) -> None:
    await citizen.sends_command("/start")
    await citizen.presses("❓ راهنما")
    status, text = await _get(_web(bot) + "/metrics")
    assert status == 200
    assert 'homebiz_updates_handled_total{kind="message",platform="telegram"} 2.0' in text
    assert 'homebiz_update_handling_seconds_count{platform="telegram"} 2.0' in text
    for state in ("pending", "sent", "failed", "undeliverable"):
        assert f'homebiz_outbox_messages{{state="{state}"}}' in text
    assert 'homebiz_rate_limited_total{platform="telegram"} 0.0' in text
    assert 'homebiz_send_retries_total{platform="telegram"}' in text
    assert "homebiz_open_tickets 0.0" in text
    assert read_rows(bot.settings.database_path, "SELECT count(*) FROM tickets") == [(0,)]


def test_each_bot_has_its_own_registry() -> None:
    first, second = BotMetrics(), BotMetrics()  # the global registry would refuse the second
    first.observe_update("telegram", "message", 0.01)
    assert b'kind="message"' in first.render()
    assert b'kind="message"' not in second.render()
