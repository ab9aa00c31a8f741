"""The vocabulary of the programme: plan types and the application statuses a citizen can see."""

from __future__ import annotations

from enum import StrEnum


class PlanType(StrEnum):
    INDEPENDENT = "independent"  # "tarh-e mostaghel": one person's own business
    SUPPORTING = "supporting"  # "tarh-e poshtiban": supplies and markets several home workers


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    NEEDS_CORRECTION = "needs_correction"
    APPROVED = "approved"  # by the county working group
    INTRODUCED_TO_BANK = "introduced_to_bank"
    PAID = "paid"
    REJECTED = "rejected"


CLOSED_STATUSES = frozenset({ApplicationStatus.PAID, ApplicationStatus.REJECTED})


class DocumentStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    NEEDS_CORRECTION = "needs_correction"
    REPLACED = "replaced"
