"""Each difference between Telegram and Bale, as config/platforms.py states it and the code
that depends on it reads it (one test per difference)."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.runtime import _set_commands
from bot.webhooks import WebhookAddress
from config.platforms import BALE, TELEGRAM, Platform, traits
from config.settings import Settings
from conversations.application.answers import is_own_contact
from tests.sources import python_files, source_nodes
from tests.unit.test_own_contact import SENDER, _message

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "conversations", "handlers", "services", "office", "texts")


def test_each_platform_has_its_own_api_urls() -> None:
    assert traits("telegram") is TELEGRAM and traits(Platform.BALE) is BALE
    assert TELEGRAM.api_url == "https://api.telegram.org/bot"
    assert TELEGRAM.file_url == "https://api.telegram.org/file/bot"
    assert BALE.api_url == "https://tapi.bale.ai/bot"
    assert BALE.file_url == "https://tapi.bale.ai/file/bot"


def test_bale_has_no_parse_mode_so_no_code_sends_one() -> None:
    assert TELEGRAM.parse_mode and not BALE.parse_mode
    for path in python_files(*SOURCES):
        for node in source_nodes(path):
            if isinstance(node, ast.keyword):
                assert node.arg != "parse_mode", f"{path}: parse_mode is not on Bale"


class _Bot:
    def __init__(self) -> None:
        self.calls: list[Any] = []

    async def set_my_commands(self, commands: Any) -> bool:
        self.calls.append(commands)
        return True


@pytest.mark.parametrize("platform", list(Platform))
async def test_set_my_commands_only_where_the_platform_has_it(platform: Platform) -> None:
    bot = _Bot()
    application: Any = SimpleNamespace(services=SimpleNamespace(platform=platform), bot=bot)
    await _set_commands(application)
    assert bool(bot.calls) is traits(platform).set_my_commands
    assert TELEGRAM.set_my_commands and not BALE.set_my_commands


@pytest.mark.parametrize("platform", list(Platform))
def test_webhooks_are_protected_by_secret_token_on_telegram_by_path_on_bale(
    platform: Platform,
) -> None:
    assert TELEGRAM.webhook_secret_token and not BALE.webhook_secret_token
    address = WebhookAddress(platform.value, "https://bot.example.ir", "s" * 43)
    assert address.by_path is not traits(platform).webhook_secret_token
    assert address.url.endswith("/" + "s" * 43) is address.by_path


def test_drop_pending_updates_only_works_on_telegram() -> None:
    assert TELEGRAM.drop_pending_updates and not BALE.drop_pending_updates
    # so the bot never relies on it: leaving a webhook keeps the pending updates
    source = (ROOT / "bot" / "runtime.py").read_text(encoding="utf-8")
    assert "drop_pending_updates=False" in source and "drop_pending_updates=True" not in source


def test_a_contact_card_without_user_id_counts_only_where_the_field_may_be_missing() -> None:
    assert TELEGRAM.contact_has_user_id and not BALE.contact_has_user_id
    for platform in (TELEGRAM, BALE):
        trusted = is_own_contact(_message(None), SENDER, not platform.contact_has_user_id)
        assert trusted is (platform is BALE)


def test_uploads_stay_within_every_configured_platforms_download_limit() -> None:
    assert TELEGRAM.max_download_bytes == BALE.max_download_bytes == 20 * 1024 * 1024
    both = {"telegram_bot_token": "1:aaaaaa", "bale_bot_token": "2:bbbbbb", "_env_file": None}
    settings = Settings(max_upload_mb=20, **both)  # type: ignore[arg-type]
    assert settings.max_upload_bytes <= min(b.traits.max_download_bytes for b in settings.platforms)


def test_forum_topics_only_on_telegram() -> None:
    # Bale has no supergroups: tickets live in private chats on both (conversations/tickets.py)
    assert TELEGRAM.forum_topics and not BALE.forum_topics
