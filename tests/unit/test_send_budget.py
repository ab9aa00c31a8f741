"""The send budget on a clock the test moves: replies first, the total within the budget."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.send_budget import SendBudget, Turn


class FakeTime:
    """Seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def budget_on(clock: FakeTime, rate: float | None = 10.0, **kw: float) -> SendBudget:
    return SendBudget(rate, clock=clock, sleep=clock.sleep, **kw)


async def take_all(
    budget: SendBudget, clock: FakeTime, turns: list[Turn]
) -> list[tuple[float, Turn, int]]:
    """Everyone asks at once (in list order); return (time, side, index) in grant order."""
    granted: list[tuple[float, Turn, int]] = []

    async def one(index: int, turn: Turn) -> None:
        await budget.take(turn)
        granted.append((clock(), turn, index))

    tasks = [asyncio.create_task(one(i, turn)) for i, turn in enumerate(turns)]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    return granted


def most_in_any_window(times: list[float], seconds: float) -> int:
    """The most sends that start within any window of ``seconds``."""
    times = sorted(times)
    return max(
        sum(1 for t in times[i:] if t < start + seconds - 1e-9) for i, start in enumerate(times)
    )


async def test_sends_are_spaced_to_the_rate() -> None:
    clock = FakeTime()
    granted = await take_all(budget_on(clock, 10), clock, [Turn.OUTBOX] * 25)
    times = [t for t, _, _ in granted]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps == pytest.approx([0.1] * 24)
    assert most_in_any_window(times, 1.0) <= 10


async def test_a_reply_goes_before_the_outbox_backlog() -> None:
    clock = FakeTime()
    budget = budget_on(clock, 10)
    backlog = [asyncio.create_task(budget.take(Turn.OUTBOX)) for _ in range(20)]
    await asyncio.sleep(0)  # the backlog waits in line
    granted_before = budget.granted[Turn.OUTBOX]
    await asyncio.wait_for(budget.take(Turn.REPLY), timeout=10)
    # The reply took the next turn: at most the one outbox turn already being handed out.
    assert budget.granted[Turn.OUTBOX] - granted_before <= 1
    assert budget.waiting[Turn.OUTBOX] >= 18
    await asyncio.wait_for(asyncio.gather(*backlog), timeout=10)


async def test_replies_first_and_the_total_stays_within_the_budget() -> None:
    clock = FakeTime()
    budget = budget_on(clock, 10)
    outbox = [asyncio.create_task(budget.take(Turn.OUTBOX)) for _ in range(30)]
    await asyncio.sleep(0)
    replies = await take_all(budget, clock, [Turn.REPLY] * 15)
    reply_done = max(t for t, _, _ in replies)
    outbox_left = budget.waiting[Turn.OUTBOX]
    await asyncio.wait_for(asyncio.gather(*outbox), timeout=10)
    # 15 replies at 10/s take 1.5 s even with 30 outbox messages queued before them …
    assert reply_done - 1000.0 <= 1.5 + 1e-6
    assert outbox_left >= 25
    # … and replies and outbox together never beat the budget: 45 sends, 10 a second.
    assert budget.granted == {Turn.REPLY: 15, Turn.OUTBOX: 30}
    assert clock() - 1000.0 >= 4.4 - 1e-6


async def test_every_window_holds_at_most_the_budget_with_both_sides_sending() -> None:
    clock = FakeTime()
    budget = budget_on(clock, 10)
    times: list[float] = []

    async def side(turn: Turn, count: int, pause: float) -> None:
        for _ in range(count):
            await budget.take(turn)
            times.append(clock())
            await clock.sleep(pause)

    await asyncio.wait_for(
        asyncio.gather(
            *(side(Turn.OUTBOX, 20, 0) for _ in range(4)),
            *(side(Turn.REPLY, 10, 0.05) for _ in range(3)),
        ),
        timeout=30,
    )
    assert len(times) == 110
    assert most_in_any_window(times, 1.0) <= 10 + 1


async def test_the_outbox_keeps_its_own_ceiling_within_the_budget() -> None:
    clock = FakeTime()
    granted = await take_all(budget_on(clock, 30, outbox_rate=5), clock, [Turn.OUTBOX] * 11)
    times = [t for t, _, _ in granted]
    assert times[-1] - times[0] == pytest.approx(2.0)


async def test_a_reply_takes_the_turn_the_outbox_ceiling_leaves() -> None:
    clock = FakeTime()
    budget = budget_on(clock, 30, outbox_rate=1)
    await budget.take(Turn.OUTBOX)
    # The outbox asks first, but its own ceiling holds it for a second: the reply goes now.
    granted = await take_all(budget, clock, [Turn.OUTBOX, Turn.REPLY])
    assert [turn for _, turn, _ in granted] == [Turn.REPLY, Turn.OUTBOX]
    assert granted[0][0] - 1000.0 == pytest.approx(1 / 30)
    assert granted[1][0] - 1000.0 == pytest.approx(1.0)


async def test_unpaced_replies_go_at_once_and_use_up_the_budget() -> None:
    clock = FakeTime()
    budget = budget_on(clock, 10, reply_rate=0)
    for _ in range(50):
        await budget.take(Turn.REPLY)
    assert clock() == 1000.0  # REPLY_RATE_PER_SECOND=0: no reply waited
    await budget.take(Turn.OUTBOX)
    assert clock() > 1000.0  # the replies used the turn the outbox would have had


async def test_a_429_pauses_the_outbox_but_not_replies() -> None:
    clock = FakeTime()
    budget = budget_on(clock, 10)
    budget.pause_outbox(5.0)
    await budget.take(Turn.REPLY)
    assert clock() == 1000.0
    await budget.take(Turn.OUTBOX)
    assert clock() >= 1005.0 - 1e-6


async def test_a_cancelled_waiter_gives_its_place_up() -> None:
    clock = FakeTime()
    budget = budget_on(clock, 10)
    await budget.take(Turn.OUTBOX)
    waiter = asyncio.create_task(budget.take(Turn.OUTBOX))
    await asyncio.sleep(0)
    assert budget.waiting[Turn.OUTBOX] == 1
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert budget.waiting[Turn.OUTBOX] == 0
    await asyncio.wait_for(budget.take(Turn.OUTBOX), timeout=5)


async def test_no_rate_means_no_wait() -> None:
    clock = FakeTime()
    budget = budget_on(clock, None)
    await take_all(budget, clock, [Turn.OUTBOX, Turn.REPLY] * 20)
    assert clock() == 1000.0


async def test_after_a_quiet_moment_a_short_answer_goes_at_once() -> None:
    clock = FakeTime()
    budget = budget_on(clock, 10, burst=5)
    granted = await take_all(budget, clock, [Turn.REPLY] * 8)
    times = [t - 1000.0 for t, _, _ in granted]
    assert times[:5] == [0.0] * 5  # the burst
    assert times[5:] == pytest.approx([0.1, 0.2, 0.3])  # then the rate
    assert most_in_any_window([t for t, _, _ in granted], 1.0) <= 10 + 5
