"""Running the bot: open the store, start the application and its workers, poll, shut down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
from collections.abc import AsyncIterator

from starlette.routing import BaseRoute
from telegram import BotCommand
from telegram.error import TelegramError

from bot.app import build_application, make_bot
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
from config.settings import Settings
from conversations.contact import load_office
from desk import desk_routes
from domain.catalogue import Catalogue, load_catalogue
from handlers.context import Services
from services.imports.bank_import_run import resume_imports
from storage import Store
from storage.db import Clock, utcnow
from texts.i18n import _

LOGGER = logging.getLogger(__name__)


async def _set_commands(application: HomebizApplication) -> None:
    """The command list in the client's menu; Bale has no setMyCommands, so skip it there."""
    if application.services.settings.is_bale:
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
    """Every part's routes on the process's one HTTP server (desk, webhooks, operations)."""
    routes: list[BaseRoute] = []
    if application.webhook is not None:
        routes += application.webhook.routes()
    if application.metrics is not None:
        routes += Operations([application], application.metrics).routes()
    routes += desk_routes(application.services)  # the officers' web desk
    return routes


def _webhook(application: HomebizApplication) -> WebhookEndpoint | None:
    """With WEBHOOK_BASE_URL, the platform POSTs updates to this application's endpoint."""
    settings = application.services.settings
    if settings.webhook_base_url is None or application.pipeline is None:
        return None
    address = WebhookAddress.from_settings(settings)
    return WebhookEndpoint(address, application.bot, application.pipeline.receiver)


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, *, clock: Clock | None = None, catalogue: Catalogue | None = None
) -> AsyncIterator[HomebizApplication]:
    """Open everything the bot needs in order, and close it in reverse order.

    ``clock`` is the one clock, the system's (UTC) unless given (tests: a moved clock, a
    restart after downtime); the store, the services, the sender, the broadcasts and the
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
        services = Services(settings=settings, store=store, catalogue=catalogue, clock=clock)
        # One send budget for the token: replies and the outbox take turns from it, replies first.
        budget = SendBudget.from_settings(settings)
        application = build_application(services, budget)
        services = application.services
        # One metrics registry for the process (not prometheus-client's global one).
        application.metrics = BotMetrics()
        application.metrics.watch_budget(settings.bot_platform.value, budget)
        # The sender keeps the outbox's pace itself, so its Bot has no rate limiter of its own.
        sender_bot = make_bot(settings)
        gap = settings.outbox_chat_gap_seconds
        sender = OutboxSender(
            sender_bot,
            store.outbox,
            budget=budget,
            per_chat_rate=1.0 / gap if gap else math.inf,
            poll_interval=settings.outbox_poll_seconds,
            clock=clock,
        )
        services.sender = sender
        async with application, sender_bot:  # initialize() loads persisted conversations
            await application.start()
            await _set_commands(application)
            if settings.webhook_base_url is None:  # webhook mode: the webhook stays set
                await _remove_webhook(application)
            await sender.start()
            # A bank-report import a crash left half-done is finished (or its roll-back
            # completed) before anything else writes; it is idempotent, chunk by chunk.
            resumed = await resume_imports(
                store, catalogue, quiet_hours=settings.quiet_hours, wake=services.wake_sender
            )
            if resumed:
                LOGGER.info("Finished %d interrupted bank-report import(s)", len(resumed))
            # Broadcasts left running by a dead process resume here.
            broadcasts = BroadcastRunner.for_application(application, clock=clock)
            await broadcasts.start()
            # After start(): the JobQueue runs; reminders are rebuilt from the store.
            reminders = ReminderService(services, application.job_queue, clock=clock)
            services.reminders = reminders
            await reminders.start()
            # Last: handlers may use everything above. Stored updates left unhandled by a
            # dead process are handled first, in order per chat.
            pipeline = UpdatePipeline.for_application(application)
            application.pipeline = pipeline
            application.webhook = _webhook(application)
            web = WebServer.from_settings(build_web_app(_web_routes(application)), settings)
            application.web = web
            try:
                await pipeline.start()
                await web.start()
                if application.webhook is not None:  # once the server listens
                    await application.webhook.start()
                # Where officers open the desk (the sign-in links the bot gives point here).
                services.web_url = settings.web_base_url or web.local_url
                yield application
            finally:
                if application.webhook is not None:
                    application.webhook.stop()  # 503 from now on: the platform keeps them
                await web.stop()
                await pipeline.stop()
                reminders.stop()
                await broadcasts.stop()
                await sender.stop()
                await application.stop()
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
    async with running_bot(settings) as application:
        me = application.bot.bot
        LOGGER.info("Bot @%s is running on %s", me.username, settings.bot_platform.value)
        assert application.pipeline is not None
        if application.webhook is not None:
            await stop.wait()  # updates arrive on the web server
        else:
            poller = UpdatePoller(application, application.pipeline.receiver)
            application.receiving = poller
            await poller.run(stop)
    LOGGER.info("Bot stopped")
