"""Stored records: citizens, applications, documents, status events and audit entries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from domain.statuses import ApplicationStatus, DocumentStatus, PlanType


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An aware datetime, normalised to UTC; naive datetimes are rejected."""


class Record(BaseModel):
    """Base for stored records: validated on assignment, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Citizen(Record):
    """A person talking to the bot on one platform."""

    id: int
    platform: str  # telegram | bale
    user_id: int
    chat_id: int
    phone: str | None = None  # canonical +989XXXXXXXXX
    full_name: str | None = None
    national_code: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Application(Record):
    """A loan application (draft until submitted); money in whole rials."""

    id: int
    citizen_id: int
    tracking_code: str | None = None
    plan_type: PlanType
    status: ApplicationStatus = ApplicationStatus.DRAFT
    step: str | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    full_name: str | None = None
    national_code: str | None = None
    phone: str | None = None
    birth_date: date | None = None
    county: str | None = None
    activity_code: str | None = None
    requested_rials: int | None = None
    bank: str | None = None
    bank_branch: str | None = None
    paid_rials: int | None = None
    paid_on: date | None = None
    permit_number: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    submitted_at: UtcDatetime | None = None


class Document(Record):
    """One uploaded file for an application; id and times are set when stored."""

    id: int | None = None
    application_id: int
    kind: str  # requirement code, e.g. national_card
    status: DocumentStatus = DocumentStatus.RECEIVED
    stored_name: str  # relative to DATA_DIR/files
    sha256: str
    mime_type: str
    size_bytes: int
    platform_file_id: str | None = None
    reason: str | None = None  # why a correction is needed
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class StatusEvent(Record):
    """One step of an application's timeline: who moved it, when and why."""

    id: int | None = None
    application_id: int
    from_status: ApplicationStatus | None = None
    to_status: ApplicationStatus
    actor: str  # citizen:<id> | officer:<user id> | system | import:<file>
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    created_at: UtcDatetime | None = None


class AuditEntry(Record):
    """One recorded action with the state before and after (any JSON value)."""

    id: int
    actor: str
    action: str
    subject: str | None = None  # e.g. application:<id>
    before: Any = None
    after: Any = None
    created_at: UtcDatetime


class OpenApplicationExists(Exception):
    """The citizen already has an open (not rejected, not paid) application of this plan type."""

    def __init__(self, citizen_id: int, plan_type: PlanType) -> None:
        super().__init__(f"citizen {citizen_id} already has an open {plan_type} application")
        self.citizen_id = citizen_id
        self.plan_type = plan_type
