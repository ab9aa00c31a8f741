"""A lean Bot API client for the bot's own sends: one aiohttp session per bot.

The reply sender posts every committed reply through it instead of python-telegram-bot's
request objects and httpx, which cost more CPU per call than the handling of the update that
made the reply. What goes over the wire is what PTB sends (``telegram/request``): the
values as form fields (a string as it is, anything else JSON-encoded), urlencoded, or
multipart/form-data when a file is uploaded, PTB's User-Agent, the bot's base URL. An
answer other than 2xx raises PTB's own exception, chosen as PTB chooses it, so the callers'
retry and drop rules read the same. The token is part of the URL only: never of an error.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import ssl
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram import InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest
from yarl import URL

from storage.replies import FilePart

JSONDict = dict[str, Any]

# How long a send may take to connect and to be answered; PTB's request for the Bot's other
# calls uses the same (bot.app.make_bot).
CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 15.0
# getUpdates: how long past its long poll the platform may take to answer.
LONG_POLL_READ_TIMEOUT_SECONDS = 35.0

_HEADERS = {"User-Agent": BaseRequest.USER_AGENT}
_LARGE_BODY = 1 << 20  # aiohttp warns of a body of raw bytes above this size
_FORM = {**_HEADERS, "Content-Type": "application/x-www-form-urlencoded"}

# A multipart field name or file name is quoted the way httpx (PTB's client) quotes it.
_FORM_QUOTES = {'"': "%22", "\\": "\\\\"} | {chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}
_FORM_QUOTE_RE = re.compile("|".join(re.escape(c) for c in _FORM_QUOTES))


class BotApiClient:
    """Posts Bot API methods of one bot; ``start`` before the first call, ``close`` at the end."""

    def __init__(
        self,
        base_url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        connections: int = 16,
    ) -> None:
        self._base = base_url.rstrip("/")  # ends with the token: never shown
        self._ssl = ssl_context
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout, sock_read=read_timeout
        )
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[str, URL] = {}
        self._proxy: URL | None = None
        self._proxy_auth: aiohttp.BasicAuth | None = None

    async def start(self) -> None:
        """Open the session (in the running loop: aiohttp binds it there)."""
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                limit_per_host=self._connections,
                ssl=self._ssl if self._ssl is not None else True,
            )
            # A proxy set by HTTPS_PROXY / HTTP_PROXY (and NO_PROXY) is used, read once as PTB's
            # httpx client reads it. Not aiohttp's trust_env: it reads the environment and
            # ~/.netrc again in a worker thread at every request (two thread hops per send).
            with contextlib.suppress(LookupError):
                self._proxy, self._proxy_auth = get_env_proxy_for_url(URL(self._base))
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)

    async def close(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> BotApiClient:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def post(
        self,
        method: str,
        params: JSONDict,
        file: FilePart | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        """Call ``method`` with ``params`` (JSON values) and an upload; return its ``result``.

        ``read_timeout`` replaces the client's for this call (a long poll adds its own).
        Raises what PTB raises for the same answer: Forbidden, BadRequest, RetryAfter,
        ChatMigrated, EndPointNotFound, Conflict, NetworkError (5xx, connection), TimedOut.
        """
        if self._session is None:
            raise RuntimeError("BotApiClient.start() was not called")
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        if file is None:
            body, headers = urlencode(fields).encode(), _FORM
        else:
            body, headers = _multipart(fields, file)
        # A large upload is written in chunks, giving the loop its turns between them.
        data: bytes | io.BytesIO = body if len(body) <= _LARGE_BODY else io.BytesIO(body)
        try:
            # A redirect is an answer, as to PTB's client (httpx follows none).
            async with self._session.post(
                self._url(method),
                data=data,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy,
                proxy_auth=self._proxy_auth,
                timeout=self._timeout_reading(read_timeout),
            ) as resp:
                status, payload = resp.status, await resp.read()
        except TimeoutError as exc:  # aiohttp's socket timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {self._masked(exc)}") from None
        except Exception as exc:  # as PTB: whatever else the HTTP layer raises may pass
            raise NetworkError(
                f"Unknown error in HTTP implementation: {type(exc).__name__}: {self._masked(exc)}"
            ) from None
        if 200 <= status <= 299:
            try:
                return json.loads(payload)["result"]
            except (ValueError, KeyError, TypeError) as exc:
                raise TelegramError("Invalid server response") from exc
        raise _error(method, status, payload)

    def _timeout_reading(self, read_timeout: float | None) -> aiohttp.ClientTimeout:
        if read_timeout is None:
            return self._timeout
        return aiohttp.ClientTimeout(
            total=None, sock_connect=self._timeout.sock_connect, sock_read=read_timeout
        )

    def _url(self, method: str) -> URL:
        url = self._urls.get(method)
        if url is None:
            url = self._urls[method] = URL(f"{self._base}/{method}")
        return url

    def _masked(self, exc: BaseException) -> str:
        """The error's text without the bot's URL (it holds the token)."""
        return str(exc).replace(self._base, "<bot api>")


def message_id_of(result: object) -> int | None:
    """The message id in a call's result (a Message), or None (True, or an implementation
    that leaves it out: the call still went, so it is not sent again for that)."""
    if isinstance(result, dict) and isinstance(result.get("message_id"), int):
        return int(result["message_id"])
    return None


def _error(method: str, status: int, payload: bytes) -> TelegramError:
    """The exception PTB raises for this answer (telegram/request/_baserequest.py)."""
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    try:
        answer = json.loads(payload)
        if not isinstance(answer, dict):
            raise ValueError("not an object")
    except ValueError:  # a proxy's HTML page
        answer = {}
        message += f". Parsing the server response {payload!r} failed"
    message = answer.get("description") or message
    parameters = answer.get("parameters")
    if isinstance(parameters, dict) and parameters:
        if parameters.get("migrate_to_chat_id"):
            return ChatMigrated(parameters["migrate_to_chat_id"])
        if parameters.get("retry_after"):
            return RetryAfter(parameters["retry_after"])
        message += f". The server response contained unknown parameters: {parameters}"
    if status == 403:
        return Forbidden(message)
    if status in (401, 404):
        # What PTB's Bot raises once initialized (as the running bot is): the platform says
        # 404 for a wrong token and for a method it does not have alike.
        return EndPointNotFound(f"Endpoint '{method}' not found in Bot API")
    if status == 400:
        return BadRequest(message)
    if status == 409:
        return Conflict(message)
    return NetworkError(message)


def _multipart(fields: dict[str, str], file: FilePart) -> tuple[bytes, dict[str, str]]:
    """The form as httpx encodes it for PTB: the fields, then the file with its type."""
    boundary = os.urandom(16).hex()
    upload = InputFile(file.data, filename=file.name)  # PTB's file name and type
    chunks: list[bytes] = []
    for name, value in fields.items():
        head = f"--{boundary}\r\nContent-Disposition: form-data; name={_quoted(name)}\r\n\r\n"
        chunks += [head.encode(), value.encode(), b"\r\n"]
    chunks += [
        f"--{boundary}\r\nContent-Disposition: form-data; name={_quoted(file.param)}; "
        f"filename={_quoted(upload.filename)}\r\nContent-Type: {upload.mimetype}\r\n\r\n".encode(),
        file.data,
        f"\r\n--{boundary}--\r\n".encode(),
    ]
    headers = {**_HEADERS, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return b"".join(chunks), headers


def _quoted(value: str) -> str:
    return '"' + _FORM_QUOTE_RE.sub(lambda m: _FORM_QUOTES[m.group(0)], value) + '"'
