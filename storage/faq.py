"""FAQ questions and feedback: what citizens asked, what the bot did, and their 👍/👎.

The question text is the citizen's own words: it is stored for the office's report
(`homebiz faq-report`) with digits of codes and phones masked, and never logged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from domain.faq import FaqCounts, FaqOutcome
from storage.db import Database, from_db_time, to_db_time

_COLUMNS = "id, citizen_id, outcome, text, normalized, entry_id, suggested, helpful, asked_at"


@dataclass(frozen=True)
class FaqQuestion:
    """One stored question (or an answer opened from /faq)."""

    id: int
    citizen_id: int
    outcome: FaqOutcome
    text: str | None
    entry_id: str | None
    suggested: tuple[str, ...]
    helpful: bool | None
    asked_at: datetime


@dataclass(frozen=True)
class UnansweredQuestion:
    """Questions with one comparable form the FAQ did not answer, and how often they came."""

    example: str  # the latest wording
    count: int
    outcome: FaqOutcome  # unmatched, or suggested with no button pressed
    suggested: tuple[str, ...]  # the entries offered last time (suggested only)
    last_asked: datetime


@dataclass(frozen=True)
class DislikedAnswer:
    """An entry whose answer citizens marked 👎, with the 👍 beside it and their questions."""

    entry_id: str
    disliked: int
    liked: int
    questions: tuple[str, ...]  # the latest typed questions that got this answer and a 👎


def _question(row: sqlite3.Row) -> FaqQuestion:
    helpful = row["helpful"]
    return FaqQuestion(
        id=row["id"],
        citizen_id=row["citizen_id"],
        outcome=FaqOutcome(row["outcome"]),
        text=row["text"],
        entry_id=row["entry_id"],
        suggested=tuple(filter(None, (row["suggested"] or "").split(","))),
        helpful=None if helpful is None else bool(helpful),
        asked_at=from_db_time(row["asked_at"]),
    )


def _period(since: datetime | None, until: datetime | None) -> tuple[str, list[str]]:
    """A WHERE fragment on asked_at, and its parameters."""
    clauses, params = [], []
    if since is not None:
        clauses.append("asked_at >= ?")
        params.append(to_db_time(since))
    if until is not None:
        clauses.append("asked_at < ?")
        params.append(to_db_time(until))
    return (" AND " + " AND ".join(clauses)) if clauses else "", params


class FaqLog:
    """Stores questions and votes; reports what the FAQ could not answer."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        citizen_id: int,
        outcome: FaqOutcome,
        *,
        text: str | None = None,
        normalized: str | None = None,
        entry_id: str | None = None,
        suggested: Sequence[str] = (),
        conn: aiosqlite.Connection | None = None,
    ) -> int:
        """Store one question (or an opened answer); return its id for the buttons."""
        async with self.db.writing(conn) as c:
            cursor = await c.execute(
                "INSERT INTO faq_questions"
                " (citizen_id, outcome, text, normalized, entry_id, suggested, asked_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    citizen_id,
                    outcome.value,
                    text,
                    normalized,
                    entry_id,
                    ",".join(suggested) or None,
                    self.db.now_text(),
                ),
            )
            row_id = cursor.lastrowid
            await cursor.close()
        assert row_id is not None
        return row_id

    async def get(
        self, row_id: int, conn: aiosqlite.Connection | None = None
    ) -> FaqQuestion | None:
        """One stored question, or None."""
        sql = f"SELECT {_COLUMNS} FROM faq_questions WHERE id = ?"
        async with self.db.reading(conn) as c, c.execute(sql, (row_id,)) as cur:
            row = await cur.fetchone()
        return None if row is None else _question(row)

    async def pick(
        self, row_id: int, entry_id: str, conn: aiosqlite.Connection | None = None
    ) -> None:
        """A «Did you mean?» button was pressed: the question got that entry's answer."""
        async with self.db.writing(conn) as c:
            await c.execute(
                "UPDATE faq_questions SET outcome = ?, entry_id = ? WHERE id = ?",
                (FaqOutcome.PICKED.value, entry_id, row_id),
            )

    async def vote(
        self, row_id: int, helpful: bool, conn: aiosqlite.Connection | None = None
    ) -> None:
        """👍 or 👎 on the answer a question got (a second vote replaces the first)."""
        async with self.db.writing(conn) as c:
            await c.execute(
                "UPDATE faq_questions SET helpful = ?, voted_at = ? WHERE id = ?",
                (int(helpful), self.db.now_text(), row_id),
            )

    async def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]:
        """Questions no entry answered, grouped by their comparable form, most asked first."""
        # The latest question of each group gives its wording and the entries offered.
        sql = (
            "SELECT g.n, g.outcome, q.text, q.suggested, q.asked_at FROM"
            " (SELECT outcome, normalized, COUNT(*) AS n, MAX(id) AS last_id"
            "  FROM faq_questions WHERE outcome IN (?, ?) GROUP BY outcome, normalized) g"
            " JOIN faq_questions q ON q.id = g.last_id ORDER BY g.n DESC, q.id DESC LIMIT ?"
        )
        params = (FaqOutcome.UNMATCHED.value, FaqOutcome.SUGGESTED.value, limit)
        async with self.db.read() as c, c.execute(sql, params) as cur:
            rows = list(await cur.fetchall())
        return [
            UnansweredQuestion(
                example=row["text"] or "",
                count=int(row["n"]),
                outcome=FaqOutcome(row["outcome"]),
                suggested=tuple(filter(None, (row["suggested"] or "").split(","))),
                last_asked=from_db_time(row["asked_at"]),
            )
            for row in rows
        ]

    async def disliked(self, limit: int = 50, examples: int = 3) -> list[DislikedAnswer]:
        """Entries whose answers were marked 👎, most 👎 first, with the questions behind them."""
        sql = (
            "SELECT entry_id, SUM(helpful = 0) AS down, SUM(helpful = 1) AS up"
            " FROM faq_questions WHERE entry_id IS NOT NULL AND helpful IS NOT NULL"
            " GROUP BY entry_id HAVING down > 0 ORDER BY down DESC, entry_id LIMIT ?"
        )
        found: list[DislikedAnswer] = []
        async with self.db.read() as c:
            async with c.execute(sql, (limit,)) as cur:
                rows = list(await cur.fetchall())
            for row in rows:
                sql = (
                    "SELECT text FROM faq_questions WHERE entry_id = ? AND helpful = 0"
                    " AND text IS NOT NULL ORDER BY voted_at DESC, id DESC LIMIT ?"
                )
                async with c.execute(sql, (row["entry_id"], examples)) as cur:
                    texts = tuple(str(r["text"]) for r in await cur.fetchall())
                found.append(
                    DislikedAnswer(row["entry_id"], int(row["down"]), int(row["up"]), texts)
                )
        return found

    async def counts(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> FaqCounts:
        """Questions asked in [since, until) by outcome, for the share answered without an
        officer (``FaqCounts.share_without_officer``)."""
        where, params = _period(since, until)
        sql = (
            "SELECT outcome, COUNT(*) AS n,"
            f"  SUM(helpful = 0 AND outcome IN ('{FaqOutcome.ANSWERED}', '{FaqOutcome.PICKED}'))"
            " AS down"
            f" FROM faq_questions WHERE 1 = 1{where} GROUP BY outcome"
        )
        async with self.db.read() as c, c.execute(sql, params) as cur:
            rows = {
                str(r["outcome"]): (int(r["n"]), int(r["down"] or 0)) for r in await cur.fetchall()
            }

        def n(outcome: FaqOutcome) -> int:
            return rows.get(outcome.value, (0, 0))[0]

        return FaqCounts(
            answered=n(FaqOutcome.ANSWERED),
            picked=n(FaqOutcome.PICKED),
            suggested=n(FaqOutcome.SUGGESTED),
            unmatched=n(FaqOutcome.UNMATCHED),
            disliked=sum(down for _, down in rows.values()),
            browsed=n(FaqOutcome.BROWSED),
        )
