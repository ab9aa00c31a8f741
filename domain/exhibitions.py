"""Exhibitions, booth requests, subscriptions and broadcasts: records and rules, no messenger.

«Nearest first» (how a citizen's list is ordered): exhibitions in the citizen's own county,
then the other counties of the same province, then other provinces, then virtual exhibitions
(no county); each group by start date. A citizen whose county is unknown sees the province's
exhibitions by date, virtual ones last. The citizen's county is the first county they chose in
their subscription, else the county of their latest application.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.catalogue import Catalogue
from domain.models import UtcDatetime
from domain.persian import date_from_parts, normalize_for_search, normalize_input


class ExhibitionKind(StrEnum):
    SEASONAL = "seasonal"  # e.g. Nowruz, Yalda, autumn
    PERMANENT = "permanent"  # a standing market
    VIRTUAL = "virtual"  # online; may have no county


class ExhibitionStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class BoothStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class BoothRefusal(StrEnum):
    """Why a booth request is refused (each has its own polite Persian text)."""

    CANCELLED = "cancelled"
    ENDED = "ended"
    DEADLINE_PASSED = "deadline_passed"
    NO_APPLICATION = "no_application"
    ALREADY_REQUESTED = "already_requested"


class ExhibitionDraft(BaseModel):
    """What an officer (or a CSV row) gives for an exhibition; dates are Gregorian."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=2, max_length=200)
    kind: ExhibitionKind
    county: str | None = None  # catalogue county code; a virtual exhibition may have none
    venue: str = Field(default="", max_length=300)
    starts_on: date
    ends_on: date
    booth_deadline: date | None = None  # last day to ask for a booth; None: the start day
    description: str = Field(default="", max_length=2000)
    poster_file_id: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _consistent(self) -> ExhibitionDraft:
        if self.ends_on < self.starts_on:
            raise ValueError("the end date is before the start date")
        if self.booth_deadline is not None and self.booth_deadline > self.ends_on:
            raise ValueError("the booth-request deadline is after the end date")
        if self.county is None and self.kind is not ExhibitionKind.VIRTUAL:
            raise ValueError("only a virtual exhibition may have no county")
        return self


class Exhibition(ExhibitionDraft):
    """A stored exhibition."""

    id: int
    status: ExhibitionStatus = ExhibitionStatus.ACTIVE
    created_by: str
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @property
    def last_booth_day(self) -> date:
        """The last day a citizen may ask for a booth."""
        return self.booth_deadline or self.starts_on

    def draft(self) -> ExhibitionDraft:
        """The editable part, e.g. to change one field and validate again."""
        return ExhibitionDraft.model_validate(
            self.model_dump(include=set(ExhibitionDraft.model_fields))
        )


class BoothRequest(BaseModel):
    """A citizen's request for a booth at one exhibition (one per exhibition)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    exhibition_id: int
    citizen_id: int
    status: BoothStatus = BoothStatus.PENDING
    decided_by: str | None = None
    decided_at: UtcDatetime | None = None
    created_at: UtcDatetime


class Subscription(BaseModel):
    """A citizen's announcement choices; an empty tuple means «all» in that dimension."""

    model_config = ConfigDict(extra="forbid")

    citizen_id: int
    active: bool = False
    counties: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


