"""SqlitePersistence on a real SQLite file: round trips, write-through, surviving a crash."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PersistenceInput,
    filters,
)
from telegram.request import BaseRequest, RequestData

from storage import Database
from storage.persistence import SqlitePersistence
from tests.conftest import migrated

ASK_NAME, ASK_PHONE = range(2)
CONVERSATION = "registration"
USER = 4242


class OfflineRequest(BaseRequest):
    """Answers getMe locally; any other call is a test error (no network here)."""

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        assert url.endswith("/getMe"), url
        me = {"id": 123, "is_bot": True, "first_name": "Bot", "username": "test_bot"}
        return 200, json.dumps({"ok": True, "result": me}).encode()


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Begin: ask for the name."""
    assert context.user_data is not None
    context.user_data["step"] = "name"
    return ASK_NAME


async def _name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Keep the name, ask for the phone."""
    assert context.user_data is not None and update.message is not None
    context.user_data["name"] = update.message.text
    context.user_data["step"] = "phone"
    return ASK_PHONE


async def _phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Keep the phone and finish."""
    assert context.user_data is not None and update.message is not None
    context.user_data["phone"] = update.message.text
    context.user_data["step"] = "done"
    return ConversationHandler.END


def build_app(db: Database) -> Application:  # type: ignore[type-arg]
    persistence = SqlitePersistence(
        db, update_interval=3600, store_data=PersistenceInput(callback_data=False)
    )
    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .request(OfflineRequest())
        .get_updates_request(OfflineRequest())
        .persistence(persistence)
        .updater(None)
        .job_queue(None)
        .build()
    )
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", _start)],
            states={
                ASK_NAME: [MessageHandler(filters.TEXT & ~filters.COMMAND, _name)],
                ASK_PHONE: [MessageHandler(filters.TEXT & ~filters.COMMAND, _phone)],
            },
            fallbacks=[],
            name=CONVERSATION,
            persistent=True,
        )
    )
    return app


def says(app: Application, update_id: int, text: str) -> Update:  # type: ignore[type-arg]
    entities = [{"type": "bot_command", "offset": 0, "length": len(text)}] if text[0] == "/" else []
    data: dict[str, Any] = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": USER, "type": "private"},
            "from": {"id": USER, "is_bot": False, "first_name": "Maryam"},
            "text": text,
            "entities": entities,
        },
    }
    return Update.de_json(data, app.bot)


async def handle(app: Application, update_id: int, text: str) -> None:  # type: ignore[type-arg]
    """What the bot's poller does per update: process it, then persist at once."""
    await app.process_update(says(app, update_id, text))
    await app.update_persistence()


def _copy_database_files(db_path: Path, folder: Path) -> None:
    """Copy the database and its WAL (committed but not yet checkpointed data)."""
    for suffix in ("", "-wal"):
        source = Path(f"{db_path}{suffix}")
        if source.exists():
            shutil.copyfile(source, folder / f"{db_path.name}{suffix}")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return migrated(tmp_path / "bot.sqlite3")


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    async with Database(db_path) as opened:
        yield opened


# --- direct calls ---------------------------------------------------------------------------


async def test_everything_round_trips_through_a_reopen(db_path: Path) -> None:
    callback = ([("kb-1", 1700000000.5, {"btn-1": "apply", "btn-2": [1, 2]})], {"q-1": "kb-1"})
    async with Database(db_path) as db:
        p = SqlitePersistence(db)
        await p.update_conversation(CONVERSATION, (USER, USER), ASK_PHONE)
        await p.update_conversation(CONVERSATION, (1, 2), "state-as-text")
        await p.update_conversation("other", (5,), 3)
        await p.update_conversation("other", (5,), None)  # ended: forgotten
        await p.update_user_data(USER, {"step": "phone", "answers": {"county": "ازنا"}})
        await p.update_chat_data(USER, {"lang": "fa"})
        await p.update_chat_data(99, {"gone": True})
        await p.drop_chat_data(99)
        await p.update_bot_data({"version": 3})
        await p.update_callback_data(callback)

    async with Database(db_path) as db:
        p = SqlitePersistence(db)
        assert await p.get_conversations(CONVERSATION) == {
            (USER, USER): ASK_PHONE,
            (1, 2): "state-as-text",
        }
        assert await p.get_conversations("other") == {}
        assert await p.get_user_data() == {USER: {"step": "phone", "answers": {"county": "ازنا"}}}
        assert await p.get_chat_data() == {USER: {"lang": "fa"}}
        assert await p.get_bot_data() == {"version": 3}
        assert await p.get_callback_data() == callback
        await p.drop_user_data(USER)
        assert await p.get_user_data() == {}


