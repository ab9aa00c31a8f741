"""One send budget per bot token, over real HTTP: replies overtake a broadcast backlog, and
replies and the outbox together keep to the budget (counted from the emulator's record)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from pathlib import Path

from bot.api_client import BotApiClient
from bot.send_budget import ANSWER_BURST, SendBudget, Turn
from bot.updates.reply_sender import ReplySender
from botapi_emulator import Citizen, Emulator, FaultConfig
from botapi_emulator.state import RecordedCall
from botapi_emulator.users import user_json
from domain.notifications import OutboxKind, OutboxMessage
from handlers.menu import MenuItem, label
from storage.db import Database
from storage.inbox import Inbox, Received
from storage.replies import ReplyQueue
from tests.conftest import BOT_TOKEN, RunningBot, bot_running, make_settings
from tests.settle import store_settled

RATE = 20  # the budget, per second: low enough for a backlog, high enough for a short test
BACKLOG = 60  # broadcast messages waiting, one per subscriber
FIRST_SUBSCRIBER = 50_000
# The methods the budget paces (every call that puts something on a citizen's screen).
PACED = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}


async def enqueue_broadcast(running: RunningBot, emulator: Emulator) -> set[int]:
    """A broadcast's rows for BACKLOG subscribers, all due now; return their chats."""
    state = emulator.bot(BOT_TOKEN)
    services = running.application.services
    chats = set(range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + BACKLOG))
    for chat_id in sorted(chats):
        state.chat(user_json(chat_id, "مشترک"))
        await services.store.outbox.enqueue(
            OutboxMessage(
                chat_id=chat_id,
                kind=OutboxKind.BROADCAST,
                text="نمایشگاه مشاغل خانگی",
                dedupe_key=f"budget-test:{chat_id}",
            )
        )
    services.wake_sender()
    return chats


async def sends_to(emulator: Emulator, chats: set[int], at_least: int) -> None:
    while sum(1 for c in emulator.calls if c.ok and chat_of(c) in chats) < at_least:  # noqa: ASYNC110
        await asyncio.sleep(0.01)


def paced(calls: Iterable[RecordedCall]) -> list[RecordedCall]:
    return [c for c in calls if c.method in PACED]


def chat_of(call: RecordedCall) -> int | None:
    chat = call.params.get("chat_id")
    return int(chat) if chat is not None else None


def most_in_any_window(times: list[float], seconds: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + seconds) for i, start in enumerate(times))


async def test_a_reply_overtakes_a_broadcast_backlog_and_the_total_keeps_the_budget(
    emulator: Emulator, tmp_path: Path
) -> None:
    settings = make_settings(
        emulator,
        tmp_path / "data",
        send_rate_per_second=RATE,
        reply_rate_per_second=30,  # production's ceiling (the tests' TEST_PACING has none)
        quiet_hours_start=0,
        quiet_hours_end=0,
    )
    async with bot_running(settings) as running:
        subscribers = await enqueue_broadcast(running, emulator)
        await asyncio.wait_for(sends_to(emulator, subscribers, 3), timeout=30)

        # One citizen writes while the broadcast is being sent.
        settle = store_settled(settings.database_path)
        async with Citizen(emulator.url, user_id=4100, settle=settle, timeout=30) as citizen:
            mark = len(emulator.calls)
            replies = await citizen.sends_command("/start")
        assert replies, "no reply"
        after = paced(emulator.calls[mark:])
        reply_at = next(i for i, c in enumerate(after) if chat_of(c) == citizen.user_id)
        outbox_before = sum(1 for c in after[:reply_at] if chat_of(c) in subscribers)
        # The reply took the next turn once handled; waiting in line behind the outbox it
        # would come after every lane the sender had waiting (up to 16).
        assert outbox_before <= 8, f"{outbox_before} outbox messages went before the reply"

        # Several citizens at once, still during the backlog.
        async def walk(user_id: int) -> None:
            async with Citizen(emulator.url, user_id=user_id, settle=settle, timeout=60) as c:
                await c.sends_command("/start")
                await c.says(label(MenuItem.HELP))
                await c.sends_command("/help")

        await asyncio.wait_for(asyncio.gather(*(walk(4200 + n) for n in range(4))), timeout=90)
        outbox_left = await running.application.services.store.outbox.pending_count()
        await asyncio.wait_for(sends_to(emulator, subscribers, BACKLOG), timeout=60)

    assert outbox_left > 0, "the backlog was gone before the citizens wrote: nothing was tested"
    sends = paced(c for c in emulator.calls if c.ok)
    assert {chat_of(c) for c in sends} >= subscribers  # every subscriber got the broadcast
    # Replies and the outbox together: at most RATE a second (+ANSWER_BURST after a quiet
    # moment), with room for the emulator recording a send late on a busy machine.
    assert most_in_any_window([c.time for c in sends], 2.0) <= 2 * RATE + ANSWER_BURST + 5


async def test_a_429_on_a_reply_holds_the_outbox_back(emulator: Emulator, tmp_path: Path) -> None:
    emulator.bot(BOT_TOKEN).chat(user_json(7, "شهروند"))
    emulator.faults = FaultConfig(rate_429=1.0, count=1, retry_after=1)  # the first call: 429
    budget = SendBudget(100)
    async with Database(tmp_path / "bot.sqlite3") as db:
        queue = ReplyQueue(db, platform="telegram", bot_id=1)
        [row] = await Inbox(db, platform="telegram", bot_id=1).store([Received(1, 7, {})])
        async with db.transaction() as conn:
            await queue.add(
                conn,
                chat_key=7,
                update_seq=row.seq,
                method="sendMessage",
                params={"chat_id": 7, "text": "سلام"},
                file=None,
            )
        async with BotApiClient(emulator.api_base_url + BOT_TOKEN) as api:
            sender = ReplySender(api, queue, budget=budget, base_delay=0.01)
            asked_at = time.monotonic()
            assert await sender.flush(7)
            await sender.marks_written()
    sends = [c for c in emulator.calls if c.method == "sendMessage"]
    assert [c.status for c in sends] == [429, 200]  # retried in its lane, then sent
    assert budget.granted[Turn.REPLY] == 2  # each attempt took a reply's turn of the budget
    # The outbox may not send for the second the platform asked for; replies may.
    assert budget.rate_limited == 1
    now = time.monotonic()
    assert budget._ready_at(Turn.OUTBOX, now) >= asked_at + 1
    assert budget._ready_at(Turn.REPLY, now) <= now + 1 / 100  # the budget's pace alone
