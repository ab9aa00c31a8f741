"""Running the bot: open the store, start each platform's application and its workers, poll,
shut down. One process serves Telegram and Bale at once when both tokens are set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.routing import BaseRoute
from telegram import BotCommand
from telegram.error import TelegramError

from bot.api_client import BotApiClient
from bot.app import build_application, tls_context
from bot.application import HomebizApplication
from bot.operations import BotMetrics, Operations
from bot.polling import UpdatePoller
from bot.send_budget import SendBudget
from bot.updates.pipeline import UpdatePipeline
from bot.web_server import WebServer, build_web_app
from bot.webhooks import WebhookAddress, WebhookEndpoint
from bot.workers.broadcast import BroadcastRunner
from bot.workers.reminders import ReminderService
from bot.workers.sender import OutboxSender
from config.platforms import traits
from config.settings import PlatformBot, Settings
from conversations.contact import load_office
from desk import desk_routes
from domain.catalogue import Catalogue, load_catalogue
from handlers.context import Services
from services.imports.bank_import_run import resume_imports
from storage import Store
from storage.db import Clock, utcnow
from storage.files import FILES_FOLDER
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

OUTBOX_LANES = 16  # outbox sends in flight per bot (chats served at once)


async def _set_commands(application: HomebizApplication) -> None:
    """The command list in the client's menu, where the platform has one (not on Bale)."""
    if not traits(application.services.platform).set_my_commands:
        return
    commands = [
        BotCommand("start", _("Main menu")),
        BotCommand("help", _("Help")),
        BotCommand("faq", _("Frequently asked questions")),
        BotCommand("cancel", _("Cancel the current step")),
    ]
    try:
        await application.bot.set_my_commands(commands)
    except TelegramError as exc:  # a cosmetic feature must not stop the bot
        LOGGER.warning("setMyCommands failed: %s", exc)


async def _remove_webhook(application: HomebizApplication) -> None:
    """Long polling cannot run while a webhook is set (409); pending updates are kept."""
    try:
        await application.bot.delete_webhook(drop_pending_updates=False)
    except TelegramError as exc:
        LOGGER.warning("deleteWebhook failed: %s", exc)


def _web_routes(application: HomebizApplication) -> list[BaseRoute]:
    """Every part's routes on the process's one HTTP server (desk, webhooks, operations).

    ``application.bots`` holds every platform's Application (a webhook route per platform).
    """
    routes: list[BaseRoute] = []
    bots = list(application.bots.values()) or [application]
    for each in bots:
        if each.webhook is not None:
            routes += each.webhook.routes()
    if application.metrics is not None:  # one metrics for every platform's bot
        routes += Operations(bots, application.metrics).routes()
    routes += desk_routes(application.services)  # the officers' web desk
    return routes


@dataclass
class _PlatformParts:
    """What one platform's bot runs: its Application, its Bot API client (its replies' and
    its outbox's sends), outbox sender and broadcast runner."""

    application: HomebizApplication
    bot: PlatformBot
    api: BotApiClient
    sender: OutboxSender
    broadcasts: BroadcastRunner | None = None


def _build_platform(
    base: Services, platform: PlatformBot, *, shared: bool, clock: Clock, metrics: BotMetrics
) -> _PlatformParts:
    """One platform's Application, with its own send budget shared by its replies and its
    outbox sender (each bot token has its own ~30 messages/s), watched by the one metrics."""
    settings = base.settings
    services = base.on(platform.platform)
    budget = SendBudget.from_settings(settings)
    application = build_application(services, budget)
    application.metrics = metrics
    metrics.watch_budget(platform.platform.value, budget)
    # One Bot API client per bot token, for its replies (the update pipeline) and its outbox:
    # the Bot's own URL (with its token) and TLS.
    # Connections for the outbox's lanes and as many again for replies, which go first.
    api = BotApiClient(
        application.bot.base_url, ssl_context=tls_context(), connections=2 * OUTBOX_LANES
    )
    # With two bots each sender takes its platform's rows; alone, it takes every row.
    gap = settings.outbox_chat_gap_seconds
    sender = OutboxSender(
        api,
        base.store.outbox,
        budget=budget,
        per_chat_rate=1.0 / gap if gap else math.inf,
        max_lanes=OUTBOX_LANES,
        poll_interval=settings.outbox_poll_seconds,
        base_backoff=settings.outbox_retry_seconds,
        clock=clock,
        platform=platform.platform.value if shared else None,
        primary=platform.platform is settings.primary.platform,
        files_dir=settings.data_dir / FILES_FOLDER,
    )
    services.sender = sender
    base.senders[platform.platform.value] = sender
    return _PlatformParts(application, platform, api, sender)