class BroadcastFilter(BaseModel):
    """Who an announcement goes to: one county and one activity group; None means all."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    county: str | None = None
    group: str | None = None

    def matches(self, subscription: Subscription) -> bool:
        """Whether an (active) subscriber gets this announcement (the store's query agrees)."""
        if not subscription.active:
            return False
        county_ok = self.county is None or not subscription.counties
        county_ok = county_ok or self.county in subscription.counties
        group_ok = self.group is None or not subscription.groups
        group_ok = group_ok or self.group in subscription.groups
        return county_ok and group_ok


class BroadcastStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"


class Broadcast(BaseModel):
    """One announcement to many subscribers, delivered through the outbox."""

    model_config = ConfigDict(extra="forbid")

    id: int
    officer: str  # officer:<user id>
    text: str
    filter: BroadcastFilter
    exhibition_id: int | None = None
    status: BroadcastStatus = BroadcastStatus.RUNNING
    enqueued_upto: int = 0  # the last citizen id enqueued: enqueuing resumes after it
    enqueue_done: bool = False
    total: int | None = None  # recipients, known once enqueuing is done
    progress_chat_id: int | None = None
    progress_message_id: int | None = None
    created_at: UtcDatetime
    finished_at: UtcDatetime | None = None


class BroadcastProgress(BaseModel):
    """Counts of a broadcast's outbox rows by outcome."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    total: int
    sent: int = 0
    blocked: int = 0  # undeliverable: the bot is blocked or the chat is gone
    failed: int = 0

    @property
    def settled(self) -> int:
        """Rows the sender has finished with."""
        return self.sent + self.blocked + self.failed


def broadcast_dedupe_key(broadcast_id: int, citizen_id: int) -> str:
    """One outbox row per recipient: a resumed broadcast never enqueues anyone twice."""
    return f"broadcast:{broadcast_id}:{citizen_id}"


# --- rules ----------------------------------------------------------------------------------


def booth_refusal(
    exhibition: Exhibition,
    today: date,
    *,
    has_application: bool,
    already_requested: bool,
) -> BoothRefusal | None:
    """Why a booth request must be refused today, or None when it may be accepted."""
    if exhibition.status is ExhibitionStatus.CANCELLED:
        return BoothRefusal.CANCELLED
    if exhibition.ends_on < today:
        return BoothRefusal.ENDED
    if already_requested:
        return BoothRefusal.ALREADY_REQUESTED
    if exhibition.last_booth_day < today:
        return BoothRefusal.DEADLINE_PASSED
    if not has_application:
        return BoothRefusal.NO_APPLICATION
    return None


def nearest_first(
    exhibitions: Sequence[Exhibition], catalogue: Catalogue, county: str | None
) -> list[Exhibition]:
    """Order exhibitions nearest first (see the module docstring)."""
    province_of = {c.code: p.code for p in catalogue.provinces for c in p.counties}
    home_province = province_of.get(county or "", catalogue.province.code)

    def rank(exhibition: Exhibition) -> tuple[int, date, int]:
        if exhibition.county is None:
            group = 3
        elif county is not None and exhibition.county == county:
            group = 0
        elif province_of.get(exhibition.county) == home_province:
            group = 1
        else:
            group = 2
        return group, exhibition.starts_on, exhibition.id

    return sorted(exhibitions, key=rank)


# --- reading officers' input ----------------------------------------------------------------

_DATE_SPLIT = re.compile(r"\s*[/\-.\\]\s*|\s+")

KIND_WORDS: dict[str, ExhibitionKind] = {
    "seasonal": ExhibitionKind.SEASONAL,
    "فصلی": ExhibitionKind.SEASONAL,
    "مناسبتی": ExhibitionKind.SEASONAL,
    "permanent": ExhibitionKind.PERMANENT,
    "دائمی": ExhibitionKind.PERMANENT,
    "دایمی": ExhibitionKind.PERMANENT,
    "ثابت": ExhibitionKind.PERMANENT,
    "virtual": ExhibitionKind.VIRTUAL,
    "مجازی": ExhibitionKind.VIRTUAL,
    "آنلاین": ExhibitionKind.VIRTUAL,
    "online": ExhibitionKind.VIRTUAL,
}


def parse_exhibition_date(text: str) -> date | None:
    """A Jalali («۱۴۰۴/۱۲/۲۰») or Gregorian («2026-03-11») date in any digits; None if invalid.

    Year first or last; a year below 1700 is Jalali.
    """
    parts = [p for p in _DATE_SPLIT.split(normalize_input(text)) if p]
    result = date_from_parts(parts)
    if result is None:
        return None
    # Only years an exhibition can plausibly have, as typed (Jalali or Gregorian).
    year = int(parts[0] if len(parts[0]) == 4 else parts[2])
    return result if 1300 <= year < 1700 or 1900 <= year <= 2200 else None


def parse_kind(text: str) -> ExhibitionKind | None:
    """An exhibition kind from its English code or a Persian word."""
    return KIND_WORDS.get(normalize_input(text).lower())


def resolve_county(catalogue: Catalogue, text: str) -> str | None:
    """A county code from its code, Persian name, seat or alias; None when unknown."""
    wanted = normalize_for_search(text)
    if not wanted:
        return None
    for county in catalogue.counties:
        names = (county.code, county.name, county.centre, *county.aliases)
        if any(normalize_for_search(name) == wanted for name in names):
            return county.code
    return None
