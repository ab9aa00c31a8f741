"""The Emulator: Core plus an aiohttp server for the Bot API, file downloads and /_client."""

from __future__ import annotations

from types import TracebackType

from aiohttp import web

from . import methods_messages, methods_misc
from .client_api import ClientApi
from .core import Core
from .errors import HTML_KEY, NOT_FOUND, UNAUTHORIZED, ApiError
from .params import read_params
from .state import MAX_DOWNLOAD, TOKEN_RE, Mode

MAX_REQUEST = 80 * 1024 * 1024


class Emulator(Core):
    """A Telegram/Bale Bot API emulator on loopback, usable in-process."""

    def __init__(
        self,
        mode: Mode = "telegram",
        tokens: list[str] | None = None,
        *,
        modes: dict[str, Mode] | None = None,
    ) -> None:
        super().__init__(mode, tokens, modes=modes)
        methods_messages.register(self)
        methods_misc.register(self)
        self.client_api = ClientApi(self)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    def make_app(self) -> web.Application:
        """The aiohttp application (routes for bots, files and citizens)."""
        app = web.Application(client_max_size=MAX_REQUEST)
        app.add_routes(self.client_api.routes())
        app.add_routes(
            [
                web.route("*", "/bot{token}/{method}", self._bot_call),
                web.get("/file/bot{token}/{path:.+}", self._download),
            ]
        )
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        for bot in self.bots.values():  # started again after a stop
            bot.closing = False
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        addresses = runner.addresses
        real_port = int(addresses[0][1]) if addresses else port
        self._url = f"http://{host}:{real_port}"

    async def stop(self) -> None:
        """Close the server (pending long-polls and webhook deliveries are cancelled)."""
        for bot in self.bots.values():
            if bot.delivery is not None:
                await bot.delivery.stop()
                bot.delivery = None
            # After the delivery stopped: a wake-up racing its cancellation could swallow it
            # (asyncio.wait_for in Python 3.11).
            bot.closing = True
            bot.update_signal.fire()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:PORT."""
        if self._url is None:
            raise RuntimeError("emulator not started")
        return self._url

    @property
    def api_base_url(self) -> str:
        """For ApplicationBuilder().base_url(...)."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """For ApplicationBuilder().base_file_url(...)."""
        return f"{self.url}/file/bot"

    async def _bot_call(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params, files = await read_params(request)
        except ApiError as err:
            return web.json_response(err.body(), status=err.code)
        status, body = await self.call(token, method, params, files)
        if HTML_KEY in body:
            return web.Response(text=body[HTML_KEY], status=status, content_type="text/html")
        return web.json_response(body, status=status)

    async def _download(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self.bots and not TOKEN_RE.match(token):
            return web.json_response(UNAUTHORIZED.body(), status=401)
        rec = self.files_by_path.get(request.match_info["path"])
        owner = self.bots.get(token)
        if rec is None or (owner is not None and not rec.usable_by(owner.bot_id)):
            return web.json_response(NOT_FOUND.body(), status=404)
        if rec.size > MAX_DOWNLOAD:
            err = ApiError(400, "Bad Request: file is too big")
            return web.json_response(err.body(), status=400)
        ctype = rec.mime_type or "application/octet-stream"
        return web.Response(body=rec.data, content_type=ctype)
