"""The bot's own Bot API client (bot.api_client) against python-telegram-bot, over real HTTP.

The same call goes through PTB (what the bot used before) and through the client: the
request a server receives is the same (fields, encoding, upload, User-Agent), and every
answer the platform may give raises the same exception with the same text. Then against the
emulator: a reply sent, an upload, a blocked chat, a 429, a timeout, a refused connection.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot.api_client import BotApiClient
from bot.ratelimit import retry_after_seconds
from botapi_emulator import Emulator, FaultConfig
from botapi_emulator.users import user_json
from storage.replies import FilePart
from tests.conftest import free_port
from tests.integration.ptb_bots import ptb_request

# PTB asks that Bot.do_api_request not be used for methods it has: here it is the point.
pytestmark = pytest.mark.filterwarnings("ignore:Please use 'Bot.:UserWarning")

TOKEN = "123456:SECRET-token-never-shown"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEYBOARD = {"inline_keyboard": [[{"text": "بله", "callback_data": "yes:1"}]]}


@dataclass
class Recorder:
    """A tiny Bot API on loopback: records each request, answers what a test tells it."""

    status: int = 200
    body: bytes = b'{"ok":true,"result":{"message_id":5}}'
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.path, dict(request.headers), await request.read()))
        moved = {"Location": "/elsewhere"} if 300 <= self.status < 400 else None
        return web.Response(
            status=self.status, body=self.body, content_type="application/json", headers=moved
        )


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    rec = Recorder()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield rec, f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


async def through_ptb(base: str, method: str, params: dict[str, Any], **request: Any) -> Any:
    """The call as the bot made it before: PTB's Bot and its httpx request."""
    bot = Bot(TOKEN, base_url=base, request=ptb_request(**request))
    bot._bot_initialized = True  # as the running bot is (it said 404 differently before)
    async with bot.request:
        return await bot.do_api_request(method, api_kwargs=params)


async def through_client(
    base: str, method: str, params: dict[str, Any], file: FilePart | None = None, **options: Any
) -> Any:
    async with BotApiClient(base + TOKEN, **options) as api:
        return await api.post(method, params, file)


async def outcome(call: Awaitable[Any]) -> tuple[str, str, float | None]:
    """What the caller sees: the exception's class, its text and a 429's wait, or the result."""
    try:
        return "result", json.dumps(await call, sort_keys=True), None
    except TelegramError as exc:
        assert "SECRET" not in str(exc) and "SECRET" not in repr(exc)  # never the token
        wait = retry_after_seconds(exc) if isinstance(exc, RetryAfter) else None
        return type(exc).__name__, exc.message, wait


def without_boundary(headers: dict[str, str], body: bytes) -> tuple[str, bytes]:
    kind = headers["Content-Type"]
    match = re.search(r"boundary=(\S+)", kind)
    if match is None:
        return kind, body
    return kind.replace(match.group(1), "B"), body.replace(match.group(1).encode(), b"B")


async def test_a_call_goes_over_the_wire_as_ptb_sends_it(recorder: tuple[Recorder, str]) -> None:
    rec, base = recorder
    params = {"chat_id": 7, "text": "سلام & خوش آمدید", "reply_markup": KEYBOARD, "flag": True}
    await through_ptb(base, "sendMessage", params)
    assert await through_client(base, "sendMessage", params) == {"message_id": 5}
    (ptb_path, ptb_headers, ptb_body), (path, headers, body) = rec.requests
    assert path == ptb_path == f"/bot{TOKEN}/sendMessage"
    assert headers["Content-Type"] == ptb_headers["Content-Type"]
    assert headers["User-Agent"] == ptb_headers["User-Agent"]
    assert body == ptb_body  # urlencoded, nested values JSON-encoded as PTB encodes them


async def test_an_upload_goes_as_the_same_multipart_form(recorder: tuple[Recorder, str]) -> None:
    rec, base = recorder
    params = {"chat_id": 7, "caption": "مدرک «۱»", "reply_markup": KEYBOARD}
    upload = FilePart("document", 'کارت "ملی".pdf', b"%PDF-1.4 data")
    await through_ptb(
        base, "sendDocument", {**params, "document": InputFile(upload.data, filename=upload.name)}
    )
    await through_client(base, "sendDocument", params, upload)
    (_, ptb_headers, ptb_body), (_, headers, body) = rec.requests
    assert headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert without_boundary(headers, body) == without_boundary(ptb_headers, ptb_body)
    assert b"Content-Type: application/pdf" in body


