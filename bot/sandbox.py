"""The local sandbox: the emulator, the bot against it, and a chat in this terminal.

Type as a citizen; buttons are numbered, type a number to press one (to send a small number
as text, put = before it: =3). /file PATH sends a photo or PDF, /contact shares your phone,
/quit leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from pydantic import SecretStr

from bot.runtime import run_polling
from botapi_emulator import BotMessage, Citizen, Emulator
from config.platforms import Platform
from config.settings import Settings
from domain.accounts import Account
from texts.i18n import _

SANDBOX_TOKEN = "100000:SANDBOX-local-token"
SANDBOX_USER_ID = 10001
SANDBOX_PHONE = "+989120000000"
LOGGER = logging.getLogger(__name__)


def sandbox_settings(settings: Settings, emulator: Emulator) -> Settings:
    """The same settings, pointed at the emulator, with a database of the sandbox's own."""
    database_url = settings.database_url or f"sqlite:///{settings.data_dir / 'sandbox.db'}"
    platform = settings.bot_platform
    return settings.model_copy(
        update={
            "bot_token": SecretStr(SANDBOX_TOKEN),
            # the sandbox is one bot, on BOT_PLATFORM, whatever tokens are configured
            "telegram_bot_token": None,
            "bale_bot_token": None,
            **{f"{p.value}_{kind}_base_url": None for p in Platform for kind in ("api", "file")},
            "bot_api_base_url": emulator.api_base_url,
            "bot_file_base_url": emulator.file_base_url,
            "database_url": database_url,
            "officer_ids": settings.officer_ids | {Account(platform.value, SANDBOX_USER_ID)},
        }
    )


class TerminalChat:
    """Prints what the bot sends and turns typed lines into citizen actions."""

    def __init__(self, citizen: Citizen) -> None:
        self._citizen = citizen
        # What was last printed per message, so an edited message is printed again.
        self._shown: dict[int, tuple[object, ...]] = {}
        self._buttons: list[str] = []
        self._lock = asyncio.Lock()

    async def show_new(self) -> None:
        async with self._lock:
            await self._citizen.refresh()
            for message in self._citizen.messages:
                seen = (message.text, message.caption, repr(message.reply_markup))
                before = self._shown.get(message.message_id)
                self._shown[message.message_id] = seen
                # An edit that only took the buttons away is not worth printing again.
                if before != seen and (
                    before is None or before[:2] != seen[:2] or _has_buttons(message)
                ):
                    self._print(message)

    def _print(self, message: BotMessage) -> None:
        body = message.text or message.caption or ""
        if message.document or message.photo:
            body = f"📎 {body}".strip()
        print(f"\n🤖 {body}")
        labels = [text for row in message.buttons for text in row]
        labels += [text for row in message.inline_buttons for text, _data in row]
        if labels:
            self._buttons = labels
            for number, text in enumerate(labels, start=1):
                print(f"   [{number}] {text}")

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line == "/quit":
            return False
        if line == "/contact":
            await self._citizen.shares_contact(phone=SANDBOX_PHONE)
        elif line.startswith("/file "):
            path = await asyncio.to_thread(_existing_file, line.removeprefix("/file ").strip())
            if path is None:
                print("(no such file)")
                return True
            mime = "application/pdf" if path.suffix.lower() == ".pdf" else "image/jpeg"
            if mime == "image/jpeg":
                await self._citizen.sends_photo(path)
            else:
                await self._citizen.sends_document(path, path.name, mime)
        elif line.startswith("="):  # "=3" sends the text "3" rather than pressing button 3
            await self._citizen.says(line[1:])
        elif line.isascii() and line.isdigit() and 1 <= int(line) <= len(self._buttons):
            await self._citizen.presses(self._buttons[int(line) - 1])
        elif line.startswith("/"):
            await self._citizen.sends_command(line)
        else:
            await self._citizen.says(line)
        await self.show_new()
        return True


def desk_address(settings: Settings) -> str:
    """Where the web desk answers: WEB_BASE_URL, else the address the server listens on."""
    return settings.web_base_url or f"http://{settings.web_host}:{settings.web_port}"


def _has_buttons(message: BotMessage) -> bool:
    return bool(message.buttons or message.inline_buttons)


def _existing_file(text: str) -> Path | None:
    path = Path(text).expanduser()
    return path if path.is_file() else None


async def _read_line(prompt: str) -> str | None:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, input, prompt)
    except EOFError:
        return None


async def run_sandbox(settings: Settings) -> int:
    """Run emulator, bot and terminal chat until /quit or end of input."""
    log_file = settings.data_dir / "sandbox.log"
    settings.ensure_dirs()
    root = logging.getLogger()
    for handler in root.handlers:  # keep the chat readable: logs go to a file
        root.removeHandler(handler)
    file_handler = logging.FileHandler(log_file, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(file_handler)

    async with Emulator(mode=settings.bot_platform.value) as emulator:
        local = sandbox_settings(settings, emulator)
        stop = asyncio.Event()
        bot_task = asyncio.create_task(run_polling(local, stop))
        await _wait_until_polling(emulator, bot_task)
        print(
            "Local sandbox: the bot runs against a Bot API emulator at "
            f"{emulator.url} (database {local.database_path}, log {log_file}). "
            "To run on Bale or Telegram instead: BOT_TOKEN=... BOT_PLATFORM=bale|telegram make run"
        )
        print(
            f"Officers' web desk: {desk_address(local)} . You are an officer here: type /officer, "
            f"press «{_('🖥 Web desk')}» and open the link it sends (it works once, for 10 minutes)."
        )
        print(
            _(
                "Type /start to begin. Type a button's number to press it; to send a small "
                "number as text put = before it (=3). /contact shares your phone number, "
                "/file PATH sends a photo or PDF, /quit leaves."
            )
        )
        citizen = Citizen(
            emulator.url, user_id=SANDBOX_USER_ID, first_name="Sandbox", bot_token=SANDBOX_TOKEN
        )
        chat = TerminalChat(citizen)
        printer = asyncio.create_task(_keep_showing(chat))
        try:
            while True:
                line = await _read_line("> ")
                if line is None or not await chat.handle(line):
                    break
        finally:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer
            await citizen.close()
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bot_task, timeout=10)
    return 0


async def _wait_until_polling(emulator: Emulator, bot_task: asyncio.Task[None]) -> None:
    """Don't offer the prompt before the bot listens (piped input would arrive too early)."""
    state = emulator.bot(SANDBOX_TOKEN)
    async with asyncio.timeout(60):
        while state.poll_generation == 0:  # the emulator has no event for it
            if bot_task.done():
                bot_task.result()  # start-up failed: show why
            await asyncio.sleep(0.05)


async def _keep_showing(chat: TerminalChat) -> None:
    """Notifications arrive on their own; show them without waiting for a keypress."""
    while True:
        await asyncio.sleep(1.0)
        await chat.show_new()
        sys.stdout.flush()
