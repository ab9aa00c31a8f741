"""Reading what officers type into desk forms: Jalali dates, ids, amounts (Persian digits too)."""

from __future__ import annotations

import re
from datetime import date

from domain.persian import date_from_parts, normalize_input, to_latin_digits
from domain.statuses import PlanType
from texts.i18n import N_

_DATE_SPLIT = re.compile(r"\s*[/\-.\\]\s*|\s+")

PLAN_LABELS: dict[str, str] = {
    PlanType.INDEPENDENT.value: N_("Independent plan"),
    PlanType.SUPPORTING.value: N_("Supporting plan"),
}


def parse_date(text: str) -> date | None:
    """A Jalali («۱۴۰۴/۰۸/۱۵») or Gregorian date; None when empty or not a date."""
    text = normalize_input(text)
    return date_from_parts(_DATE_SPLIT.split(text)) if text else None


def parse_id(text: str) -> int | None:
    """A positive record id, or None."""
    text = to_latin_digits(text.strip())
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    value = int(text)
    return value if value > 0 else None
