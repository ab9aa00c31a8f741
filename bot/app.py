"""The one wiring place: the Application built from settings, every handler registered in order."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx
from telegram.ext import (
    ApplicationBuilder,
    BaseRateLimiter,
    ContextTypes,
    Defaults,
    ExtBot,
    PersistenceInput,
)
from telegram.request import HTTPXRequest

from bot.api_client import (
    CONNECT_TIMEOUT_SECONDS,
    LONG_POLL_READ_TIMEOUT_SECONDS,
    READ_TIMEOUT_SECONDS,
)
from bot.application import HomebizApplication
from bot.ratelimit import OverallRateLimiter
from bot.send_budget import SendBudget
from bot.updates.deferring_bot import DeferringBot
from config.settings import PlatformBot, Settings
from conversations import (
    announce,
    common,
    contact,
    eligibility,
    exhibition_admin,
    exhibitions,
    subscriptions,
    tickets,
    tracking,
)
from conversations import application as application_conversation
from conversations.officer import admin as officer_admin
from conversations.officer import desk as officer_desk
from conversations.officer import tickets as officer_tickets
from handlers import fallback, faq, sections, start
from handlers.auth import admin_steps, officer_steps
from handlers.context import BotContext, Services
from handlers.errors import on_error
from storage.persistence import SqlitePersistence

PERSISTENCE_INTERVAL_SECONDS = 10.0**7


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context every Bot's HTTP client shares: the one httpx would build for each.

    Loading the CA bundle costs about 60 ms of CPU, and each Bot has two clients; a restart,
    a CLI command or a test that starts a bot pays it once per process instead.
    """
    return httpx.create_ssl_context()


def make_bot(
    settings: Settings,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    *,
    platform: PlatformBot | None = None,
) -> ExtBot[Any]:
    """A Bot on a platform's token and URLs (the first bot's unless ``platform`` is given);
    every Bot the app makes comes from here.

    It is a DeferringBot: while an update is handled, its sends wait for the update's commit.
    """
    platform = platform or settings.primary
    token = platform.token.get_secret_value() if platform.token else ""
    return DeferringBot(
        token,
        base_url=platform.api_url,
        base_file_url=platform.file_url,
        request=HTTPXRequest(
            connection_pool_size=64,
            read_timeout=READ_TIMEOUT_SECONDS,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            httpx_kwargs={"verify": tls_context()},
        ),
        get_updates_request=HTTPXRequest(
            read_timeout=LONG_POLL_READ_TIMEOUT_SECONDS,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            httpx_kwargs={"verify": tls_context()},
        ),
        defaults=Defaults(tzinfo=settings.zone, block=True),
        rate_limiter=rate_limiter,
    )


def build_application(services: Services, budget: SendBudget | None = None) -> HomebizApplication:
    """Build the Application of one platform's bot (``services.platform``) on an opened store,
    with all handlers registered.

    Its Bot's replies take their turns from ``budget``, the token's send budget that the
    outbox sender shares (one from the settings when not given).
    """
    settings = services.settings
    platform = settings.platform_bot(services.platform)
    # Who is an officer (services.officers, the one check every door and every officer step
    # makes): the accounts OFFICER_IDS names, on either platform, and those added in the bot.
    services.store.officers.configure(settings.officer_ids, settings.primary.platform.value)
    budget = budget or SendBudget.from_settings(settings)
    persistence = SqlitePersistence(
        services.store.db,
        platform=platform.platform.value,
        store_data=PersistenceInput(bot_data=False, callback_data=False),
        # Each update's unit of work writes what it changed; PTB's periodic run would only
        # race with it (it reads other chats' data mid-update), so it practically never runs.
        update_interval=PERSISTENCE_INTERVAL_SECONDS,
    )
    application = (
        ApplicationBuilder()
        .application_class(HomebizApplication, kwargs={"services": services})
        .bot(make_bot(settings, OverallRateLimiter(budget), platform=platform))
        .updater(None)  # bot.polling acknowledges updates only after they are handled
        .persistence(persistence)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(False)
        .build()
    )
    assert isinstance(application, HomebizApplication)
    register_handlers(application)
    return application


def register_handlers(application: HomebizApplication) -> None:
    """Every handler, in order. Order matters: the first matching handler of a group wins."""
    # Group -1, before everything: /start or a menu button ends whatever conversation is open,
    # so the section asked for answers below in the same pass (conversations.common).
    application.add_handlers(common.leave_for_menu(), group=-1)

    # Conversations first, so their states see a citizen's answers before any catch-all.
    # Only one is open per chat: entering one ends the other; /cancel (exits()) ends them all.
    # Officers' conversations: officer_steps / admin_steps check EVERY step (entries and all
    # states) against the store, so an officer removed half-way can finish nothing.
    application.add_handlers(officer_steps([officer_desk.build()]))
    application.add_handlers(officer_steps([officer_tickets.build()]))
    application.add_handlers(admin_steps([officer_admin.build()]))
    application.add_handler(tracking.build())
    # The contact section; writing to the officers in it is a ticket (conversations/tickets).
    application.add_handler(contact.build())
    # The citizen's main walk: eligibility check, then the application with documents.
    application.add_handlers(eligibility.build())
    application.add_handler(application_conversation.build())
    # Exhibitions, subscriptions (/stop, «unsub»), officers' exhibitions and announcements.
    application.add_handlers(officer_steps(exhibition_admin.build()))
    application.add_handlers(officer_steps(announce.build()))
    application.add_handlers(exhibitions.build())
    application.add_handlers(subscriptions.build())

    # Commands and menu buttons that are not conversations; the FAQ's menu button and its
    # buttons before the sections' catch-all of menu buttons.
    application.add_handlers(faq.build())
    # A ticket read or rated by its citizen (buttons under the bot's messages).
    application.add_handlers(tickets.buttons())
    application.add_handlers(start.build())
    application.add_handlers(sections.build())

    # Anything else: a typed question answered from the FAQ, a polite "not understood" for
    # the rest, and an answer to every stale button.
    application.add_handlers(fallback.build())

    application.add_error_handler(on_error)