ANSWERS = [
    (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}),
    (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    ),
    (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
    (404, {"ok": False, "error_code": 404, "description": "Not Found"}),
    (409, {"ok": False, "error_code": 409, "description": "Conflict: terminated by other"}),
    (429, {"ok": False, "description": "Too Many Requests", "parameters": {"retry_after": 7}}),
    (400, {"ok": False, "description": "migrated", "parameters": {"migrate_to_chat_id": -100}}),
    (400, {"ok": False, "description": "odd", "parameters": {"something": 1}}),
    (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
    (502, "<html><body>502 Bad Gateway</body></html>"),
    (418, {"ok": False}),
    (302, {"ok": False}),  # followed by neither
    (200, {"ok": True, "result": True}),
]


@pytest.mark.parametrize(("status", "answer"), ANSWERS)
async def test_every_answer_means_what_it_meant_to_ptb(
    recorder: tuple[Recorder, str], status: int, answer: object
) -> None:
    rec, base = recorder
    rec.status = status
    rec.body = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
    params = {"chat_id": 7, "text": "x"}
    expected = await outcome(through_ptb(base, "sendMessage", params))
    assert await outcome(through_client(base, "sendMessage", params)) == expected


async def test_a_large_upload_goes_whole_without_blocking_the_loop(emulator: Emulator) -> None:
    emulator.bot(TOKEN).chat(user_json(7, "شهروند"))
    big = b"%PDF-1.4\n" + bytes(range(256)) * 12_000  # ~3 MB
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # aiohttp's warning for raw bytes
        sent = await through_client(
            emulator.api_base_url,
            "sendDocument",
            {"chat_id": 7},
            FilePart("document", "big.pdf", big),
        )
    assert emulator.files[sent["document"]["file_id"]].data == big


async def test_against_the_emulator_what_the_reply_sender_relies_on(emulator: Emulator) -> None:
    state = emulator.bot(TOKEN)
    state.chat(user_json(7, "شهروند"))
    state.chat(user_json(8, "مسدود")).blocked = True
    base = emulator.api_base_url
    async with BotApiClient(base + TOKEN) as api:
        sent = await api.post(
            "sendMessage", {"chat_id": 7, "text": "سلام", "reply_markup": KEYBOARD}
        )
        assert sent["text"] == "سلام"
        assert sent["reply_markup"] == KEYBOARD
        photo = await api.post("sendPhoto", {"chat_id": 7}, FilePart("photo", "a.png", PNG))
        assert photo["photo"]
        document = await api.post(
            "sendDocument",
            {"chat_id": 7, "caption": "مدرک"},
            FilePart("document", "x.pdf", b"%PDF"),
        )
        assert document["document"]["file_name"] == "x.pdf"
        assert emulator.files[document["document"]["file_id"]].data == b"%PDF"

    async def both(method: str, params: dict[str, Any]) -> None:
        expected = await outcome(through_ptb(base, method, params))
        assert await outcome(through_client(base, method, params)) == expected

    await both("sendMessage", {"chat_id": 8, "text": "x"})  # 403: blocked
    await both("sendMessage", {"chat_id": 999, "text": "x"})  # 400: no such chat
    await both("noSuchMethod", {})  # 404
    emulator.faults = FaultConfig(rate_429=1.0, retry_after=3, count=2)
    await both("sendMessage", {"chat_id": 7, "text": "x"})
    emulator.faults = FaultConfig(rate_500=1.0, count=2)
    await both("sendMessage", {"chat_id": 7, "text": "x"})
    emulator.faults = FaultConfig(rate_502=1.0, count=2)
    await both("sendMessage", {"chat_id": 7, "text": "x"})


@pytest.mark.parametrize(
    ("what", "call"),
    [
        (
            "a platform that answers too late",
            lambda base: through_client(
                base, "sendMessage", {"chat_id": 7, "text": "x"}, read_timeout=0.1
            ),
        ),
        (
            "a refused connection",
            lambda _base: through_client(f"http://127.0.0.1:{free_port()}/bot", "getMe", {}),
        ),
    ],
)
async def test_no_answer_is_a_network_error_to_retry(
    emulator: Emulator, what: str, call: Callable[[str], Awaitable[Any]]
) -> None:
    emulator.bot(TOKEN).chat(user_json(7, "شهروند"))
    emulator.faults = FaultConfig(rate_delay=1.0, delay_seconds=1.0)
    with pytest.raises(NetworkError) as caught:
        await call(emulator.api_base_url)
    assert "SECRET" not in str(caught.value)
    if what == "a platform that answers too late":
        assert isinstance(caught.value, TimedOut)  # PTB's class: the reply sender retries it


async def test_a_call_before_start_is_a_mistake() -> None:
    with pytest.raises(RuntimeError):
        await BotApiClient("http://127.0.0.1:1/bot" + TOKEN).post("getMe", {})


async def test_a_proxy_in_the_environment_is_used_as_ptb_uses_it(
    recorder: tuple[Recorder, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the platform is reached through HTTP(S)_PROXY, both clients go through it."""
    rec, base = recorder
    proxy = base.removesuffix("/bot")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    far = "http://api.platform.invalid/bot"  # not resolvable: only the proxy can reach it
    await through_ptb(far, "sendMessage", {"chat_id": 7, "text": "x"})
    assert await through_client(far, "sendMessage", {"chat_id": 7, "text": "x"})
    (_, ptb_headers, _), (_, headers, _) = rec.requests
    assert headers["Host"] == ptb_headers["Host"] == "api.platform.invalid"
