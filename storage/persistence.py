"""python-telegram-bot persistence on the application's SQLite database, written through.

Every update_* call commits at once (only rows whose JSON changed), so after a crash the
citizen continues at the step they reached. Data is stored as JSON: user_data, chat_data and
bot_data must be dicts with str keys and JSON values (str, int, float, bool, None, lists,
dicts); conversation keys are tuples of int/str and states int, str or None.
"""

from __future__ import annotations

import json
from typing import Any

import aiosqlite
from telegram.ext import BasePersistence, PersistenceInput

from storage.db import Database

ConversationKey = tuple[int | str, ...]
CallbackData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

DEFAULT_UPDATE_INTERVAL = 60.0
_ABSENT = ""  # in the write cache: the row is known not to exist (never valid JSON)


def _check_keys(value: Any, where: str) -> None:
    """Reject dict keys JSON would silently turn into strings (they would not come back)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: key {key!r} is not a str; persisted data needs str keys")
            _check_keys(item, where)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_keys(item, where)


def _dump(value: Any, where: str) -> str:
    _check_keys(value, where)
    return json.dumps(value, ensure_ascii=False)


class SqlitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Write-through persistence in the tables persistence_* of one Database, per platform."""

    def __init__(
        self,
        db: Database,
        *,
        platform: str = "telegram",
        update_interval: float = DEFAULT_UPDATE_INTERVAL,
        store_data: PersistenceInput | None = None,
    ) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self.db = db
        self.platform = platform
        # The JSON last written (or read) per row, so unchanged data costs no write.
        self._written: dict[tuple[str, str], str] = {}
        # While a batch is open, writes are collected here and committed by write_batch()
        # in the caller's transaction (one commit for a whole batch of updates).
        self._batch: list[tuple[str, tuple[Any, ...], tuple[str, str], str | None]] | None = None

    def begin_batch(self) -> None:
        """Collect the following update_*/drop_* writes instead of committing each one."""
        self._batch = []

    async def write_batch(self, conn: aiosqlite.Connection) -> None:
        """Write what was collected since begin_batch() inside the caller's transaction."""
        batch, self._batch = self._batch or [], None
        for sql, params, _cache_key, _value in batch:
            await conn.execute(sql, params)
        for _sql, _params, cache_key, value in batch:
            if value is None:
                self._written.pop(cache_key, None)
            else:
                self._written[cache_key] = value

    async def _write(
        self, sql: str, params: tuple[Any, ...], cache_key: tuple[str, str], value: str | None
    ) -> None:
        """Run one write now (own transaction), or add it to the open batch."""
        if self._batch is not None:
            self._batch.append((sql, params, cache_key, value))
            return
        async with self.db.transaction() as c:
            await c.execute(sql, params)
        if value is None:
            self._written.pop(cache_key, None)
        else:
            self._written[cache_key] = value

    # --- user_data / chat_data -------------------------------------------------------------

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        """Load every user's data."""
        return await self._load_keyed("persistence_user_data", "user_id", "user")

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        """Load every chat's data."""
        return await self._load_keyed("persistence_chat_data", "chat_id", "chat")

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Store one user's data now (skipped if unchanged)."""
        await self._save_keyed("persistence_user_data", "user_id", "user", user_id, data)

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Store one chat's data now (skipped if unchanged)."""
        await self._save_keyed("persistence_chat_data", "chat_id", "chat", chat_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        """Delete one user's data."""
        await self._drop_keyed("persistence_user_data", "user_id", "user", user_id)

    async def drop_chat_data(self, chat_id: int) -> None:
        """Delete one chat's data."""
        await self._drop_keyed("persistence_chat_data", "chat_id", "chat", chat_id)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Nothing to do: this process is the only writer, memory is current."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Nothing to do: this process is the only writer, memory is current."""

    # --- bot_data / callback_data ----------------------------------------------------------

    async def get_bot_data(self) -> dict[Any, Any]:
        """Load bot_data (empty if never stored)."""
        stored = await self._load_singleton("bot_data")
        return {} if stored is None else dict(stored)

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Store bot_data now (skipped if unchanged)."""
        await self._save_singleton("bot_data", data)

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Nothing to do: this process is the only writer, memory is current."""

    async def get_callback_data(self) -> CallbackData | None:
        """Load the arbitrary-callback-data cache, if stored."""
        stored = await self._load_singleton("callback_data")
        if stored is None:
            return None
        buttons, mapping = stored
        return [(str(uid), float(ts), dict(data)) for uid, ts, data in buttons], dict(mapping)

    async def update_callback_data(self, data: CallbackData) -> None:
        """Store the arbitrary-callback-data cache now (skipped if unchanged)."""
        await self._save_singleton("callback_data", data)

    # --- conversations ---------------------------------------------------------------------

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        """Load the states of one named ConversationHandler."""
        async with (
            self.db.read() as c,
            c.execute(
                "SELECT conv_key, state FROM persistence_conversations"
                " WHERE platform = ? AND name = ?",
                (self.platform, name),
            ) as cur,
        ):
            rows = await cur.fetchall()
        result: dict[ConversationKey, object] = {}
        for row in rows:
            self._written[(f"conv:{name}", row["conv_key"])] = row["state"]
            result[tuple(json.loads(row["conv_key"]))] = json.loads(row["state"])
        return result

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store one conversation's state now; None (ended) deletes it."""
        key_json = json.dumps(list(key))
        cache_key = (f"conv:{name}", key_json)
        if new_state is None:
            if self._written.get(cache_key) == _ABSENT:
                return
            await self._write(
                "DELETE FROM persistence_conversations"
                " WHERE platform = ? AND name = ? AND conv_key = ?",
                (self.platform, name, key_json),
                cache_key,
                _ABSENT,
            )
            return
        state_json = _dump(new_state, f"conversation {name}")
        if self._written.get(cache_key) == state_json:
            return
        await self._write(
            "INSERT INTO persistence_conversations (platform, name, conv_key, state)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (platform, name, conv_key)"
            " DO UPDATE SET state = excluded.state",
            (self.platform, name, key_json, state_json),
            cache_key,
            state_json,
        )

    async def flush(self) -> None:
        """Nothing to do: every update_* call has already committed."""

    # --- helpers ---------------------------------------------------------------------------

    async def _load_keyed(self, table: str, column: str, kind: str) -> dict[int, dict[Any, Any]]:
        async with (
            self.db.read() as c,
            c.execute(
                f"SELECT {column} AS id, data FROM {table} WHERE platform = ?", (self.platform,)
            ) as cur,
        ):
            rows = await cur.fetchall()
        result: dict[int, dict[Any, Any]] = {}
        for row in rows:
            self._written[(kind, str(row["id"]))] = row["data"]
            result[int(row["id"])] = json.loads(row["data"])
        return result

    async def _save_keyed(
        self, table: str, column: str, kind: str, row_id: int, data: dict[Any, Any]
    ) -> None:
        data_json = _dump(data, f"{kind}_data[{row_id}]")
        cache_key = (kind, str(row_id))
        if self._written.get(cache_key) == data_json:
            return
        await self._write(
            f"INSERT INTO {table} (platform, {column}, data) VALUES (?, ?, ?)"
            f" ON CONFLICT (platform, {column}) DO UPDATE SET data = excluded.data",
            (self.platform, row_id, data_json),
            cache_key,
            data_json,
        )

    async def _drop_keyed(self, table: str, column: str, kind: str, row_id: int) -> None:
        await self._write(
            f"DELETE FROM {table} WHERE platform = ? AND {column} = ?",
            (self.platform, row_id),
            (kind, str(row_id)),
            None,
        )

    async def _load_singleton(self, name: str) -> Any:
        async with (
            self.db.read() as c,
            c.execute(
                "SELECT data FROM persistence_singletons WHERE platform = ? AND name = ?",
                (self.platform, name),
            ) as cur,
        ):
            row = await cur.fetchone()
        if row is None:
            return None
        self._written[("singleton", name)] = row["data"]
        return json.loads(row["data"])

    async def _save_singleton(self, name: str, data: Any) -> None:
        data_json = _dump(data, name)
        cache_key = ("singleton", name)
        if self._written.get(cache_key) == data_json:
            return
        await self._write(
            "INSERT INTO persistence_singletons (platform, name, data) VALUES (?, ?, ?)"
            " ON CONFLICT (platform, name) DO UPDATE SET data = excluded.data",
            (self.platform, name, data_json),
            cache_key,
            data_json,
        )
