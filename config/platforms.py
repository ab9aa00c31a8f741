"""How Telegram and Bale differ, in ONE place: every platform-dependent choice reads it here.

Bale's Bot API follows Telegram's, minus a few things (its docs, and the libraries that target
it: python-bale-bot, Balethon). Each difference is a field of ``PlatformTraits`` with a test in
``tests/unit/test_platforms.py``; code asks ``traits(platform).<field>`` instead of comparing
the platform's name, so when Bale changes (it has, in 2025) one line changes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MB = 1024 * 1024


class Platform(StrEnum):
    TELEGRAM = "telegram"
    BALE = "bale"


@dataclass(frozen=True)
class PlatformTraits:
    """What a platform's Bot API offers, as the bot relies on it."""

    platform: Platform
    # Where the Bot API and file downloads live (PTB's base_url / base_file_url).
    api_url: str
    file_url: str
    # Formatted text (HTML, MarkdownV2). The bot sends plain text everywhere anyway.
    parse_mode: bool
    # setMyCommands (the client's command menu).
    set_my_commands: bool
    # setWebhook's secret_token (the X-Telegram-Bot-Api-Secret-Token header); without it a
    # webhook is protected by a secret path segment instead.
    webhook_secret_token: bool
    # deleteWebhook / setWebhook honour drop_pending_updates.
    drop_pending_updates: bool
    # A shared contact card always carries the contact's user_id when it is a user's own:
    # on Bale it may be missing, so the sender's own card (not forwarded) is trusted there.
    contact_has_user_id: bool
    # The largest file getFile lets a bot download (Telegram: "up to 20MB"; Bale the same).
    max_download_bytes: int
    # Supergroups with forum topics (message_thread_id): none on Bale.
    forum_topics: bool


TELEGRAM = PlatformTraits(
    platform=Platform.TELEGRAM,
    api_url="https://api.telegram.org/bot",
    file_url="https://api.telegram.org/file/bot",
    parse_mode=True,
    set_my_commands=True,
    webhook_secret_token=True,
    drop_pending_updates=True,
    contact_has_user_id=True,
    max_download_bytes=20 * MB,
    forum_topics=True,
)

BALE = PlatformTraits(
    platform=Platform.BALE,
    api_url="https://tapi.bale.ai/bot",
    file_url="https://tapi.bale.ai/file/bot",
    parse_mode=False,
    set_my_commands=False,
    webhook_secret_token=False,
    drop_pending_updates=False,
    contact_has_user_id=False,
    max_download_bytes=20 * MB,
    forum_topics=False,
)

_TRAITS = {traits.platform: traits for traits in (TELEGRAM, BALE)}


def traits(platform: Platform | str) -> PlatformTraits:
    """The traits of a platform (by enum or by its stored name, e.g. ``"bale"``)."""
    return _TRAITS[Platform(platform)]
