"""The application life cycle, transition by transition."""

from __future__ import annotations

import pytest

from domain.lifecycle import (
    ActorKind,
    InvalidDetails,
    LifecycleError,
    ReasonRequired,
    TransitionNotAllowed,
    actor_kind,
    allowed_transitions,
    check_transition,
    validate_change,
    validate_permit,
)
from domain.statuses import ApplicationStatus as S

CITIZEN, OFFICER, IMPORT = ActorKind.CITIZEN, ActorKind.OFFICER, ActorKind.IMPORT

ALLOWED = [
    (S.DRAFT, S.SUBMITTED, CITIZEN),
    (S.SUBMITTED, S.UNDER_REVIEW, OFFICER),
    (S.SUBMITTED, S.NEEDS_CORRECTION, OFFICER),
    (S.UNDER_REVIEW, S.NEEDS_CORRECTION, OFFICER),
    (S.NEEDS_CORRECTION, S.UNDER_REVIEW, CITIZEN),
    (S.NEEDS_CORRECTION, S.UNDER_REVIEW, OFFICER),
    (S.UNDER_REVIEW, S.APPROVED, OFFICER),
    (S.APPROVED, S.INTRODUCED_TO_BANK, OFFICER),
    (S.INTRODUCED_TO_BANK, S.PAID, OFFICER),
    (S.INTRODUCED_TO_BANK, S.PAID, IMPORT),
    (S.SUBMITTED, S.REJECTED, OFFICER),
    (S.UNDER_REVIEW, S.REJECTED, OFFICER),
    (S.NEEDS_CORRECTION, S.REJECTED, OFFICER),
    (S.APPROVED, S.REJECTED, OFFICER),
    (S.INTRODUCED_TO_BANK, S.REJECTED, OFFICER),
]

REFUSED = [
    (S.DRAFT, S.SUBMITTED, OFFICER),  # only the citizen submits
    (S.SUBMITTED, S.UNDER_REVIEW, CITIZEN),
    (S.UNDER_REVIEW, S.APPROVED, CITIZEN),
    (S.UNDER_REVIEW, S.APPROVED, IMPORT),
    (S.APPROVED, S.INTRODUCED_TO_BANK, IMPORT),
    (S.INTRODUCED_TO_BANK, S.PAID, CITIZEN),
    (S.DRAFT, S.REJECTED, OFFICER),  # a draft is not rejected, it is abandoned
    (S.DRAFT, S.APPROVED, OFFICER),
    (S.SUBMITTED, S.APPROVED, OFFICER),  # no approval without review
    (S.APPROVED, S.PAID, OFFICER),  # no payment before the bank introduction
    (S.PAID, S.REJECTED, OFFICER),  # closed
    (S.REJECTED, S.UNDER_REVIEW, OFFICER),  # closed
    (S.REJECTED, S.SUBMITTED, CITIZEN),
    (S.UNDER_REVIEW, S.REJECTED, CITIZEN),
    (S.UNDER_REVIEW, S.UNDER_REVIEW, OFFICER),
    (S.UNDER_REVIEW, S.SUBMITTED, OFFICER),
]


@pytest.mark.parametrize(("frm", "to", "who"), ALLOWED)
def test_allowed_transition_passes(frm: S, to: S, who: ActorKind) -> None:
    check_transition(frm, to, who)
    assert to in allowed_transitions(frm, who)


@pytest.mark.parametrize(("frm", "to", "who"), REFUSED)
def test_refused_transition_raises(frm: S, to: S, who: ActorKind) -> None:
    with pytest.raises(TransitionNotAllowed) as caught:
        check_transition(frm, to, who)
    assert (caught.value.from_status, caught.value.to_status) == (frm, to)


def test_closed_statuses_lead_nowhere() -> None:
    assert allowed_transitions(S.PAID) == []
    assert allowed_transitions(S.REJECTED) == []


def test_allowed_transitions_in_life_cycle_order() -> None:
    assert allowed_transitions(S.UNDER_REVIEW, OFFICER) == [
        S.NEEDS_CORRECTION,
        S.APPROVED,
        S.REJECTED,
    ]
    assert allowed_transitions(S.NEEDS_CORRECTION, CITIZEN) == [S.UNDER_REVIEW]


def test_actor_kind_parses_actor_strings() -> None:
    assert actor_kind("officer:42") is OFFICER
    assert actor_kind("citizen:7") is CITIZEN
    assert actor_kind("import:bank-1404.xlsx") is IMPORT
    assert actor_kind("system") is ActorKind.SYSTEM
    with pytest.raises(LifecycleError):
        actor_kind("hacker:1")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejection_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(ReasonRequired):
        validate_change(S.UNDER_REVIEW, S.REJECTED, OFFICER, reason, {})


def test_correction_needs_reason_and_documents() -> None:
    with pytest.raises(ReasonRequired):
        validate_change(S.UNDER_REVIEW, S.NEEDS_CORRECTION, OFFICER, None, {"documents": ["x"]})
    with pytest.raises(InvalidDetails):
        validate_change(S.UNDER_REVIEW, S.NEEDS_CORRECTION, OFFICER, "blurred", {"documents": []})
    details = validate_change(
        S.UNDER_REVIEW,
        S.NEEDS_CORRECTION,
        OFFICER,
        "blurred",
        {"documents": [" national_card", "photo", "national_card"]},
    )
    assert details == {"documents": ["national_card", "photo"]}


def test_bank_introduction_needs_bank_and_branch() -> None:
    with pytest.raises(InvalidDetails):
        validate_change(S.APPROVED, S.INTRODUCED_TO_BANK, OFFICER, None, {"bank": "ملت"})
    details = validate_change(
        S.APPROVED, S.INTRODUCED_TO_BANK, OFFICER, None, {"bank": "ملت", "branch": " مرکزی "}
    )
    assert details == {"bank": "ملت", "branch": "مرکزی"}


def test_payment_needs_positive_amount_and_date() -> None:
    with pytest.raises(InvalidDetails):
        validate_change(
            S.INTRODUCED_TO_BANK, S.PAID, IMPORT, None, {"amount_rials": 0, "paid_on": "2025-03-01"}
        )
    with pytest.raises(InvalidDetails):
        validate_change(S.INTRODUCED_TO_BANK, S.PAID, IMPORT, None, {"amount_rials": 10})
    details = validate_change(
        S.INTRODUCED_TO_BANK,
        S.PAID,
        IMPORT,
        None,
        {"amount_rials": 2_000_000_000, "paid_on": "2025-03-01"},
    )
    assert details == {"amount_rials": 2_000_000_000, "paid_on": "2025-03-01"}


def test_plain_moves_need_no_reason_or_details() -> None:
    assert validate_change(S.DRAFT, S.SUBMITTED, CITIZEN, None, None) == {}
    assert validate_change(S.UNDER_REVIEW, S.APPROVED, OFFICER, None, {}) == {}


def test_transition_is_checked_before_details() -> None:
    with pytest.raises(TransitionNotAllowed):
        validate_change(
            S.DRAFT, S.PAID, OFFICER, None, {"amount_rials": 1, "paid_on": "2025-01-01"}
        )


def test_permit_needs_a_number() -> None:
    assert validate_permit({"permit_number": " 1404-123 "}) == {"permit_number": "1404-123"}
    with pytest.raises(InvalidDetails):
        validate_permit({"permit_number": ""})
