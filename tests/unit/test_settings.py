"""Settings: names are the interface; a wrong value stops start-up with one clear line."""

from __future__ import annotations

import pytest

from config.settings import (
    BALE_API_URL,
    BALE_FILE_URL,
    TELEGRAM_API_URL,
    Platform,
    SettingsError,
    load_settings,
)
from domain.accounts import Account


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "BOT_TOKEN",
        "BOT_PLATFORM",
        "BOT_API_BASE_URL",
        "BOT_FILE_BASE_URL",
        "TELEGRAM_BOT_TOKEN",
        "BALE_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "TELEGRAM_FILE_BASE_URL",
        "BALE_API_BASE_URL",
        "BALE_FILE_BASE_URL",
        "DATA_DIR",
        "DATABASE_URL",
        "OFFICER_IDS",
        "TIMEZONE",
        "MAX_UPLOAD_MB",
        "MAX_IMAGE_PIXELS",
        "OFFICE_DAYS",
        "OFFICE_HOURS_START",
        "OFFICE_HOURS_END",
        "TICKET_REMIND_HOURS",
        "TICKET_ESCALATE_HOURS",
        "OUTBOX_CHAT_GAP_SECONDS",
        "OUTBOX_POLL_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no stray .env


def test_defaults_are_telegram_tehran_and_ten_megabytes() -> None:
    settings = load_settings()
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.timezone == "Asia/Tehran"
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    assert settings.max_image_pixels == 40_000_000
    assert settings.bot_token is None


def test_bale_picks_bales_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_PLATFORM", "bale")
    settings = load_settings()
    assert (settings.api_base_url, settings.file_base_url) == (BALE_API_URL, BALE_FILE_URL)
    assert settings.is_bale


def test_explicit_urls_override_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_PLATFORM", "bale")
    monkeypatch.setenv("BOT_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("BOT_FILE_BASE_URL", "http://127.0.0.1:8081/file/bot")
    settings = load_settings()
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.file_base_url == "http://127.0.0.1:8081/file/bot"


def test_officer_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFICER_IDS", "12, 34,56")
    assert load_settings().officer_ids == {Account("telegram", n) for n in (12, 34, 56)}


def test_plain_officer_ids_are_on_the_one_platform_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_PLATFORM", "bale")
    monkeypatch.setenv("OFFICER_IDS", "12,telegram:34")
    assert load_settings().officer_ids == {Account("bale", 12), Account("telegram", 34)}


def test_with_two_bots_every_officer_id_names_its_platform(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "111:telegram-token")
    monkeypatch.setenv("BALE_BOT_TOKEN", "222:bale-token")
    monkeypatch.setenv("OFFICER_IDS", "bale:12, telegram:34")
    assert load_settings().officer_ids == {Account("bale", 12), Account("telegram", 34)}
    monkeypatch.setenv("OFFICER_IDS", "bale:12,34")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("Invalid OFFICER_IDS: each id with its platform")
    monkeypatch.setenv("OFFICER_IDS", "whatsapp:12")
    with pytest.raises(SettingsError, match="OFFICER_IDS"):
        load_settings()


def test_one_bot_from_bot_token_and_bot_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abcdef")
    monkeypatch.setenv("BOT_PLATFORM", "bale")
    (bot,) = load_settings().platforms
    assert bot.platform is Platform.BALE and bot.api_url == BALE_API_URL
    assert bot.token is not None and bot.token.get_secret_value() == "123:abcdef"


def test_no_token_is_the_sandbox_one_bot_without_a_token() -> None:
    (bot,) = load_settings().platforms
    assert bot.platform is Platform.TELEGRAM and bot.token is None


def test_both_platforms_at_once_each_with_its_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "111:telegram-token")
    monkeypatch.setenv("BALE_BOT_TOKEN", "222:bale-token")
    monkeypatch.setenv("BALE_API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("BALE_FILE_BASE_URL", "http://127.0.0.1:9/file/bot")
    settings = load_settings()
    telegram, bale = settings.platforms
    assert (telegram.platform, telegram.api_url) == (Platform.TELEGRAM, TELEGRAM_API_URL)
    assert (bale.platform, bale.api_url) == (Platform.BALE, "http://127.0.0.1:9/bot")
    assert bale.file_url == "http://127.0.0.1:9/file/bot"
    assert settings.primary.platform is Platform.TELEGRAM  # BOT_PLATFORM (default)


def test_bot_token_adds_bot_platforms_bot_beside_the_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "111:bale-token")
    monkeypatch.setenv("BOT_PLATFORM", "bale")
    monkeypatch.setenv("BOT_API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("BOT_FILE_BASE_URL", "http://127.0.0.1:9/file/bot")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "222:telegram-token")
    settings = load_settings()
    assert [b.platform for b in settings.platforms] == [Platform.TELEGRAM, Platform.BALE]
    # BOT_*_BASE_URL are BOT_PLATFORM's; the first bot is BOT_PLATFORM's
    assert settings.platform_bot("bale").api_url == "http://127.0.0.1:9/bot"
    assert settings.platform_bot("telegram").api_url == TELEGRAM_API_URL
    assert settings.primary.platform is Platform.BALE


def test_two_tokens_for_one_platform_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "111:first-token")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "222:second-token")
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        load_settings()
    monkeypatch.setenv("BALE_API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "111:first-token")
    with pytest.raises(SettingsError, match="BALE_FILE_BASE_URL"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_PLATFORM", "whatsapp"),
        ("OFFICER_IDS", "12,abc"),
        ("TIMEZONE", "Mars/Olympus"),
        ("MAX_UPLOAD_MB", "500"),
        ("MAX_IMAGE_PIXELS", "40"),
        ("DATABASE_URL", "postgres://x"),
        ("BOT_TOKEN", "not a token"),
        ("BALE_BOT_TOKEN", "not a token"),
    ],
)
def test_a_wrong_value_names_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.count("\n") == 0
    assert name in message
    assert value not in message or name != "BOT_TOKEN"  # a token is never echoed


