"""The application life cycle as a state machine: who may move an application where, with what.

draft → submitted → under_review ⇄ needs_correction → approved → introduced_to_bank → paid,
or rejected from any open status but draft. The permit number is tracked beside the status
(an event of kind ``permit_issued``), never as a status of its own.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.statuses import CLOSED_STATUSES, ApplicationStatus

S = ApplicationStatus


class ActorKind(StrEnum):
    CITIZEN = "citizen"  # citizen:<citizen id>
    OFFICER = "officer"  # officer:<platform user id>
    IMPORT = "import"  # import:<file name> (the bank-report import)
    SYSTEM = "system"  # system (housekeeping jobs)


class EventKind(StrEnum):
    STATUS_CHANGE = "status_change"
    PERMIT_ISSUED = "permit_issued"


class LifecycleError(Exception):
    """A requested change breaks the life cycle's rules."""


class TransitionNotAllowed(LifecycleError):
    """This actor may not move an application from this status to that one."""

    def __init__(self, from_status: S, to_status: S, actor_kind: ActorKind) -> None:
        super().__init__(f"{actor_kind} may not move {from_status} → {to_status}")
        self.from_status = from_status
        self.to_status = to_status
        self.actor_kind = actor_kind


class ReasonRequired(LifecycleError):
    """Rejections and correction requests must say why."""


class InvalidDetails(LifecycleError):
    """The details a transition needs (documents, bank, amount) are missing or wrong."""


_OFFICER = frozenset({ActorKind.OFFICER})

# (from, to) → who may make that move.
TRANSITIONS: dict[tuple[S, S], frozenset[ActorKind]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({ActorKind.CITIZEN}),
    (S.SUBMITTED, S.UNDER_REVIEW): _OFFICER,
    # An officer may ask for corrections straight away, without a separate "review" step.
    (S.SUBMITTED, S.NEEDS_CORRECTION): _OFFICER,
    (S.UNDER_REVIEW, S.NEEDS_CORRECTION): _OFFICER,
    # The citizen's resubmission goes back to review; an officer may do it for paper documents.
    (S.NEEDS_CORRECTION, S.UNDER_REVIEW): frozenset({ActorKind.CITIZEN, ActorKind.OFFICER}),
    (S.UNDER_REVIEW, S.APPROVED): _OFFICER,
    (S.APPROVED, S.INTRODUCED_TO_BANK): _OFFICER,
    (S.INTRODUCED_TO_BANK, S.PAID): frozenset({ActorKind.OFFICER, ActorKind.IMPORT}),
}
for _status in S:
    if _status not in CLOSED_STATUSES and _status is not S.DRAFT:
        TRANSITIONS[(_status, S.REJECTED)] = _OFFICER

REASON_REQUIRED = frozenset({S.REJECTED, S.NEEDS_CORRECTION})


class CorrectionDetails(BaseModel):
    """needs_correction: the requirement codes of the documents to replace."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    documents: list[str] = Field(min_length=1)

    @field_validator("documents")
    @classmethod
    def _no_blanks(cls, value: list[str]) -> list[str]:
        cleaned = [code.strip() for code in value]
        if not all(cleaned):
            raise ValueError("document codes must not be blank")
        return list(dict.fromkeys(cleaned))


class BankDetails(BaseModel):
    """introduced_to_bank: which agent bank and branch."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    bank: str = Field(min_length=1)
    branch: str = Field(min_length=1)


class PaymentDetails(BaseModel):
    """paid: the amount in whole rials and the (Gregorian) payment date."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    amount_rials: int = Field(gt=0)
    paid_on: date


class PermitDetails(BaseModel):
    """permit_issued: the permit number from the national permits portal."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    permit_number: str = Field(min_length=1)


DETAILS_MODELS: dict[S, type[BaseModel]] = {
    S.NEEDS_CORRECTION: CorrectionDetails,
    S.INTRODUCED_TO_BANK: BankDetails,
    S.PAID: PaymentDetails,
}


def actor_kind(actor: str) -> ActorKind:
    """The kind of an actor string such as ``officer:123`` or ``import:bank.xlsx``."""
    prefix = actor.split(":", 1)[0]
    try:
        return ActorKind(prefix)
    except ValueError:
        raise LifecycleError(f"unknown actor {prefix!r}") from None


def allowed_transitions(status: S, actor_kind: ActorKind | None = None) -> list[S]:
    """Statuses reachable from ``status`` (by this actor kind, if given), in life-cycle order."""
    reachable = {
        to
        for (frm, to), actors in TRANSITIONS.items()
        if frm is status and (actor_kind is None or actor_kind in actors)
    }
    return [s for s in S if s in reachable]


def check_transition(from_status: S, to_status: S, actor_kind: ActorKind) -> None:
    """Raise TransitionNotAllowed unless this actor may make this move."""
    actors = TRANSITIONS.get((S(from_status), S(to_status)))
    if actors is None or actor_kind not in actors:
        raise TransitionNotAllowed(S(from_status), S(to_status), actor_kind)


def requires_reason(to_status: S) -> bool:
    """Whether moving to this status needs a reason the citizen will read."""
    return to_status in REASON_REQUIRED


def validate_details(to_status: S, details: dict[str, Any] | None) -> dict[str, Any]:
    """Check the details a move needs; return them normalised as JSON-ready values."""
    model = DETAILS_MODELS.get(S(to_status))
    if model is None:
        return dict(details or {})
    try:
        return model.model_validate(details or {}).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidDetails(f"{to_status}: {first['loc']} {first['msg']}") from exc


def validate_change(
    from_status: S,
    to_status: S,
    actor_kind: ActorKind,
    reason: str | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    """Check a whole change (move, reason, details); return the normalised details."""
    check_transition(from_status, to_status, actor_kind)
    if requires_reason(to_status) and not (reason and reason.strip()):
        raise ReasonRequired(f"moving to {to_status} needs a reason")
    return validate_details(to_status, details)


def validate_permit(details: dict[str, Any]) -> dict[str, Any]:
    """Check a permit_issued event's details (the permit number)."""
    try:
        return PermitDetails.model_validate(details).model_dump(mode="json")
    except ValidationError as exc:
        raise InvalidDetails(f"permit_issued: {exc.errors()[0]['msg']}") from exc


def is_closed(status: S) -> bool:
    """Paid and rejected applications never move again."""
    return status in CLOSED_STATUSES
