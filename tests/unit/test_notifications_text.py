"""The citizen's status notifications: Persian, with the event's details, no English left."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.models import Application, StatusEvent
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from texts.notifications import make_renderer, render_status_notification, status_label

NOW = datetime(2025, 3, 1, 6, 30, tzinfo=UTC)
APP = Application(
    id=1,
    citizen_id=1,
    tracking_code="HB-12",
    plan_type=PlanType.INDEPENDENT,
    created_at=NOW,
    updated_at=NOW,
)


def event(to: S, reason: str | None = None, **details: object) -> StatusEvent:
    return StatusEvent(
        application_id=1,
        from_status=S.UNDER_REVIEW,
        to_status=to,
        actor="officer:1",
        reason=reason,
        details=details,
    )


@pytest.mark.parametrize("status", list(S))
def test_every_status_has_a_persian_label_and_text(status: S) -> None:
    assert not status_label(status).isascii()
    text = render_status_notification(event(status, reason="دلیل", documents=["a"]), APP)
    assert "HB-۱۲" in text and "{" not in text


def test_payment_shows_toman_and_jalali_date() -> None:
    text = render_status_notification(
        event(S.PAID, amount_rials=2_000_000_000, paid_on="2025-02-23"), APP
    )
    assert "۲۰۰٬۰۰۰٬۰۰۰ تومان" in text and "۵ اسفند ۱۴۰۳" in text


def test_correction_names_documents_and_reason() -> None:
    render = make_renderer({"national_card": "کارت ملی", "photo": "عکس"}.__getitem__)
    text = render(
        event(S.NEEDS_CORRECTION, "تصویر ناخوانا", documents=["national_card", "photo"]), APP
    )
    assert "کارت ملی، عکس" in text and "تصویر ناخوانا" in text


def test_permit_event() -> None:
    permit = event(S.UNDER_REVIEW, event="permit_issued", permit_number="1404-55")
    assert "۱۴۰۴-۵۵" in render_status_notification(permit, APP)