def test_the_token_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:SECRET-value-xyz")
    settings = load_settings()
    assert "SECRET" not in repr(settings)
    assert "SECRET" not in str(settings.model_dump())


def test_office_hours_default_to_tehrans_working_week(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.office_days == (5, 6, 0, 1, 2)  # Saturday to Wednesday
    assert (settings.office_hours_start.hour, settings.office_hours_end.hour) == (8, 14)
    assert (settings.ticket_sla.remind_hours, settings.ticket_sla.escalate_hours) == (4, 8)
    monkeypatch.setenv("OFFICE_DAYS", "Sat, sun,mon,tue,wed,THU")
    monkeypatch.setenv("OFFICE_HOURS_START", "07:30")
    assert load_settings().office_days == (5, 6, 0, 1, 2, 3)
    assert load_settings().office_hours_start.minute == 30


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "OFFICE_DAYS",
            "saturday,holiday",
            "Invalid setting OFFICE_DAYS: expected comma-separated",
        ),
        ("OFFICE_HOURS_END", "07:00", "Invalid setting OFFICE_HOURS_END: expected a time later"),
        ("TICKET_ESCALATE_HOURS", "2", "Invalid setting TICKET_ESCALATE_HOURS: expected at least"),
        ("TICKET_REMIND_HOURS", "0", "Invalid setting TICKET_REMIND_HOURS"),
    ],
)
def test_wrong_office_hours_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(expected)


def test_the_outbox_keeps_a_second_per_chat_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production paces each chat and polls every second; tests turn the gap off."""
    settings = load_settings()
    assert settings.outbox_chat_gap_seconds == 1.0
    assert settings.outbox_poll_seconds == 1.0
    monkeypatch.setenv("OUTBOX_CHAT_GAP_SECONDS", "0")
    monkeypatch.setenv("OUTBOX_POLL_SECONDS", "0.05")
    settings = load_settings()
    assert settings.outbox_chat_gap_seconds == 0
    assert settings.outbox_poll_seconds == 0.05
    monkeypatch.setenv("OUTBOX_POLL_SECONDS", "0")
    with pytest.raises(SettingsError, match="OUTBOX_POLL_SECONDS"):
        load_settings()


def test_retries_start_after_half_a_second_and_a_second_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reply's first retry waits 0.5 s, an outbox message's 1 s; tests start both at 50 ms."""
    settings = load_settings()
    assert (settings.reply_retry_seconds, settings.outbox_retry_seconds) == (0.5, 1.0)
    monkeypatch.setenv("OUTBOX_RETRY_SECONDS", "0.05")
    assert load_settings().outbox_retry_seconds == 0.05
    monkeypatch.setenv("OUTBOX_RETRY_SECONDS", "0")
    with pytest.raises(SettingsError, match="OUTBOX_RETRY_SECONDS"):
        load_settings()
