"""Announcement subscriptions: opt in, choose counties and activity groups, opt out."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from domain.exhibitions import BroadcastFilter, Subscription
from storage.db import Database

# A subscriber matches a filter when, in each dimension, the filter says «all», the citizen
# chose nothing («all»), or the citizen chose the filter's value. Kept beside
# BroadcastFilter.matches, which says the same in Python.
MATCH_SQL = (
    " s.active = 1"
    " AND (:county IS NULL"
    "   OR NOT EXISTS (SELECT 1 FROM subscription_counties x WHERE x.citizen_id = s.citizen_id)"
    "   OR EXISTS (SELECT 1 FROM subscription_counties x"
    "              WHERE x.citizen_id = s.citizen_id AND x.county = :county))"
    " AND (:group IS NULL"
    "   OR NOT EXISTS (SELECT 1 FROM subscription_groups g WHERE g.citizen_id = s.citizen_id)"
    "   OR EXISTS (SELECT 1 FROM subscription_groups g"
    "              WHERE g.citizen_id = s.citizen_id AND g.group_code = :group))"
)


class SubscriptionRepository:
    """Reads and writes citizens' announcement choices."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, citizen_id: int, conn: aiosqlite.Connection | None = None) -> Subscription:
        """The citizen's choices (inactive with «all» when never set)."""
        async with self.db.reading(conn) as c:
            sql = "SELECT active FROM subscriptions WHERE citizen_id = ?"
            async with c.execute(sql, (citizen_id,)) as cur:
                row = await cur.fetchone()
            sql = "SELECT county FROM subscription_counties WHERE citizen_id = ? ORDER BY county"
            async with c.execute(sql, (citizen_id,)) as cur:
                counties = tuple(str(r[0]) for r in await cur.fetchall())
            sql = "SELECT group_code FROM subscription_groups WHERE citizen_id = ? ORDER BY 1"
            async with c.execute(sql, (citizen_id,)) as cur:
                groups = tuple(str(r[0]) for r in await cur.fetchall())
        return Subscription(
            citizen_id=citizen_id,
            active=bool(row and row[0]),
            counties=counties,
            groups=groups,
        )

    async def set_active(
        self, citizen_id: int, active: bool, conn: aiosqlite.Connection | None = None
    ) -> bool:
        """Opt in or out; return whether anything changed."""
        now = self.db.now_text()
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO subscriptions (citizen_id, active, created_at, updated_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (citizen_id) DO UPDATE SET active = excluded.active,"
                "   updated_at = excluded.updated_at WHERE subscriptions.active != excluded.active",
                (citizen_id, int(active), now, now),
            )
            changed = cursor.rowcount == 1
            await cursor.close()
        return changed

    async def toggle(
        self, citizen_id: int, dimension: str, code: str, conn: aiosqlite.Connection | None = None
    ) -> Subscription:
        """Add or remove one county («county») or group («group»); choosing opts in."""
        table, column = _table(dimension)
        async with self.db.writing(conn) as c:
            await self.set_active(citizen_id, True, c)
            cursor = await c.execute(
                f"DELETE FROM {table} WHERE citizen_id = ? AND {column} = ?", (citizen_id, code)
            )
            removed = cursor.rowcount == 1
            await cursor.close()
            if not removed:
                await c.execute(
                    f"INSERT INTO {table} (citizen_id, {column}) VALUES (?, ?)", (citizen_id, code)
                )
            return await self.get(citizen_id, c)

    async def choose_all(
        self, citizen_id: int, dimension: str, conn: aiosqlite.Connection | None = None
    ) -> Subscription:
        """Clear one dimension's choices, which means «all»; choosing opts in."""
        table, _ = _table(dimension)
        async with self.db.writing(conn) as c:
            await self.set_active(citizen_id, True, c)
            await c.execute(f"DELETE FROM {table} WHERE citizen_id = ?", (citizen_id,))
            return await self.get(citizen_id, c)

    async def replace(
        self,
        citizen_id: int,
        counties: Iterable[str],
        groups: Iterable[str],
        *,
        active: bool = True,
        conn: aiosqlite.Connection | None = None,
    ) -> Subscription:
        """Set every choice at once (tests and imports)."""
        async with self.db.writing(conn) as c:
            await self.set_active(citizen_id, active, c)
            await c.execute("DELETE FROM subscription_counties WHERE citizen_id = ?", (citizen_id,))
            await c.execute("DELETE FROM subscription_groups WHERE citizen_id = ?", (citizen_id,))
            await c.executemany(
                "INSERT INTO subscription_counties (citizen_id, county) VALUES (?, ?)",
                [(citizen_id, code) for code in counties],
            )
            await c.executemany(
                "INSERT INTO subscription_groups (citizen_id, group_code) VALUES (?, ?)",
                [(citizen_id, code) for code in groups],
            )
            return await self.get(citizen_id, c)

    async def count_matching(
        self, flt: BroadcastFilter, conn: aiosqlite.Connection | None = None
    ) -> int:
        """How many active subscribers an announcement with this filter would reach."""
        sql = f"SELECT COUNT(*) FROM subscriptions s WHERE {MATCH_SQL}"
        async with self.db.reading(conn) as c, c.execute(sql, flt.model_dump()) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0


def _table(dimension: str) -> tuple[str, str]:
    if dimension == "county":
        return "subscription_counties", "county"
    if dimension == "group":
        return "subscription_groups", "group_code"
    raise ValueError(f"unknown subscription dimension {dimension!r}")
