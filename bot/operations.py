"""What an operator watches: /healthz and /metrics (Prometheus text), on the one web server.

``BotMetrics`` has its own registry (never prometheus-client's global one), so several bots
in one process (tests) each count their own. Counters are kept as things happen (updates
handled, their latency); the store's figures (outbox, open tickets) are read at each scrape.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.application import HomebizApplication
from bot.send_budget import SendBudget
from storage import Store
from storage.db import from_db_time

LOGGER = logging.getLogger(__name__)

OUTBOX_STATES = ("pending", "sending", "sent", "failed", "undeliverable")
# /healthz fails when the oldest due outbox message has waited longer than this.
OUTBOX_MAX_AGE_SECONDS = 900.0
STORE_TIMEOUT_SECONDS = 3.0
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _BudgetCollector(Collector):
    """The send budgets' 429s and retries, read when scraped."""

    def __init__(self) -> None:
        self.budgets: dict[str, SendBudget] = {}

    def collect(self) -> Iterator[Metric]:
        limited = CounterMetricFamily(
            "homebiz_rate_limited", "429 answers from the platform", labels=["platform"]
        )
        retries = CounterMetricFamily(
            "homebiz_send_retries",
            "Sends retried after a network error or 5xx",
            labels=["platform"],
        )
        for platform, budget in self.budgets.items():
            limited.add_metric([platform], budget.rate_limited)
            retries.add_metric([platform], budget.retries)
        yield limited
        yield retries


@dataclass
class BotMetrics:
    """The process's metrics, in its own registry."""

    registry: CollectorRegistry = field(
        default_factory=lambda: CollectorRegistry(auto_describe=True)
    )

    def __post_init__(self) -> None:
        r = self.registry
        self.updates = Counter(
            "homebiz_updates_handled",
            "Updates handled, by platform and kind (message, callback_query, ...)",
            ["platform", "kind"],
            registry=r,
        )
        self.latency = Histogram(
            "homebiz_update_handling_seconds",
            "Time to handle one stored update (its whole transaction)",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.outbox = Gauge(
            "homebiz_outbox_messages", "Outbox rows by state", ["state"], registry=r
        )
        self.outbox_oldest = Gauge(
            "homebiz_outbox_oldest_due_seconds",
            "Age of the oldest outbox message that is due and not sent",
            registry=r,
        )
        self.open_tickets = Gauge("homebiz_open_tickets", "Tickets open", registry=r)
        self._budgets = _BudgetCollector()
        r.register(self._budgets)

    def watch_budget(self, platform: str, budget: SendBudget) -> None:
        self._budgets.budgets[platform] = budget

    def observe_update(self, platform: str, kind: str, seconds: float) -> None:
        self.updates.labels(platform, kind).inc()
        self.latency.labels(platform).observe(seconds)

    async def refresh(self, store: Store) -> None:
        """The store's figures, read now."""
        figures = await store_figures(store)
        for state in OUTBOX_STATES:
            self.outbox.labels(state).set(figures.outbox.get(state, 0))
        self.outbox_oldest.set(figures.oldest_due_seconds)
        self.open_tickets.set(figures.open_tickets)

    def render(self) -> bytes:
        return generate_latest(self.registry)


@dataclass(frozen=True)
class StoreFigures:
    outbox: dict[str, int]
    oldest_due_seconds: float
    open_tickets: int


async def store_figures(store: Store) -> StoreFigures:
    """Outbox rows by state, the oldest due unsent row's age, open tickets: one read."""
    now = store.db.now()
    async with store.db.read() as conn:
        async with conn.execute("SELECT status, count(*) FROM outbox GROUP BY status") as cur:
            outbox = {str(status): int(count) for status, count in await cur.fetchall()}
        async with conn.execute(
            "SELECT min(not_before) FROM outbox WHERE status IN ('pending', 'sending')"
            " AND not_before <= ?",
            (store.db.now_text(),),
        ) as cur:
            row = await cur.fetchone()
        async with conn.execute("SELECT count(*) FROM tickets WHERE status = 'open'") as cur:
            tickets = await cur.fetchone()
    oldest = 0.0
    if row is not None and row[0]:
        oldest = max(0.0, (now - from_db_time(str(row[0]))).total_seconds())
    return StoreFigures(outbox, oldest, int(tickets[0]) if tickets else 0)


class Operations:
    """/healthz and /metrics for the process's applications (one per platform)."""

    def __init__(
        self,
        applications: Sequence[HomebizApplication],
        metrics: BotMetrics,
        *,
        outbox_max_age: float = OUTBOX_MAX_AGE_SECONDS,
    ) -> None:
        self.applications = list(applications)
        self.metrics = metrics
        self.outbox_max_age = outbox_max_age

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/healthz", self.healthz, methods=["GET", "HEAD"]),
            Route("/metrics", self.metrics_page, methods=["GET"]),
        ]

    @property
    def store(self) -> Store:
        return self.applications[0].services.store

    async def healthz(self, request: Request) -> Response:
        """200 when the store answers, every receiver lives and the outbox keeps up; else 503."""
        body: dict[str, Any] = {}
        healthy = True
        started = time.monotonic()
        try:
            figures = await asyncio.wait_for(store_figures(self.store), STORE_TIMEOUT_SECONDS)
        except Exception as exc:  # the store is what failed: say so, not a traceback
            LOGGER.warning("healthz: the store did not answer (%s)", type(exc).__name__)
            body["store"] = {"ok": False, "error": type(exc).__name__}
            healthy = False
            figures = None
        else:
            body["store"] = {"ok": True, "seconds": round(time.monotonic() - started, 3)}
        receivers: dict[str, Any] = {}
        for application in self.applications:
            platform = application.services.platform.value
            if application.webhook is not None:
                kind, alive = "webhook", application.webhook.alive
            else:
                receiving = application.receiving
                kind, alive = "polling", receiving is not None and receiving.alive
            receivers[platform] = {"kind": kind, "alive": alive}
            healthy = healthy and alive
        body["receivers"] = receivers
        if figures is not None:
            late = figures.oldest_due_seconds > self.outbox_max_age
            body["outbox"] = {
                "ok": not late,
                "oldest_due_seconds": round(figures.oldest_due_seconds, 1),
                "pending": figures.outbox.get("pending", 0),
            }
            healthy = healthy and not late
        body["status"] = "ok" if healthy else "failing"
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def metrics_page(self, request: Request) -> Response:
        try:
            await asyncio.wait_for(self.metrics.refresh(self.store), STORE_TIMEOUT_SECONDS)
        except Exception as exc:  # the counters still tell something; the gauges keep old values
            LOGGER.warning("metrics: the store did not answer (%s)", type(exc).__name__)
        return Response(self.metrics.render(), media_type=CONTENT_TYPE_LATEST)
