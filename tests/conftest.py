"""Shared fixtures: an emulator on loopback, the bot running against it, simulated citizens.

The project is imported where a fixture or helper first needs it, not when this file is
loaded: pytest's main process loads it too, and with xdist it starts the workers only after
(about two seconds of imports it has no use for).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import functools
import logging
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:
    from bot.application import HomebizApplication
    from botapi_emulator import Citizen, Emulator
    from config.settings import Settings
    from storage.db import Clock

# A busy 2-core CI machine must not turn a slow example into a failure: no per-example deadline.
hypothesis_settings.register_profile("project", deadline=None, print_blob=True)
hypothesis_settings.load_profile("project")

BOT_TOKEN = "123456:TEST-token-for-the-emulator"
OFFICER_ID = 900001
# Settings of wall-clock pacing that no test measures (the bot in this process and in
# BotProcess; production's values in brackets): replies not paced (30 a second: a citizen
# walking a conversation without pause was held to it, ~33 ms a message; they still count
# in the send budget the outbox gets the rest of), the outbox's gap per chat off (1 s), the
# sender looking for rows that became due every 50 ms (1 s), a broadcast's progress counted
# every 100 ms (3 s), the first retry of a reply or an outbox message after 50 ms (0.5 s, 1 s;
# doubling each time as in production; a 429 still waits its retry_after). The tests of the
# pacing itself set their own (tests/integration/test_send_budget.py, test_sender.py).
TEST_PACING: dict[str, object] = {
    "reply_rate_per_second": 0,
    "outbox_chat_gap_seconds": 0.0,
    "outbox_poll_seconds": 0.05,
    "broadcast_progress_seconds": 0.1,
    "reply_retry_seconds": 0.05,
    "outbox_retry_seconds": 0.05,
}


_TEMPLATE: list[Path] = []


@pytest.fixture(autouse=True)
def logging_left_as_found() -> Iterator[None]:
    """A test that configures logging as the bot's start does leaves the root logger as it
    found it. One left a handler on its captured stderr, which pytest then closed: every log
    line of the worker's later tests printed a «Logging error» traceback (~1,200 in tests/e2e).
    pytest's own capture handlers come and go with each phase and are left to it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers and type(handler).__module__ != "_pytest.logging":
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if type(handler).__module__ != "_pytest.logging" and handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Two kinds of test each on one worker, as one unit of work; the rest one test at a time.

    - The browser tests: a worker that runs one starts Playwright's driver and a Chromium
      (about two seconds of CPU) and keeps them while it runs everything else.
    - The modules that start the bot as a process (they import tests.e2e.process): a worker
      that runs one starts the fork server of bot lives (about two seconds of CPU importing).
    So one of each starts per run, not one per worker. (xdist_group marks would say the same,
    but pytest 9.2 ignores them: pytest-xdist 1386.)
    """
    from xdist.scheduler import LoadGroupScheduling

    root = config.rootpath
    browser = f"{Path(__file__).parent.relative_to(root)}/browser/"

    @functools.cache
    def starts_bot_processes(module: str) -> bool:
        path = root / module
        return path.suffix == ".py" and "tests.e2e.process import" in path.read_text("utf-8")

    class SharedStarts(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(browser):
                return browser
            if starts_bot_processes(nodeid.split("::", 1)[0]):
                return "bot processes"
            return super()._split_scope(nodeid)

    return SharedStarts(config, log)


def template_database() -> Path:
    """A database migrated once per session, copied for each test instead of migrating again."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="homebiz-template-"))
        atexit.register(shutil.rmtree, folder, True)

        async def migrate() -> None:
            from storage import Store

            store = await Store.open(folder / "homebiz.db")
            await store.close()

        # In a thread of its own: a test's event loop may be running in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, migrate()).result()
        _TEMPLATE.append(folder / "homebiz.db")
    return _TEMPLATE[0]


def migrated(path: Path) -> Path:
    """``path``, a copy of the session's migrated database unless it already exists (a folder a
    test reuses keeps its store): what opening a new one would leave, without migrating."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template_database(), path)
    return path


def free_port() -> int:
    """A port nobody listens on now (for a webhook URL that must be known before start)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(port: int) -> dict[str, object]:
    """Overrides that make the bot receive by webhook on ``port`` (loopback, plain HTTP)."""
    return {"web_port": port, "webhook_base_url": f"http://127.0.0.1:{port}"}


