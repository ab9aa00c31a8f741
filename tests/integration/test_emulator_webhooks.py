"""The emulator delivers updates to a set webhook as the platforms do."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from botapi_emulator import Citizen, Emulator
from botapi_emulator.state import Mode

TOKEN = "424242:webhook-test"


class Receiver:
    """A webhook that answers 500 to the first ``failures`` requests, then 200."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.seen: list[tuple[dict[str, Any], str | None]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500)
        return web.Response(status=200)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


async def _walk(mode: Mode, secret: str | None) -> tuple[Receiver, Emulator, dict[str, Any]]:
    async with Emulator(mode=mode) as emulator, Receiver(failures=2) as hook:
        params: dict[str, Any] = {"url": hook.url}
        if secret is not None:
            params["secret_token"] = secret
        status, body = await emulator.call(TOKEN, "setWebhook", params, {})
        assert status == 200, body
        status, _body = await emulator.call(TOKEN, "getUpdates", {}, {})
        assert status == 409  # no polling while a webhook is set
        async with Citizen(emulator.url, 77, "Sara", wait="none") as citizen:
            await citizen.says("first")
            await citizen.says("second")
            while len(emulator.bot(TOKEN).updates) > 0:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        _status, info = await emulator.call(TOKEN, "getWebhookInfo", {}, {})
        await emulator.call(TOKEN, "deleteWebhook", {}, {})
        status, _body = await emulator.call(TOKEN, "getUpdates", {"timeout": 0}, {})
        assert status == 200
        return hook, emulator, info["result"]


async def test_telegram_flavour_sends_the_secret_and_retries_until_2xx() -> None:
    hook, _emulator, info = await _walk("telegram", "s3cret_value-1")
    texts = [update["message"]["text"] for update, _secret in hook.seen]
    # The first update was refused twice and delivered again; the second came after it.
    assert texts == ["first", "first", "first", "second"]
    assert {secret for _update, secret in hook.seen} == {"s3cret_value-1"}
    assert "500" in info["last_error_message"] and info["pending_update_count"] == 0


async def test_bale_flavour_has_no_secret_header() -> None:
    hook, _emulator, _info = await _walk("bale", None)
    assert [secret for _update, secret in hook.seen] == [None] * 4
    async with Emulator(mode="bale") as emulator:
        status, _body = await emulator.call(
            TOKEN, "setWebhook", {"url": "https://x.example/h", "secret_token": "abc"}, {}
        )
        assert status == 400


async def test_plain_http_is_refused_beyond_loopback() -> None:
    async with Emulator() as emulator:
        status, _body = await emulator.call(TOKEN, "setWebhook", {"url": "http://x.example/h"}, {})
        assert status == 400
