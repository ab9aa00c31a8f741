"""Outbox messages and quiet hours: what the sender delivers and when it may do so."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from domain.models import UtcDatetime


class OutboxKind(StrEnum):
    STATUS_CHANGE = "status_change"
    PERMIT_ISSUED = "permit_issued"
    REMINDER = "reminder"
    BROADCAST = "broadcast"
    OFFICER_ALERT = "officer_alert"
    EXHIBITION_CHANGE = "exhibition_change"  # cancelled, or new dates / venue
    TICKET_REPLY = "ticket_reply"  # an officer's answer, a closed or reopened ticket


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; back to pending if the process died
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"  # bot blocked, user deactivated, chat not found
    FAILED = "failed"  # gave up: the request itself is wrong or retries ran out


class AttemptOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # network error, timeout or 5xx: tried again after a backoff
    RATE_LIMITED = "rate_limited"  # 429: tried again after retry_after
    UNDELIVERABLE = "undeliverable"
    FAILED = "failed"


class OutboxAttachment(BaseModel):
    """A file sent with an outbox row (its text becomes the caption), by the platform's id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["photo", "document"]
    file_id: str = Field(min_length=1)
    # The platform whose bot can use file_id (None: any, i.e. one bot); another platform's
    # sender sends the stored copy (DATA_DIR/files/stored_name) instead.
    platform: str | None = None
    stored_name: str | None = None


class OutboxMessage(BaseModel):
    """One message to deliver to one chat; its text is final when it is written."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: int | None = None
    chat_id: int
    citizen_id: int | None = None
    # The platform whose bot delivers it (telegram | bale). None when written: the citizen's
    # (citizen_id), else the first bot's; an officer's row names the officer's platform.
    platform: str | None = None
    kind: str  # an OutboxKind value; free text so later features can add kinds
    text: str = Field(min_length=1)
    reply_markup: dict[str, Any] | None = None  # InlineKeyboardMarkup.to_dict()
    attachment: OutboxAttachment | None = None  # then ``text`` is its caption (≤ 1024)
    urgent: bool = False
    dedupe_key: str = Field(min_length=1)
    not_before: UtcDatetime | None = None  # None: as soon as quiet hours allow
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    sent_message_id: int | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    sent_at: UtcDatetime | None = None


class OutboxAttempt(BaseModel):
    """One try at delivering an outbox row, whatever came of it."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    outbox_id: int
    at: UtcDatetime
    outcome: AttemptOutcome
    error_code: str | None = None
    error: str | None = None
    retry_after: float | None = None


class QuietHours(BaseModel):
    """Non-urgent messages wait while local time is in [start, end) (wrapping midnight)."""

    model_config = ConfigDict(frozen=True)

    start_hour: int = Field(default=22, ge=0, le=23)
    end_hour: int = Field(default=8, ge=0, le=23)
    timezone: str = "Asia/Tehran"

    def is_quiet(self, moment: datetime) -> bool:
        """Whether this moment falls inside quiet hours."""
        if self.start_hour == self.end_hour:
            return False  # no quiet hours
        hour = moment.astimezone(ZoneInfo(self.timezone)).hour
        if self.start_hour < self.end_hour:
            return self.start_hour <= hour < self.end_hour
        return hour >= self.start_hour or hour < self.end_hour

    def next_allowed(self, moment: datetime) -> datetime:
        """The moment itself outside quiet hours, else the next end of quiet hours (UTC)."""
        if not self.is_quiet(moment):
            return moment.astimezone(UTC)
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        end = datetime.combine(local.date(), time(self.end_hour), tzinfo=zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), time(self.end_hour), zone)
        return end.astimezone(UTC)


def backoff_delay(attempts: int, *, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff in seconds after this many failed attempts, before jitter."""
    return float(min(cap, base * (2.0 ** max(0, attempts - 1))) * (1.0 + jitter))
