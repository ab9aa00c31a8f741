"""PTB Bots for the tests that drive the emulator with python-telegram-bot itself.

The same Bot and requests as ``telegram.Bot(token, ...)`` builds, but on the one TLS context
the bot's own Bots share (``bot.app.tls_context``): each new httpx client would load the CA
bundle again, about 30 ms of CPU, twice per Bot, for loopback HTTP that never uses it.
"""

from __future__ import annotations

from typing import Any

import telegram
from telegram.request import HTTPXRequest

from bot.app import tls_context


def ptb_request(**options: Any) -> HTTPXRequest:
    """PTB's HTTPXRequest with these options, on the shared TLS context."""
    return HTTPXRequest(httpx_kwargs={"verify": tls_context()}, **options)


def ptb_bot(token: str, **options: Any) -> telegram.Bot:
    """``telegram.Bot(token, **options)`` with PTB's default requests on the shared context."""
    return telegram.Bot(
        token,
        request=ptb_request(),
        get_updates_request=ptb_request(connection_pool_size=1),  # PTB's own default
        **options,
    )
