"""Settings, read once from the environment (and an optional .env) and passed down."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.platforms import BALE, TELEGRAM, Platform, PlatformTraits, traits
from domain.accounts import Account
from domain.notifications import QuietHours
from domain.office_hours import DEFAULT_DAYS, WEEKDAYS
from domain.tickets import SlaHours

TELEGRAM_API_URL = TELEGRAM.api_url
TELEGRAM_FILE_URL = TELEGRAM.file_url
BALE_API_URL = BALE.api_url
BALE_FILE_URL = BALE.file_url
TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]{5,}")

__all__ = ["Platform", "PlatformBot", "Settings", "SettingsError", "load_settings"]


@dataclass(frozen=True)
class PlatformBot:
    """One bot the process runs: its platform, token and Bot API URLs."""

    platform: Platform
    token: SecretStr | None
    api_url: str
    file_url: str

    @property
    def traits(self) -> PlatformTraits:
        return traits(self.platform)


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class Settings(BaseSettings):
    """Every knob of the bot. The names are part of the interface: keep them."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    # One platform: BOT_TOKEN on BOT_PLATFORM (no token: the sandbox). Both at once:
    # TELEGRAM_BOT_TOKEN and BALE_BOT_TOKEN (either or both; BOT_TOKEN adds BOT_PLATFORM's).
    bot_token: SecretStr | None = None
    bot_platform: Platform = Platform.TELEGRAM
    telegram_bot_token: SecretStr | None = None
    bale_bot_token: SecretStr | None = None
    # The Bot API's URLs (tests, the emulator, a local Bot API server): BOT_*_BASE_URL for
    # BOT_PLATFORM, TELEGRAM_*/BALE_* for each platform; unset, the platform's own.
    bot_api_base_url: str | None = None
    bot_file_base_url: str | None = None
    telegram_api_base_url: str | None = None
    telegram_file_base_url: str | None = None
    bale_api_base_url: str | None = None
    bale_file_base_url: str | None = None
    data_dir: Path = Path("data/runtime")
    # Officer-editable data files (counties, activities, rules, documents).
    catalogue_dir: Path = Path(__file__).resolve().parent.parent / "data"
    database_url: str | None = None
    # Officers named in the settings (admins): ``bale:123,telegram:456``; a plain ``123`` is
    # an account on the one platform configured (with two, the platform must be named).
    officer_ids: Annotated[frozenset[Account], NoDecode] = frozenset()
    officers_chat_id: int | None = None
    # The bot token's send budget (messages per second), shared by replies and the outbox,
    # replies first. Unset: the larger of REPLY_RATE_PER_SECOND and OUTBOX_RATE_PER_SECOND.
    send_rate_per_second: float | None = Field(default=None, gt=0)
    # The outbox's ceiling within the budget (notifications, reminders, broadcasts).
    outbox_rate_per_second: float = Field(default=30.0, gt=0)
    # The outbox's gap between two messages to one chat, in seconds (Telegram asks for at most
    # about one a second per chat); 0: no gap (tests).
    outbox_chat_gap_seconds: float = Field(default=1.0, ge=0)
    # How often the outbox sender looks for rows that became due (a retry's backoff ended,
    # quiet hours ended); a new row wakes it at once anyway.
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    # First wait before an outbox message the platform could not take (network, 5xx) is sent
    # again; it doubles each time (with jitter), up to 10 minutes. A 429 waits its retry_after.
    outbox_retry_seconds: float = Field(default=1.0, gt=0)
    # How often a broadcast's live progress message is edited, in seconds.
    broadcast_progress_seconds: float = Field(default=3.0, gt=0)
    timezone: str = "Asia/Tehran"
    max_upload_mb: int = Field(default=10, ge=1, le=20)
    # The largest picture accepted, in pixels (width × height), read from its header before
    # decoding: decoding takes about 4 bytes a pixel, so this bounds an upload's memory.
    max_image_pixels: int = Field(default=40_000_000, ge=1_000_000, le=150_000_000)
    # Replies' ceiling within the send budget, across all chats; Telegram asks for at most
    # ~30 messages a second per bot. 0 = replies are not paced (they still use the budget).
    reply_rate_per_second: float = Field(default=30.0, ge=0)
    # First wait before a reply the platform could not take (network, 5xx) is sent again;
    # it doubles each time, up to 30 s. Only that chat waits.
    reply_retry_seconds: float = Field(default=0.5, gt=0)
    # Reminders, in hours. REMINDER_DRAFT_HOURS lists the draft reminders, e.g. 24,72.
    reminder_draft_hours: Annotated[tuple[float, ...], NoDecode] = (24.0, 72.0)
    reminder_correction_hours: float = Field(default=48, gt=0)
    reminder_bank_visit_hours: float = Field(default=72, gt=0)
    # A reminder missed (bot down) by more than this is dropped, not sent late.
    reminder_grace_hours: float = Field(default=12, ge=0)
    # Non-urgent messages wait while the local hour is in [start, end); start == end: none.
    quiet_hours_start: int = Field(default=22, ge=0, le=23)
    quiet_hours_end: int = Field(default=8, ge=0, le=23)
    # Office hours (local time) for tickets: the working days (OFFICE_DAYS=sat,sun,mon,tue,wed)
    # and hours; holidays are in data/holidays.yaml. Outside them a citizen is told when to
    # expect an answer.
    office_days: Annotated[tuple[int, ...], NoDecode] = DEFAULT_DAYS
    office_hours_start: time = time(8)
    office_hours_end: time = time(14)
    # Working hours a ticket may wait for an officer's reply before its assignee (or, with
    # none, every officer) is reminded, and before every admin is.
    ticket_remind_hours: float = Field(default=4, gt=0)
    ticket_escalate_hours: float = Field(default=8, gt=0)
    # The process's one HTTP server (web desk, webhooks, /healthz, /metrics). WEB_PORT=0 takes
    # any free port (tests); WEB_BASE_URL is the address officers and the platforms use
    # (unset: http://WEB_HOST:WEB_PORT).
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    web_base_url: str | None = None
    # Webhooks instead of long polling: the public address the platform POSTs updates to, in
    # front of this server (e.g. https://bot.example.ir); unset: long polling (the default).
    webhook_base_url: str | None = None
    # Log lines as text (the default) or one JSON object a line (LOG_FORMAT=json).
    log_format: LogFormat = LogFormat.TEXT
    # The officers' web desk: a session ends after this many idle minutes (and on sign-out).
    desk_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Developers: `homebiz run` profiles itself (cProfile) and writes the stats here at exit.
    profile_to: Path | None = None

    @field_validator("officer_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accounts as given; a plain id gets its platform in ``_officers_on_platforms``."""
        if isinstance(value, int | Account):
            value = [value]
        if isinstance(value, str):
            value = [p for p in value.replace(";", ",").split(",") if p.strip()]
        if not isinstance(value, list | set | frozenset | tuple):
            return value
        accounts: set[Account] = set()
        for item in value:
            if isinstance(item, Account):
                accounts.add(item)
                continue
            try:
                accounts.add(Account.parse(str(item), default_platform="?"))
            except ValueError:
                raise ValueError(
                    "comma-separated user ids, each optionally with its platform,"
                    " e.g. 123,456 or bale:123,telegram:456"
                ) from None
        for account in accounts:
            if account.platform not in ("?", *Platform):
                raise ValueError("a platform named telegram or bale, e.g. bale:123")
        return frozenset(accounts)

    @field_validator("reminder_draft_hours", mode="before")
    @classmethod
    def _split_hours(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                hours = tuple(float(p) for p in parts)
            except ValueError:
                raise ValueError("comma-separated hours, e.g. 24,72") from None
            if not all(h > 0 for h in hours):
                raise ValueError("comma-separated positive hours, e.g. 24,72")
            return tuple(sorted(hours))
        if isinstance(value, int | float):
            return (float(value),)
        return value

    @field_validator("office_days", mode="before")
    @classmethod
    def _day_names(cls, value: object) -> object:
        if isinstance(value, str):
            names = [p.strip().lower()[:3] for p in value.replace(";", ",").split(",")]
            names = [n for n in names if n]
            if not names or any(n not in WEEKDAYS for n in names):
                raise ValueError("comma-separated day names, e.g. sat,sun,mon,tue,wed")
            return tuple(dict.fromkeys(WEEKDAYS[n] for n in names))
        return value

    @field_validator("bot_token", "telegram_bot_token", "bale_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_RE.fullmatch(value.get_secret_value()):
            raise ValueError(
                "the token the platform gave you, like 123456:ABC-def (digits, colon, key)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("an IANA time zone such as Asia/Tehran") from exc
        return value

    @field_validator("webhook_base_url")
    @classmethod
    def _public_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("the public address of this server, like https://bot.example.ir")
        return value.rstrip("/") if value else None

    @field_validator("database_url")
    @classmethod
    def _sqlite_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("sqlite:///"):
            raise ValueError("sqlite:///path/to/file.db")
        return value

    @field_validator("office_hours_end")
    @classmethod
    def _closes_after_opening(cls, value: time, info: ValidationInfo) -> time:
        opens = info.data.get("office_hours_start")
        if isinstance(opens, time) and value <= opens:
            raise ValueError("a time later than OFFICE_HOURS_START, e.g. 14:00")
        return value

    @field_validator("ticket_escalate_hours")
    @classmethod
    def _escalate_after_reminding(cls, value: float, info: ValidationInfo) -> float:
        remind = info.data.get("ticket_remind_hours")
        if isinstance(remind, int | float) and value < remind:
            raise ValueError("at least TICKET_REMIND_HOURS")
        return value

    @model_validator(mode="after")
    def _urls_come_in_pairs(self) -> Settings:
        for prefix in ("bot", "telegram", "bale"):
            api, files = (getattr(self, f"{prefix}_{kind}_base_url") for kind in ("api", "file"))
            if (api is None) != (files is None):
                upper = prefix.upper()
                raise ValueError(
                    f"{upper}_API_BASE_URL and {upper}_FILE_BASE_URL must be set together"
                )
        return self

    @model_validator(mode="after")
    def _one_token_per_platform(self) -> Settings:
        named = self.telegram_bot_token if self.bot_platform is Platform.TELEGRAM else None
        named = self.bale_bot_token if self.bot_platform is Platform.BALE else named
        if self.bot_token is not None and named is not None and named != self.bot_token:
            raise ValueError(
                f"BOT_TOKEN and {self.bot_platform.upper()}_BOT_TOKEN name two bots on one"
                " platform: keep one"
            )
        return self

    @model_validator(mode="after")
    def _officers_on_platforms(self) -> Settings:
        """A plain id in OFFICER_IDS is an account on the one platform the bot runs."""
        platforms = [bot.platform for bot in self.platforms]
        plain = {a for a in self.officer_ids if a.platform == "?"}
        if plain and len(platforms) > 1:
            raise ValueError(
                "OFFICER_IDS: each id with its platform when both bots run, e.g."
                " bale:123,telegram:456 (a Telegram and a Bale user with one number are two people)"
            )
        resolved = {Account(platforms[0].value, a.user_id) for a in plain}
        self.officer_ids = frozenset((self.officer_ids - plain) | resolved)
        return self

    @model_validator(mode="after")
    def _uploads_the_platforms_let_us_download(self) -> Settings:
        limit = min(bot.traits.max_download_bytes for bot in self.platforms)
        if self.max_upload_bytes > limit:
            raise ValueError(
                f"MAX_UPLOAD_MB: at most {limit // (1024 * 1024)}, the largest file a bot may"
                " download on the platforms configured"
            )
        return self

    @property
    def platforms(self) -> list[PlatformBot]:
        """The bots this process runs, one per platform, Telegram first.

        With neither TELEGRAM_BOT_TOKEN nor BALE_BOT_TOKEN: BOT_PLATFORM's bot alone, with
        BOT_TOKEN (or none: the sandbox gives its own).
        """
        tokens = {Platform.TELEGRAM: self.telegram_bot_token, Platform.BALE: self.bale_bot_token}
        if self.bot_token is not None or not any(tokens.values()):
            tokens[self.bot_platform] = tokens[self.bot_platform] or self.bot_token
            if not any(tokens.values()):
                return [self._bot(self.bot_platform, None)]
        return [self._bot(p, token) for p, token in tokens.items() if token is not None]

    def _bot(self, platform: Platform, token: SecretStr | None) -> PlatformBot:
        own = traits(platform)
        api = getattr(self, f"{platform.value}_api_base_url")
        files = getattr(self, f"{platform.value}_file_base_url")
        if api is None and platform is self.bot_platform:
            api, files = self.bot_api_base_url, self.bot_file_base_url
        return PlatformBot(platform, token, api or own.api_url, files or own.file_url)

    def platform_bot(self, platform: Platform | str) -> PlatformBot:
        """The bot this process runs on that platform (KeyError when it runs none there)."""
        for bot in self.platforms:
            if bot.platform == platform:
                return bot
        raise KeyError(platform)

    @property
    def primary(self) -> PlatformBot:
        """BOT_PLATFORM's bot if it runs, else the first (so the only one, when one runs)."""
        bots = self.platforms
        return next((b for b in bots if b.platform is self.bot_platform), bots[0])

    @property
    def api_base_url(self) -> str:
        """The first bot's Bot API URL."""
        return self.primary.api_url

    @property
    def file_base_url(self) -> str:
        """The first bot's file download URL."""
        return self.primary.file_url

    @property
    def send_budget_per_second(self) -> float:
        """The token's send budget: SEND_RATE_PER_SECOND, else the larger of the two ceilings."""
        if self.send_rate_per_second is not None:
            return self.send_rate_per_second
        return max(self.reply_rate_per_second, self.outbox_rate_per_second)

    @property
    def is_bale(self) -> bool:
        """The first (or only) bot runs on Bale."""
        return self.primary.platform is Platform.BALE

    @property
    def database_path(self) -> Path:
        if self.database_url:
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.data_dir / "homebiz.db"

    @property
    def quiet_hours(self) -> QuietHours:
        """When non-urgent messages wait (local time, wrapping midnight)."""
        return QuietHours(
            start_hour=self.quiet_hours_start,
            end_hour=self.quiet_hours_end,
            timezone=self.timezone,
        )

    @property
    def ticket_sla(self) -> SlaHours:
        """Working hours before an unanswered ticket reminds its assignee, then the admins."""
        return SlaHours(
            remind_hours=self.ticket_remind_hours, escalate_hours=self.ticket_escalate_hours
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def ensure_dirs(self) -> None:
        """Create the data folder (and the database's) if missing."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.database_path.parent.mkdir(parents=True, exist_ok=True)


class SettingsError(Exception):
    """A setting is wrong; the message is one line naming the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's report into one line per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "_".join(str(p) for p in error["loc"]).upper()
            expected = error["msg"].removeprefix("Value error, ")
            # A rule across settings names its variables in its message.
            lines.append(
                f"Invalid setting {name}: expected {expected}" if name else f"Invalid {expected}"
            )
        raise SettingsError("\n".join(lines)) from None