@functools.cache
def _given_settings_class() -> type[Settings]:
    """Settings made of what a test gives and the defaults: the environment and ``.env`` of
    whoever runs the tests must not reach them (a BOT_TOKEN there, or a rate), and reading
    them took ~15 ms of CPU for each test's settings."""
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

    from config.settings import Settings

    class GivenSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            **_environment: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings,)

    return GivenSettings


def make_settings(emulator: Emulator, data_dir: Path, **overrides: object) -> Settings:
    """Settings that point the bot at the emulator and a temporary data folder.

    A new data folder starts with a copy of the session's migrated database (the same file
    the bot would make by migrating); a folder a test reuses keeps its database."""
    from pydantic import SecretStr

    values: dict[str, object] = {
        "bot_token": SecretStr(BOT_TOKEN),
        "bot_platform": "telegram",
        "bot_api_base_url": emulator.api_base_url,
        "bot_file_base_url": emulator.file_base_url,
        "data_dir": data_dir,
        "officer_ids": frozenset({OFFICER_ID}),
        "web_port": 0,  # any free port: tests run side by side
        # No quiet hours unless a test asks: the suite must pass at any hour of Tehran's night.
        "quiet_hours_start": 0,
        "quiet_hours_end": 0,
        **TEST_PACING,
    }
    values.update(overrides)
    settings = _given_settings_class()(**values)
    if settings.database_url is None:
        migrated(settings.database_path)
    return settings


@dataclass
class RunningBot:
    """The bot running in this test's event loop, polling the emulator."""

    application: HomebizApplication
    settings: Settings
    stop: asyncio.Event
    task: asyncio.Task[None]
    citizens: list[Citizen] = field(default_factory=list)


@contextlib.asynccontextmanager
async def bot_running(
    settings: Settings, *, clock: Clock | None = None
) -> AsyncIterator[RunningBot]:
    """Start the bot with its store and a poller per platform (on ``clock``, else the real one);
    stop it after. ``application`` is the first bot's; ``application.bots`` has each one.

    With ``webhook_base_url`` in the settings the bots receive by webhook: no pollers.
    """
    from bot.polling import UpdatePoller
    from bot.runtime import running_bot
    from tests.catalogues import parsed_catalogue

    stop = asyncio.Event()
    catalogue = parsed_catalogue(settings.catalogue_dir)
    async with running_bot(settings, clock=clock, catalogue=catalogue) as application:
        receiving: list[Coroutine[Any, Any, object]] = [stop.wait()]
        for each in application.bots.values():
            assert each.pipeline is not None
            if each.webhook is None:
                poller = UpdatePoller(each, each.pipeline, poll_timeout=2)
                each.receiving = poller
                receiving.append(poller.run(stop))
        task = asyncio.create_task(_all(receiving))
        try:
            yield RunningBot(application, settings, stop, task)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=10)


async def _all(receiving: list[Coroutine[Any, Any, object]]) -> None:
    await asyncio.gather(*receiving)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    from botapi_emulator import Emulator

    async with Emulator(mode="telegram") as emu:
        yield emu


@pytest.fixture
def settings(emulator: Emulator, tmp_path: Path) -> Settings:
    return make_settings(emulator, tmp_path / "data")


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[RunningBot]:
    async with bot_running(settings) as running:
        yield running


CitizenFactory = Callable[..., Awaitable["Citizen"]]


@contextlib.asynccontextmanager
async def citizen_factory(emulator: Emulator, settings: Settings) -> AsyncIterator[CitizenFactory]:
    """Create simulated citizens (distinct user ids); all are closed at the end."""
    from botapi_emulator import Citizen
    from tests.settle import store_settled

    made: list[Citizen] = []
    counter = iter(range(1000, 100000))

    async def factory(
        user_id: int | None = None, first_name: str = "مریم", bot_token: str | None = None
    ) -> Citizen:
        citizen = Citizen(
            emulator.url,
            user_id=user_id or next(counter),
            first_name=first_name,
            bot_token=bot_token,
            settle=store_settled(settings.database_path),
        )
        made.append(citizen)
        return citizen

    try:
        yield factory
    finally:
        for citizen in made:
            await citizen.close()


@pytest.fixture
async def make_citizen(emulator: Emulator, settings: Settings) -> AsyncIterator[CitizenFactory]:
    """Create simulated citizens (distinct user ids); all are closed at the end."""
    async with citizen_factory(emulator, settings) as factory:
        yield factory


@pytest.fixture
async def citizen(make_citizen: CitizenFactory, bot: RunningBot) -> Citizen:
    """One citizen talking to the running bot."""
    return await make_citizen()


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Async tests run on the loop the bot's processes run on (bot.event_loop)."""
    from bot.event_loop import new_event_loop

    return {"bot": new_event_loop}