def _webhook(part: _PlatformParts) -> WebhookEndpoint | None:
    """With WEBHOOK_BASE_URL, the platform POSTs updates to this application's endpoint
    (its own path and secret: one webhook per platform's bot)."""
    application = part.application
    settings = application.services.settings
    if settings.webhook_base_url is None or application.pipeline is None:
        return None
    address = WebhookAddress.from_settings(settings, part.bot)
    return WebhookEndpoint(address, application.bot, application.pipeline.receiver)


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, *, clock: Clock | None = None, catalogue: Catalogue | None = None
) -> AsyncIterator[HomebizApplication]:
    """Open everything the bot needs in order, and close it in reverse order.

    One store, one clock, one catalogue; per platform (Telegram, Bale, or both: the
    settings' ``platforms``) an Application with its update pipeline, send budget, outbox
    sender and broadcast runner. Yields the first bot's Application; ``.bots`` has them all.

    ``clock`` is the one clock, the system's (UTC) unless given (tests: a moved clock, a
    restart after downtime); the store, the services, the senders, the broadcasts and the
    reminders all read this one. ``catalogue`` is read from ``settings.catalogue_dir`` unless
    given (tests parse each catalogue folder once per session).
    """
    clock = clock or utcnow
    settings.ensure_dirs()
    if catalogue is None:
        catalogue = load_catalogue(settings.catalogue_dir)  # a bad data file stops start-up here
    load_office(settings.catalogue_dir)  # so does a broken office.yaml
    store = await Store.open(settings.database_path, clock=clock)
    store.outbox.quiet_hours = settings.quiet_hours
    try:
        base = Services(settings=settings, store=store, catalogue=catalogue, clock=clock)
        bots = settings.platforms
        shared = len(bots) > 1
        # One metrics registry for the process (not prometheus-client's global one).
        metrics = BotMetrics()
        parts = [
            _build_platform(base, bot, shared=shared, clock=clock, metrics=metrics) for bot in bots
        ]
        applications = {p.application.services.platform.value: p.application for p in parts}
        for part in parts:
            part.application.bots = applications
        primary = applications[settings.primary.platform.value]
        async with contextlib.AsyncExitStack() as stack:
            for part in parts:  # initialize() loads each platform's persisted conversations
                await stack.enter_async_context(part.application)
                # Open before the outbox sender starts; closed after it and the update
                # pipeline (everything that sends through it) stopped.
                await stack.enter_async_context(part.api)
            for part in parts:
                await part.application.start()
                stack.push_async_callback(part.application.stop)
                await _set_commands(part.application)
                if settings.webhook_base_url is None:  # webhook mode: the webhook stays set
                    await _remove_webhook(part.application)
                await part.sender.start()
                stack.push_async_callback(part.sender.stop)
            # A bank-report import a crash left half-done is finished (or its roll-back
            # completed) before anything else writes; it is idempotent, chunk by chunk.
            resumed = await resume_imports(
                store, catalogue, quiet_hours=settings.quiet_hours, wake=base.wake_sender
            )
            if resumed:
                LOGGER.info("Finished %d interrupted bank-report import(s)", len(resumed))
            # Broadcasts left running by a dead process resume here, each on the bot of the
            # officer who announced it.
            for part in parts:
                part.broadcasts = BroadcastRunner.for_application(
                    part.application,
                    clock=clock,
                    platform=part.application.services.platform.value if shared else None,
                    primary=part.application is primary,
                )
                await part.broadcasts.start()
                stack.push_async_callback(part.broadcasts.stop)
                base.broadcast_runners.append(part.broadcasts)
            # After start(): the JobQueue runs; reminders are rebuilt from the store. One
            # reminder service for the store; what it sends goes through the outbox, so on
            # the platform of whoever it is for.
            reminders = ReminderService(primary.services, primary.job_queue, clock=clock)
            for part in parts:
                part.application.services.reminders = reminders
            await reminders.start()
            stack.callback(reminders.stop)
            # Last: handlers may use everything above. Stored updates left unhandled by a
            # dead process are handled first, in order per chat.
            for part in parts:
                pipeline = UpdatePipeline.for_application(part.application, part.api)
                part.application.pipeline = pipeline
                part.application.webhook = _webhook(part)
            web = WebServer.from_settings(build_web_app(_web_routes(primary)), settings)
            for part in parts:
                part.application.web = web
            for part in parts:
                assert part.application.pipeline is not None
                await part.application.pipeline.start()
                stack.push_async_callback(part.application.pipeline.stop)
            await web.start()
            stack.push_async_callback(web.stop)
            for part in parts:  # once the server listens
                webhook = part.application.webhook
                if webhook is not None:
                    await webhook.start()
                    stack.callback(webhook.stop)  # 503 from then on: the platform keeps them
            # Where officers open the desk (the sign-in links the bot gives point here).
            web_url = settings.web_base_url or web.local_url
            for part in parts:
                part.application.services.web_url = web_url
            yield primary
    finally:
        await store.close()


async def run_polling(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop``), acknowledging updates only once stored.

    Long polling, or with WEBHOOK_BASE_URL the webhook that ``running_bot`` registered.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with running_bot(settings) as primary:
        receiving = []
        for platform, application in primary.bots.items():
            me = application.bot.bot
            LOGGER.info("Bot @%s is running on %s", me.username, platform)
            assert application.pipeline is not None
            if application.webhook is None:
                poller = UpdatePoller(application, application.pipeline)
                application.receiving = poller
                receiving.append(poller.run(stop))
        # Webhook bots' updates arrive on the web server; pollers run until stop.
        await asyncio.gather(*receiving, stop.wait())
    LOGGER.info("Bot stopped")
