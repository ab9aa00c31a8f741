"""Applications for the office's tests, moved through the life cycle the way officers do."""

from __future__ import annotations

from datetime import date

from domain.models import Application
from domain.notifications import QuietHours
from domain.statuses import ApplicationStatus as S
from domain.statuses import PlanType
from storage import Store
from storage.status_changes import change_status
from texts.notifications import make_renderer

OFFICER = "officer:900001"
RENDER = make_renderer()
NO_QUIET = QuietHours(start_hour=0, end_hour=0)  # notifications due at once, at any hour

# Valid tracking codes (Damm) and national codes (check digit) used by tests/data/*.csv.
TRACKING = ("64330128", "35308297", "76240391", "18101113", "22152795", "99906089")
NATIONAL = ("0012345679", "1234567891", "2345678909", "3456789017", "4567890124", "5678901230")

_PATH = (S.UNDER_REVIEW, S.APPROVED, S.INTRODUCED_TO_BANK, S.PAID)


async def seed_application(
    store: Store,
    *,
    user_id: int,
    status: S,
    plan_type: PlanType = PlanType.INDEPENDENT,
    tracking_code: str | None = None,
    national_code: str | None = None,
    county: str | None = "khorramabad",
    activity_code: str | None = "kilim",
    requested_rials: int = 2_000_000_000,
    bank: str = "ملت",
    branch: str = "مرکزی خرم‌آباد",
    paid_rials: int | None = None,
    paid_on: date | None = None,
    chat_id: int | None = None,
) -> Application:
    """A submitted application moved (by an officer) up to ``status``."""
    citizen = await store.citizens.get_or_create("telegram", user_id, chat_id or user_id)
    app = await store.applications.create_draft(citizen.id, plan_type)
    await store.applications.update_fields(
        app.id,
        tracking_code=tracking_code,
        national_code=national_code,
        full_name="مریم احمدی",
        phone="+989121234567",
        county=county,
        activity_code=activity_code,
        requested_rials=requested_rials,
    )
    await change_status(store, app.id, S.SUBMITTED, actor=f"citizen:{citizen.id}")
    for step in _PATH:
        if status in (S.SUBMITTED, S.REJECTED) or _PATH.index(step) > _PATH.index(status):
            break
        details: dict[str, object] | None = None
        if step is S.INTRODUCED_TO_BANK:
            details = {"bank": bank, "branch": branch}
        if step is S.PAID:
            details = {
                "amount_rials": paid_rials or requested_rials,
                "paid_on": (paid_on or date(2025, 11, 6)).isoformat(),
            }
        await change_status(
            store, app.id, step, OFFICER, details=details, render=RENDER, quiet_hours=NO_QUIET
        )
    if status is S.REJECTED:
        await change_status(
            store, app.id, S.REJECTED, OFFICER, reason="ناقص", render=RENDER, quiet_hours=NO_QUIET
        )
    found = await store.applications.get(app.id)
    assert found is not None and found.status is status
    return found
