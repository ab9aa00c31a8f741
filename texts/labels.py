"""Persian names the office's reports share: plan types and "not given"."""

from __future__ import annotations

from domain.statuses import PlanType
from texts.i18n import N_, _

PLAN_TYPE_LABELS: dict[PlanType, str] = {
    PlanType.INDEPENDENT: N_("Independent (plan type)"),
    PlanType.SUPPORTING: N_("Supporting (plan type)"),
}


def plan_type_label(plan_type: PlanType | str) -> str:
    """The Persian name of a plan type: «مستقل» or «پشتیبان»."""
    return _(PLAN_TYPE_LABELS[PlanType(plan_type)])


def not_given() -> str:
    """What a report shows for a missing value."""
    return _("Not given (report)")


PLATFORM_NAMES: dict[str, str] = {
    "telegram": N_("Telegram (messenger)"),
    "bale": N_("Bale (messenger)"),
}


def platform_name(platform: str) -> str:
    """The Persian name of a messenger: «تلگرام» or «بله» (the raw name if unknown)."""
    label = PLATFORM_NAMES.get(platform)
    return _(label) if label is not None else platform
