"""The poller against a Bot API that answers badly: it asks again, it does not stop."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from telegram.error import EndPointNotFound

from bot.api_client import BotApiClient
from bot.polling import UpdatePoller

TOKEN = "123456:poll-token"


async def _serve(answers: list[web.Response]) -> tuple[web.AppRunner, str, list[int]]:
    """A loopback Bot API whose getUpdates gives ``answers`` in turn, then empty batches."""
    asked: list[int] = []

    async def get_updates(request: web.Request) -> web.Response:
        asked.append(1)
        if len(asked) <= len(answers):
            return answers[len(asked) - 1]
        return web.json_response({"ok": True, "result": []})

    app = web.Application()
    app.router.add_post(f"/bot{TOKEN}/getUpdates", get_updates)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/bot{TOKEN}", asked


def _poller(api: BotApiClient) -> UpdatePoller:
    # Only what a poll that brings no update touches: the client and the backlog.
    pipeline: Any = SimpleNamespace(
        receiver=SimpleNamespace(dispatcher=SimpleNamespace(backlog=0)), api=api
    )
    # Retried after 10 ms, not production's 1 s, 2 s, ...: the test is about asking again.
    return UpdatePoller(  # type: ignore[arg-type]
        SimpleNamespace(bot=None), pipeline, poll_timeout=0, first_retry_seconds=0.01
    )


async def test_a_page_that_is_not_the_bot_apis_json_is_asked_again() -> None:
    # A proxy's page with a 200, then a JSON answer without a list: neither stops polling.
    answers = [
        web.Response(text="<html>maintenance</html>", content_type="text/html"),
        web.json_response({"ok": True, "result": {"not": "a list"}}),
    ]
    runner, url, asked = await _serve(answers)
    try:
        async with BotApiClient(url) as api:
            poller = _poller(api)
            stop = asyncio.Event()
            run = asyncio.create_task(poller.run(stop))
            async with asyncio.timeout(10):
                while len(asked) < 3:  # noqa: ASYNC110 - the server counts, no event
                    await asyncio.sleep(0.01)
            assert not run.done(), "the poller stopped on a bad answer"
            stop.set()
            await asyncio.wait_for(run, timeout=5)
    finally:
        await runner.cleanup()


async def test_a_rejected_token_stops_polling() -> None:
    answers = [
        web.json_response(
            {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
        )
    ]
    runner, url, _asked = await _serve(answers)
    try:
        async with BotApiClient(url) as api:
            with pytest.raises(EndPointNotFound):
                await asyncio.wait_for(_poller(api).run(asyncio.Event()), timeout=10)
    finally:
        await runner.cleanup()