async def test_platforms_are_kept_apart(db: Database) -> None:
    telegram = SqlitePersistence(db, platform="telegram")
    bale = SqlitePersistence(db, platform="bale")
    await telegram.update_user_data(1, {"on": "telegram"})
    await bale.update_user_data(1, {"on": "bale"})
    assert await telegram.get_user_data() == {1: {"on": "telegram"}}
    assert await bale.get_user_data() == {1: {"on": "bale"}}
    assert await bale.get_callback_data() is None
    assert await bale.get_bot_data() == {}


async def test_unchanged_data_is_not_written_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = SqlitePersistence(db)
    writes = 0
    real = db.transaction

    def counting() -> Any:
        nonlocal writes
        writes += 1
        return real()

    monkeypatch.setattr(db, "transaction", counting)
    await p.update_user_data(1, {"a": 1})
    await p.update_user_data(1, {"a": 1})
    await p.update_bot_data({})
    await p.update_bot_data({})
    await p.update_conversation("c", (1, 1), 0)
    await p.update_conversation("c", (1, 1), 0)
    await p.update_conversation("c", (1, 1), None)
    await p.update_conversation("c", (1, 1), None)
    assert writes == 4
    await p.update_user_data(1, {"a": 2})
    assert writes == 5


async def test_non_json_data_is_refused_clearly(db: Database) -> None:
    p = SqlitePersistence(db)
    with pytest.raises(TypeError, match="str keys"):
        await p.update_user_data(1, {5: "int keys would come back as strings"})
    with pytest.raises(TypeError):
        await p.update_user_data(1, {"when": object()})


# --- a real Application ---------------------------------------------------------------------


async def test_conversation_continues_after_a_clean_restart(db_path: Path) -> None:
    async with Database(db_path) as db:
        app = build_app(db)
        await app.initialize()
        await handle(app, 1, "/start")
        await handle(app, 2, "Maryam")
        await app.shutdown()

    async with Database(db_path) as db:
        app = build_app(db)
        await app.initialize()
        assert app.user_data[USER] == {"step": "phone", "name": "Maryam"}
        await handle(app, 3, "09121234567")
        assert app.user_data[USER]["step"] == "done"
        await app.shutdown()
        assert await SqlitePersistence(db).get_conversations(CONVERSATION) == {}


async def test_conversation_survives_a_crash(db_path: Path, tmp_path: Path) -> None:
    db = Database(db_path)
    await db.open()
    app = build_app(db)
    await app.initialize()
    await handle(app, 1, "/start")
    await handle(app, 2, "Maryam")
    # The crash: no shutdown, no flush, no close. Take the files as they are on disk right now.
    crashed = tmp_path / "after-crash"
    crashed.mkdir()
    _copy_database_files(db_path, crashed)
    try:
        async with Database(crashed / "bot.sqlite3") as revived:
            again = build_app(revived)
            await again.initialize()
            assert again.user_data[USER] == {"step": "phone", "name": "Maryam"}
            await handle(again, 3, "09121234567")  # handled by the ASK_PHONE state
            assert again.user_data[USER]["phone"] == "09121234567"
            await again.shutdown()
    finally:
        await db.close()


async def test_state_is_on_disk_when_the_process_is_killed(db_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from pathlib import Path
        from storage import Database
        from storage.persistence import SqlitePersistence

        async def main():
            db = Database(Path({str(db_path)!r}))
            await db.open()
            p = SqlitePersistence(db)
            await p.update_conversation("registration", ({USER}, {USER}), 1)
            await p.update_user_data({USER}, {{"step": "phone"}})
            os.kill(os.getpid(), signal.SIGKILL)  # kill -9 between two updates

        asyncio.run(main())
        """
    )
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
    assert await asyncio.wait_for(process.wait(), timeout=60) == -signal.SIGKILL

    async with Database(db_path) as db:
        p = SqlitePersistence(db)
        assert await p.get_conversations(CONVERSATION) == {(USER, USER): 1}
        assert await p.get_user_data() == {USER: {"step": "phone"}}
