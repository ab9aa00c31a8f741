"""Status changes and the outbox on a real SQLite file: one transaction, quiet hours, dedupe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.lifecycle import ReasonRequired, TransitionNotAllowed
from domain.models import Application, StatusEvent
from domain.notifications import OutboxMessage, OutboxStatus, QuietHours
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from storage import status_changes
from storage.applications import ApplicationRepository
from storage.audit import AuditLog
from storage.citizens import CitizenRepository
from storage.db import Database, to_db_time
from storage.events import StatusEventRepository
from storage.outbox import OutboxRepository
from storage.status_changes import change_status, record_permit
from tests.clock import FakeClock
from tests.conftest import migrated

OFFICER = "officer:900001"
CHAT_ID = 555


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 6, 30, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Database]:
    async with Database(migrated(tmp_path / "bot.sqlite3"), clock=clock) as opened:
        yield opened


def render(event: StatusEvent, app: Application) -> str:
    """A stand-in for the Persian renderer: enough to see what was rendered."""
    return f"{app.tracking_code}: {event.from_status} -> {event.to_status}"


async def submitted_application(db: Database, user_id: int = 1) -> Application:
    citizen = await CitizenRepository(db).get_or_create("telegram", user_id, CHAT_ID + user_id)
    apps = ApplicationRepository(db)
    draft = await apps.create_draft(citizen.id, PlanType.INDEPENDENT)
    await apps.update_fields(draft.id, tracking_code=f"HB-{draft.id:04d}")
    await change_status(db, draft.id, S.SUBMITTED, f"citizen:{citizen.id}")
    found = await apps.get(draft.id)
    assert found is not None
    return found


async def count(db: Database, table: str) -> int:
    async with db.read() as conn, conn.execute(f"SELECT COUNT(*) FROM {table}") as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


# --- change_status ----------------------------------------------------------------------------


async def test_officer_change_writes_status_event_audit_and_outbox(db: Database) -> None:
    app = await submitted_application(db)
    event = await change_status(db, app.id, S.UNDER_REVIEW, OFFICER, render=render)

    after = await ApplicationRepository(db).get(app.id)
    assert after is not None and after.status is S.UNDER_REVIEW
    assert after.submitted_at is not None
    timeline = await StatusEventRepository(db).timeline(app.id)
    assert [(e.from_status, e.to_status) for e in timeline] == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.UNDER_REVIEW),
    ]
    (audit,) = await AuditLog(db).list(subject=f"application:{app.id}")
    assert audit.actor == OFFICER and audit.action == "status_change"
    assert audit.before["status"] == "submitted" and audit.after["status"] == "under_review"
    row = await OutboxRepository(db).get_by_dedupe_key(f"status_event:{event.id}")
    assert row is not None
    assert row.chat_id == CHAT_ID + 1 and row.citizen_id == app.citizen_id
    assert row.text == "HB-0001: submitted -> under_review"
    assert row.kind == "status_change" and row.status is OutboxStatus.PENDING


async def test_citizen_submission_is_not_audited_or_notified_by_default(db: Database) -> None:
    await submitted_application(db)
    assert await count(db, "audit_log") == 0
    assert await count(db, "outbox") == 0


async def test_officer_change_must_notify(db: Database) -> None:
    app = await submitted_application(db)
    with pytest.raises(ValueError):
        await change_status(db, app.id, S.UNDER_REVIEW, OFFICER)


async def test_detail_columns_follow_the_change(db: Database) -> None:
    app = await submitted_application(db)
    for to, details in [
        (S.UNDER_REVIEW, {}),
        (S.APPROVED, {}),
        (S.INTRODUCED_TO_BANK, {"bank": "ملت", "branch": "مرکزی خرم‌آباد"}),
    ]:
        await change_status(db, app.id, to, OFFICER, details=details, render=render)
    await change_status(
        db,
        app.id,
        S.PAID,
        "import:bank-1404.xlsx",
        details={"amount_rials": 2_000_000_000, "paid_on": "2025-02-20"},
        render=render,
    )
    after = await ApplicationRepository(db).get(app.id)
    assert after is not None
    assert (after.status, after.bank, after.bank_branch) == (S.PAID, "ملت", "مرکزی خرم‌آباد")
    assert (after.paid_rials, after.paid_on) == (2_000_000_000, date(2025, 2, 20))
    assert await count(db, "outbox") == 4


async def test_refused_change_writes_nothing(db: Database) -> None:
    app = await submitted_application(db)
    with pytest.raises(TransitionNotAllowed):
        await change_status(db, app.id, S.APPROVED, OFFICER, render=render)
    with pytest.raises(ReasonRequired):
        await change_status(db, app.id, S.REJECTED, OFFICER, render=render)
    after = await ApplicationRepository(db).get(app.id)
    assert after is not None and after.status is S.SUBMITTED
    assert await count(db, "status_events") == 1  # the submission only
    assert await count(db, "outbox") == 0


@pytest.mark.parametrize("where", ["render", "audit", "outbox"])
async def test_failure_after_the_status_update_rolls_everything_back(
    db: Database, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    app = await submitted_application(db)

    def broken_render(event: StatusEvent, app: Application) -> str:
        raise RuntimeError("boom")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    if where == "audit":
        monkeypatch.setattr(status_changes.AuditLog, "record", broken)
    if where == "outbox":
        monkeypatch.setattr(status_changes.OutboxRepository, "enqueue", broken)
    with pytest.raises(RuntimeError, match="boom"):
        await change_status(
            db,
            app.id,
            S.REJECTED,
            OFFICER,
            reason="not eligible",
            render=broken_render if where == "render" else render,
        )
    after = await ApplicationRepository(db).get(app.id)
    assert after is not None and after.status is S.SUBMITTED
    assert await count(db, "status_events") == 1
    assert await count(db, "audit_log") == 0
    assert await count(db, "outbox") == 0


async def test_permit_is_an_event_beside_the_status(db: Database) -> None:
    app = await submitted_application(db)
    event = await record_permit(db, app.id, "1404-778899", OFFICER, render=render)
    assert (event.from_status, event.to_status) == (S.SUBMITTED, S.SUBMITTED)
    assert event.details == {"event": "permit_issued", "permit_number": "1404-778899"}
    after = await ApplicationRepository(db).get(app.id)
    assert after is not None and (after.status, after.permit_number) == (S.SUBMITTED, "1404-778899")
    row = await OutboxRepository(db).get_by_dedupe_key(f"status_event:{event.id}")
    assert row is not None and row.kind == "permit_issued"


# --- the outbox -------------------------------------------------------------------------------


def message(key: str, *, chat_id: int = CHAT_ID, urgent: bool = False) -> OutboxMessage:
    return OutboxMessage(
        chat_id=chat_id, kind="reminder", text="سلام", dedupe_key=key, urgent=urgent
    )


async def test_same_dedupe_key_is_enqueued_once(db: Database) -> None:
    outbox = OutboxRepository(db)
    first = await outbox.enqueue(message("reminder:1"))
    again = await outbox.enqueue(message("reminder:1"))
    assert first is not None and again is None
    assert await outbox.pending_count() == 1


@pytest.mark.parametrize(
    ("utc", "expected_utc"),
    [
        # Tehran is UTC+03:30: 22:00 Tehran = 18:30 UTC, 08:00 Tehran = 04:30 UTC.
        (datetime(2025, 3, 1, 18, 29, tzinfo=UTC), datetime(2025, 3, 1, 18, 29, tzinfo=UTC)),
        (datetime(2025, 3, 1, 18, 30, tzinfo=UTC), datetime(2025, 3, 2, 4, 30, tzinfo=UTC)),
        (datetime(2025, 3, 1, 23, 0, tzinfo=UTC), datetime(2025, 3, 2, 4, 30, tzinfo=UTC)),
        (datetime(2025, 3, 2, 2, 0, tzinfo=UTC), datetime(2025, 3, 2, 4, 30, tzinfo=UTC)),
        (datetime(2025, 3, 2, 4, 30, tzinfo=UTC), datetime(2025, 3, 2, 4, 30, tzinfo=UTC)),
    ],
)
async def test_quiet_hours_hold_non_urgent_messages(
    db: Database, clock: FakeClock, utc: datetime, expected_utc: datetime
) -> None:
    clock.now = utc
    outbox = OutboxRepository(db)
    await outbox.enqueue(message("quiet"))
    await outbox.enqueue(message("urgent", urgent=True))
    quiet = await outbox.get_by_dedupe_key("quiet")
    urgent = await outbox.get_by_dedupe_key("urgent")
    assert quiet is not None and quiet.not_before == expected_utc
    assert urgent is not None and urgent.not_before == utc
    due_now = await outbox.claim_due(utc, 10)
    assert [m.dedupe_key for m in due_now] == (
        ["quiet", "urgent"] if expected_utc == utc else ["urgent"]
    )


async def test_quiet_hours_are_configurable() -> None:
    hours = QuietHours(start_hour=23, end_hour=7)
    at_22_tehran = datetime(2025, 3, 1, 18, 30, tzinfo=UTC)
    assert not hours.is_quiet(at_22_tehran)
    assert hours.next_allowed(at_22_tehran + timedelta(hours=1)) == datetime(
        2025, 3, 2, 3, 30, tzinfo=UTC
    )
    assert not QuietHours(start_hour=0, end_hour=0).is_quiet(at_22_tehran)


async def test_claim_keeps_chat_order_and_skips_busy_chats(db: Database, clock: FakeClock) -> None:
    outbox = OutboxRepository(db)
    for key, chat in [("a1", 1), ("b1", 2), ("a2", 1)]:
        await outbox.enqueue(message(key, chat_id=chat, urgent=True))
    first = await outbox.claim_due(clock(), 1)
    assert [m.dedupe_key for m in first] == ["a1"]
    # chat 1 is busy (a1 sending): only chat 2's row is claimable
    assert [m.dedupe_key for m in await outbox.claim_due(clock(), 10)] == ["b1"]
    assert first[0].id is not None
    await outbox.mark_retry(first[0].id, "timeout", clock() + timedelta(seconds=30))
    # a1 waits for its retry, and a2 must not overtake it
    assert await outbox.claim_due(clock(), 10) == []
    clock.advance(seconds=31)
    assert [m.dedupe_key for m in await outbox.claim_due(clock(), 10)] == ["a1"]


# The claim's rule written plainly (no index hints): what both of claim_due's plans must select.
REFERENCE_CLAIM = (
    "SELECT o.id FROM outbox AS o WHERE o.status = 'pending' AND o.not_before <= ?"
    " AND NOT EXISTS (SELECT 1 FROM outbox AS s WHERE s.chat_id = o.chat_id"
    "   AND s.status = 'sending')"
    " AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.chat_id = o.chat_id AND e.id < o.id"
    "   AND e.status = 'pending' AND e.attempts > 0)"
    " ORDER BY o.id LIMIT ?"
)


@pytest.mark.parametrize("rows", [60, 900])  # fewer / more due rows than the sort-them-all cap
async def test_claim_matches_the_rule_for_few_and_many_due_rows(
    db: Database, clock: FakeClock, rows: int
) -> None:
    outbox = OutboxRepository(db)
    # chats with several rows; some rows held by quiet hours, some waiting for a retry,
    # some chats busy with a row in flight
    async with db.transaction() as c:  # one commit for the rows, as a broadcast writes them
        for n in range(rows):
            await outbox.enqueue(message(f"m{n}", chat_id=n % 37, urgent=n % 5 != 0), conn=c)
    async with db.transaction() as c:
        await c.execute("UPDATE outbox SET not_before = ? WHERE id % 5 = 1", ("2099-01-01",))
        await c.execute(
            "UPDATE outbox SET attempts = 1, not_before = ? WHERE id % 11 = 3", ("2099-01-01",)
        )
        await c.execute("UPDATE outbox SET attempts = 2 WHERE id % 13 = 4")
        await c.execute("UPDATE outbox SET status = 'sending' WHERE id % 17 = 6")
        await c.execute("UPDATE outbox SET status = 'sent' WHERE id % 19 = 7")
    for limit in (1, 16, 10_000):
        async with db.read() as c, c.execute(REFERENCE_CLAIM, (to_db_time(clock()), limit)) as cur:
            expected = [int(r[0]) for r in await cur.fetchall()]
        claimed = await outbox.claim_due(clock(), limit)
        assert [m.id for m in claimed] == expected and expected
        await outbox.release(expected)


async def test_rows_left_sending_are_recovered(db: Database, clock: FakeClock) -> None:
    outbox = OutboxRepository(db)
    await outbox.enqueue(message("x", urgent=True))
    (claimed,) = await outbox.claim_due(clock(), 10)
    assert claimed.status is OutboxStatus.SENDING
    assert await outbox.claim_due(clock(), 10) == []
    assert await outbox.recover_sending() == 1
    assert [m.dedupe_key for m in await outbox.claim_due(clock(), 10)] == ["x"]


async def test_settling_records_attempts_and_stats(db: Database, clock: FakeClock) -> None:
    outbox = OutboxRepository(db)
    ids = [await outbox.enqueue(message(k, chat_id=i, urgent=True)) for i, k in enumerate("xyz")]
    assert all(i is not None for i in ids)
    x, y, z = (i for i in ids if i is not None)
    await outbox.claim_due(clock(), 10)
    await outbox.mark_sent(x, 77)
    await outbox.mark_undeliverable(y, "Forbidden: bot was blocked by the user", error_code="403")
    await outbox.mark_failed(z, "Bad Request: message is too long", error_code="400")
    sent = await outbox.get(x)
    assert sent is not None and sent.sent_message_id == 77 and sent.sent_at == clock()
    assert await outbox.stats() == {
        "pending": 0,
        "sending": 0,
        "sent": 1,
        "undeliverable": 1,
        "failed": 1,
    }
    assert [a.outcome for a in await outbox.attempts(y)] == ["undeliverable"]
    assert await outbox.requeue(y) is True
    assert await outbox.pending_count() == 1


# --- officers (same migration) ----------------------------------------------------------------


async def test_officers_are_added_removed_and_audited(db: Database) -> None:
    from storage.officers import OfficerRepository

    officers = OfficerRepository(db)
    added = await officers.add("bale", 42, "officer:1", name="کارشناس", is_admin=True)
    assert added.is_admin and await officers.is_officer("bale", 42)
    assert not await officers.is_officer("telegram", 42)
    assert await officers.remove("bale", 42, "officer:1") is True
    assert await officers.remove("bale", 42, "officer:1") is False
    assert not await officers.is_officer("bale", 42)
    await officers.add("bale", 42, "cli")  # may come back; the old row stays
    assert [o.user_id for o in await officers.list_active("bale")] == [42]
    actions = [e.action for e in await AuditLog(db).list(subject="officer:bale:42")]
    assert actions == ["officer_add", "officer_remove", "officer_add"]


# --- two platforms (issue 13) -------------------------------------------------------------


async def test_a_citizens_row_takes_the_citizens_platform_and_each_sender_claims_its_own(
    db: Database, clock: FakeClock
) -> None:
    outbox = OutboxRepository(db)
    citizens = CitizenRepository(db)
    on_telegram = await citizens.get_or_create("telegram", 7, 7)
    on_bale = await citizens.get_or_create("bale", 7, 7)  # the same number: another person

    def row(key: str, **fields: object) -> OutboxMessage:
        values: dict[str, object] = {"chat_id": 7, "kind": "status", "text": key, "urgent": True}
        return OutboxMessage.model_validate(values | fields | {"dedupe_key": key})

    await outbox.enqueue(row("tg", citizen_id=on_telegram.id))
    await outbox.enqueue(row("bale", citizen_id=on_bale.id))
    await outbox.enqueue(row("officer-bale", platform="bale"))  # an officer's: named
    await outbox.enqueue(row("nobody"))  # names none: the first bot's
    stored = {m.text: m.platform for m in [await outbox.get(i) for i in range(1, 5)] if m}
    assert stored == {"tg": "telegram", "bale": "bale", "officer-bale": "bale", "nobody": None}

    now = clock()
    telegram = await outbox.claim_due(now, 10, platform="telegram", primary=True)
    bale = await outbox.claim_due(now, 10, platform="bale", primary=False)
    assert sorted(m.text for m in telegram) == ["nobody", "tg"]
    assert sorted(m.text for m in bale) == ["bale", "officer-bale"]
    # one chat id on two platforms is two chats: neither waited for the other's lane
    assert await outbox.recover_sending(platform="bale", primary=False) == 2
    assert await outbox.claim_due(now, 10, platform="telegram", primary=True) == []
