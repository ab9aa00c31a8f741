"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against the desk.

The bot runs in-process (tests/conftest.py ``bot``) against the emulator. The sign-in tests get
the link over the emulator like anyone pressing «🖥 Web desk» in the bot; the others start
signed in (``signed_in``). Without Chromium these tests fail in CI (CI is set) and skip
elsewhere, saying how to install it.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from botapi_emulator import Citizen, Emulator
from botapi_emulator.bot_message import newest_with_button
from config.settings import Settings
from tests.conftest import (
    OFFICER_ID,
    CitizenFactory,
    RunningBot,
    bot_running,
    citizen_factory,
)
from texts.i18n import _

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = (
    "The browser tests need Debian's Chromium at /usr/bin/chromium and the playwright package: "
    "sudo apt-get update && sudo apt-get install -y chromium; .venv/bin/pip install -e '.[dev]'"
)


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return INSTALL_HINT
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return INSTALL_HINT
    return None


_skipped: list[str] = []


@pytest.fixture(autouse=True)
def chromium_ready() -> None:
    """Fail in CI, skip elsewhere, when Chromium or Playwright is missing (with the hint)."""
    missing = _missing()
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(missing, pytrace=False)
    _skipped.append(missing)
    pytest.skip(missing)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """`make test` runs quietly: say at the end why the browser tests were skipped."""
    if _skipped:
        terminalreporter.write_line(f"{len(_skipped)} browser tests skipped. {_skipped[0]}")


# One Chromium per worker: starting Playwright's driver and the browser took about a second and
# a half of every test. Playwright's objects belong to the event loop that made them, so the
# browser tests, and the fixtures they use, run in the worker's one (session) event loop; each
# test still has its own emulator, bot and store, and starts on an emptied tab (``page``).
SESSION_LOOP = pytest.mark.asyncio(loop_scope="session")


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each browser test is marked as ``@SESSION_LOOP`` would mark it, before pytest-asyncio
    gives the test its loop (in its own pytest_generate_tests). Marked at collection's end, as
    it was, the loop was the test's own, and Chromium, its driver and the tab were started
    and thrown away for every test."""
    if inspect.iscoroutinefunction(metafunc.function):
        SESSION_LOOP(metafunc.function)  # the items made from this function carry it
        metafunc.definition.add_marker(SESSION_LOOP)  # made already: what pytest-asyncio reads


@pytest_asyncio.fixture(loop_scope="session")
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(mode="telegram") as emu:
        yield emu


@pytest_asyncio.fixture(loop_scope="session")
async def bot(settings: Settings) -> AsyncIterator[RunningBot]:
    async with bot_running(settings) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def make_citizen(emulator: Emulator, settings: Settings) -> AsyncIterator[CitizenFactory]:
    async with citizen_factory(emulator, settings) as factory:
        yield factory


_launches: list[int] = []


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def browser() -> AsyncIterator[object]:
    """The worker's Chromium (started by the first browser test that runs there)."""
    if _missing() is not None:  # chromium_ready fails or skips the test before this
        pytest.skip(INSTALL_HINT)
    from playwright.async_api import async_playwright

    _launches.append(1)
    assert len(_launches) == 1, (
        "Chromium started a second time in this process: the browser tests' event loop is not "
        "the session's (see pytest_generate_tests above)"
    )
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless"]
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def _desk_tab(browser: object) -> AsyncIterator[object]:
    """The worker's one browser context and tab, Persian and desk-sized. A context of its own
    per test cost Chromium a new renderer process, about half a second of CPU each."""
    from playwright.async_api import Browser

    assert isinstance(browser, Browser)
    context = await browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(chromium_ready: None, _desk_tab: object) -> AsyncIterator[object]:
    """The tab, as a new one would be: no cookies (each test's desk is on its own port of
    127.0.0.1, and cookies are per host, not port), no other tabs, a blank page."""
    from playwright.async_api import Page

    assert isinstance(_desk_tab, Page)
    context = _desk_tab.context
    await context.clear_cookies()
    try:
        yield _desk_tab
    finally:
        for other in context.pages:
            if other is not _desk_tab:
                await other.close()
        await _desk_tab.goto("about:blank")


_LINK = re.compile(r"https?://\S+/signin/\S+")


async def sign_in_link(officer: Citizen) -> str:
    """The officer asks the bot for a desk link over the emulator; the link it sent."""
    shown = await officer.sends_command("/officer")
    # Pressed on the menu itself, the message that holds the button: an officer's alert (a
    # new ticket, with buttons of its own) may arrive just before or after it.
    label = _("🖥 Web desk")
    replies = await officer.presses(label, on=newest_with_button(shown, label))
    for message in reversed(replies):
        found = _LINK.search(message.content)
        if found:
            return found.group()
    raise AssertionError(f"no sign-in link in {[m.content for m in replies]}")


def desk_url(bot: RunningBot) -> str:
    web = bot.application.web
    assert web is not None
    return web.local_url


async def signed_in(bot: RunningBot, page: Any, path: str = "/") -> None:
    """The officer (OFFICER_ID) signed in, on the desk's page at ``path``.

    The session is opened by the services the link's button calls (a link issued, then used)
    and its cookie set as the desk sets it: walking there from the bot's link, in the bot and
    in the browser, is what test_desk_signin and the refusal tests check.
    """
    from desk.web import COOKIE
    from services.actors import Actor
    from services.desk_auth import issue_link, open_link

    services = bot.application.services
    link = await issue_link(services.store, services.clock, Actor("officer", OFFICER_ID))
    session = await open_link(services.store, services.clock, link)
    assert session is not None
    cookie = {"name": COOKIE, "value": session.token, "url": desk_url(bot)}
    await page.context.add_cookies([{**cookie, "httpOnly": True, "sameSite": "Strict"}])
    response = await page.goto(desk_url(bot) + path)
    assert response is not None and response.ok
