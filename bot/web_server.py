"""The process's one HTTP server: the officers' web desk, webhooks, /healthz and /metrics.

Every part contributes Starlette routes; ``build_web_app`` puts them on one app and
``WebServer`` serves it with uvicorn inside the bot's own event loop, so a page, a webhook
and an update handler share the store, the services and the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from config.settings import Settings

LOGGER = logging.getLogger(__name__)


def build_web_app(routes: Sequence[BaseRoute]) -> Starlette:
    """One ASGI app from every part's routes (desk, webhooks, operations)."""
    return Starlette(routes=list(routes))


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.exit_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The bot owns SIGINT/SIGTERM (it stops the server itself); uvicorn must not take them.
        yield

    async def main_loop(self) -> None:
        # uvicorn's own loop looks at should_exit every 0.1 s; this one also wakes as soon as
        # stop() asks, so a stop (every test's bot, every restart) does not wait for a tick.
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.exit_requested.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.server_state.connections or self.server_state.tasks:
            await super().shutdown(sockets)  # lets open connections finish, as uvicorn does
            return
        # No connection open: uvicorn would still pause 0.1 s for connections to finish.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


class WebServer:
    """uvicorn serving ``app`` on ``host:port`` until ``stop()``; port 0 takes a free one."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_config=None, access_log=False, lifespan="off"
        )
        self._server = _Server(config)
        self._host = host
        self._task: asyncio.Task[None] | None = None
        self.port = port

    @classmethod
    def from_settings(cls, app: Starlette, settings: Settings) -> WebServer:
        return cls(app, settings.web_host, settings.web_port)

    async def start(self) -> None:
        """Listen; returns once the socket is bound (a taken port fails start-up here)."""
        self._task = asyncio.create_task(self._server.serve(), name="web-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it (e.g. the port is taken)
                raise RuntimeError("the web server stopped before it started")
            await asyncio.sleep(0.01)
        sockets = self._server.servers[0].sockets
        self.port = sockets[0].getsockname()[1]
        LOGGER.info("Web server listening on http://%s:%d", self._host, self.port)

    @property
    def local_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        self._server.exit_requested.set()
        await self._task
        self._task = None
