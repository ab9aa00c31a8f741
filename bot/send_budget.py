"""One send budget per bot token: replies first, the outbox gets what replies leave.

The platform counts a bot's messages per token (Telegram asks for at most about 30 a second),
whichever part of the bot sends them. So the reply sender (bot.updates.reply_sender; calls the
application's Bot makes outside an update through its rate limiter, bot.ratelimit) and the
outbox sender (notifications, reminders, broadcasts, bot.workers.sender) take their turns
from one budget object, made once per running bot:

- the budget: at most ``rate`` sends a second in all, after a quiet moment a burst of at most
  ``burst`` at once (the running bot's: ANSWER_BURST), so in any window of T seconds at most
  ``rate * T + burst`` sends start;
- a waiting reply is always served before a waiting outbox message: the outbox gets only the
  turns no reply wants, so a broadcast backlog never delays a citizen's answer;
- each side may also have a ceiling of its own (``reply_rate``, ``outbox_rate``); a side whose
  ceiling holds it back leaves the turn to the other. ``reply_rate=0`` means replies are not
  paced at all: they go at once, and still use up the budget, so the outbox waits for them;
- a 429 pauses the outbox (``pause_outbox``); replies keep their own retry, in their lane.

Time is ``clock`` (seconds, monotonic) and waiting is ``sleep``: tests give a fake pair.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from enum import Enum

from config.settings import Settings

Sleep = Callable[[float], Awaitable[None]]

# After a quiet moment, an answer of a few messages (a menu, a checklist and a prompt) goes at
# once instead of 1/rate apart; under load the budget is spent as it comes, so no burst forms.
ANSWER_BURST = 5.0


class Turn(Enum):
    """Who asks for a send: a reply (first) or an outbox message (what replies leave)."""

    REPLY = "reply"
    OUTBOX = "outbox"


class _Bucket:
    """A token bucket: ``rate`` tokens a second, holding at most ``burst``; None: no limit."""

    def __init__(self, rate: float | None, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated: float | None = None

    def _refill(self, now: float) -> None:
        if self.rate is None:
            return
        if self.updated is not None and now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now if self.updated is None else max(self.updated, now)

    def ready_at(self, now: float) -> float:
        """When one token is there (``now`` if it is already)."""
        if self.rate is None:
            return now
        self._refill(now)
        # Within a microsecond is ready: a clock with microsecond steps (datetime) must not
        # leave a waiter a rounding error short of a token for ever.
        missing = 1 - self.tokens
        return now if missing * 1e6 <= self.rate else now + missing / self.rate

    def take(self, now: float) -> None:
        """Use one token (the caller checked ``ready_at``); never below zero."""
        if self.rate is not None:
            self._refill(now)
            self.tokens = max(0.0, self.tokens - 1)


class SendBudget:
    """The sends of one bot token, shared by replies and the outbox (see the module's text)."""

    def __init__(
        self,
        rate: float | None = 30.0,
        *,
        reply_rate: float | None = None,
        outbox_rate: float | None = None,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.replies_paced = reply_rate != 0
        self._shared = _Bucket(rate, burst)
        self._own = {
            Turn.REPLY: _Bucket(reply_rate or None, burst),
            Turn.OUTBOX: _Bucket(outbox_rate, burst),
        }
        self._waiting: dict[Turn, deque[asyncio.Future[None]]] = {
            Turn.REPLY: deque(),
            Turn.OUTBOX: deque(),
        }
        self._outbox_paused_until = 0.0
        self._clock = clock
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._granter: asyncio.Task[None] | None = None
        self.granted = {Turn.REPLY: 0, Turn.OUTBOX: 0}
        # For /metrics: the platform's 429s (each pauses the outbox) and sends retried after
        # a network error or a 5xx, replies and outbox alike.
        self.rate_limited = 0
        self.retries = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> SendBudget:
        """The budget the settings describe (README, "One send budget per bot token")."""
        return cls(
            settings.send_budget_per_second,
            reply_rate=settings.reply_rate_per_second,
            outbox_rate=settings.outbox_rate_per_second,
            burst=ANSWER_BURST,
        )

    # -- taking a turn ------------------------------------------------------------------------

    async def take(self, turn: Turn) -> None:
        """Wait for this side's next turn and use it (a reply before any outbox message)."""
        if turn is Turn.REPLY and not self.replies_paced:
            self._take_unpaced_reply()
            return
        if self._may_go_now(turn):
            self._grant(turn, self._clock())
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[turn].append(waiter)
        self._wake.set()
        if self._granter is None or self._granter.done():
            self._granter = asyncio.create_task(self._grant_in_turn(), name="send-budget")
        try:
            await waiter
        except asyncio.CancelledError:
            # Cancelled while waiting: give the place up (a turn granted just before is lost).
            with contextlib.suppress(ValueError):
                self._waiting[turn].remove(waiter)
            self._wake.set()
            raise

    def pause_outbox(self, seconds: float) -> None:
        """The platform asked us to wait (429): no outbox message for ``seconds``."""
        self.rate_limited += 1
        self._outbox_paused_until = max(self._outbox_paused_until, self._clock() + seconds)
        self._wake.set()

    def note_retry(self) -> None:
        """A send failed for a reason that may pass (network, 5xx) and will be tried again."""
        self.retries += 1

    @property
    def waiting(self) -> dict[Turn, int]:
        """How many of each side wait for a turn (tests, diagnostics)."""
        return {turn: len(queue) for turn, queue in self._waiting.items()}

    def _take_unpaced_reply(self) -> None:
        now = self._clock()
        if self._shared.ready_at(now) <= now:
            self._shared.take(now)  # what the reply used, the outbox cannot
        self.granted[Turn.REPLY] += 1

    def _may_go_now(self, turn: Turn) -> bool:
        ahead = self._waiting[Turn.REPLY] if turn is Turn.REPLY else self._any_waiting()
        return not ahead and self._ready_at(turn, self._clock()) <= self._clock()

    def _any_waiting(self) -> bool:
        return bool(self._waiting[Turn.REPLY] or self._waiting[Turn.OUTBOX])

    def _ready_at(self, turn: Turn, now: float) -> float:
        ready = max(self._shared.ready_at(now), self._own[turn].ready_at(now))
        if turn is Turn.OUTBOX:
            ready = max(ready, self._outbox_paused_until)
        return ready

    def _grant(self, turn: Turn, now: float) -> None:
        self._shared.take(now)
        self._own[turn].take(now)
        self.granted[turn] += 1

    # -- the granter: hands out turns while anyone waits ---------------------------------------

    async def _grant_in_turn(self) -> None:
        while True:
            for queue in self._waiting.values():
                while queue and queue[0].done():  # cancelled
                    queue.popleft()
            if not self._any_waiting():
                return
            now = self._clock()
            # Replies first: the outbox goes only when no reply can use this turn.
            candidates = [
                (self._ready_at(turn, now), order, turn)
                for order, turn in enumerate((Turn.REPLY, Turn.OUTBOX))
                if self._waiting[turn]
            ]
            ready, _order, turn = min(candidates)
            if ready > now:
                await self._nap(ready - now)
                continue
            self._grant(turn, now)
            self._waiting[turn].popleft().set_result(None)

    async def _nap(self, seconds: float) -> None:
        """Sleep until a turn is due, or until someone new waits (it may go first)."""
        self._wake.clear()
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, woken):
                if not task.done():
                    task.cancel()
            await asyncio.gather(sleeper, woken, return_exceptions=True)
