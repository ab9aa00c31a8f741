"""Reminder rules: due times, relevance when firing, grace after downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.reminders import (
    ApplicationState,
    Reminder,
    ReminderDelays,
    ReminderKind,
    Timing,
    Verdict,
    application_id_of,
    day_before,
    dedupe_key,
    draft_due,
    exhibition_subject,
    plans_for,
    relevance,
    timing,
)
from domain.statuses import ApplicationStatus as S

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DELAYS = ReminderDelays()
H = timedelta(hours=1)


def state(status: S, *, updated: datetime = T0, event: int | None = None) -> ApplicationState:
    return ApplicationState(
        application_id=12,
        citizen_id=7,
        chat_id=700,
        status=status,
        updated_at=updated,
        status_event_id=event,
        status_event_at=None if event is None else T0,
    )


def reminder(kind: ReminderKind, sequence: str, due: datetime) -> Reminder:
    return Reminder(
        id=1, kind=kind, subject="application:12", sequence=sequence, chat_id=700, due_at=due
    )


def test_a_draft_calls_for_one_reminder_per_configured_delay() -> None:
    plans = plans_for(state(S.DRAFT), DELAYS)
    assert [(p.kind, p.sequence, p.due_at) for p in plans] == [
        (ReminderKind.DRAFT_UNFINISHED, "1", T0 + 24 * H),
        (ReminderKind.DRAFT_UNFINISHED, "2", T0 + 72 * H),
    ]
    assert draft_due(T0, 3, DELAYS) is None  # then stop


def test_correction_and_bank_visit_are_anchored_on_their_status_event() -> None:
    (correction,) = plans_for(state(S.NEEDS_CORRECTION, event=5), DELAYS)
    assert (correction.kind, correction.sequence, correction.due_at) == (
        ReminderKind.CORRECTION_PENDING,
        "5",
        T0 + 48 * H,
    )
    (bank,) = plans_for(state(S.INTRODUCED_TO_BANK, event=9), DELAYS)
    assert (bank.kind, bank.sequence, bank.due_at) == (ReminderKind.BANK_VISIT, "9", T0 + 72 * H)


def test_other_states_call_for_nothing() -> None:
    for status in (S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.PAID, S.REJECTED):
        assert plans_for(state(status, event=3), DELAYS) == []
    assert plans_for(state(S.NEEDS_CORRECTION, event=None), DELAYS) == []


def test_delays_are_settings() -> None:
    delays = ReminderDelays(draft_hours=(1.0,), correction_hours=2, bank_visit_hours=3)
    assert [p.due_at for p in plans_for(state(S.DRAFT), delays)] == [T0 + H]
    assert plans_for(state(S.NEEDS_CORRECTION, event=1), delays)[0].due_at == T0 + 2 * H


def test_a_submitted_draft_is_cancelled() -> None:
    r = reminder(ReminderKind.DRAFT_UNFINISHED, "1", T0 + 24 * H)
    assert relevance(r, state(S.DRAFT), DELAYS).verdict is Verdict.SEND
    verdict = relevance(r, state(S.SUBMITTED), DELAYS)
    assert verdict.verdict is Verdict.CANCEL and verdict.reason == "status_submitted"
    assert relevance(r, None, DELAYS).verdict is Verdict.CANCEL


def test_a_draft_touched_since_is_postponed() -> None:
    r = reminder(ReminderKind.DRAFT_UNFINISHED, "1", T0 + 24 * H)
    verdict = relevance(r, state(S.DRAFT, updated=T0 + 5 * H), DELAYS)
    assert verdict.verdict is Verdict.POSTPONE and verdict.due_at == T0 + 29 * H


def test_a_correction_made_or_superseded_is_cancelled() -> None:
    r = reminder(ReminderKind.CORRECTION_PENDING, "5", T0 + 48 * H)
    assert relevance(r, state(S.NEEDS_CORRECTION, event=5), DELAYS).verdict is Verdict.SEND
    assert relevance(r, state(S.SUBMITTED, event=6), DELAYS).verdict is Verdict.CANCEL
    # A second round of corrections has its own reminder; the first one is stale.
    assert relevance(r, state(S.NEEDS_CORRECTION, event=8), DELAYS).verdict is Verdict.CANCEL


def test_bank_visit_is_cancelled_once_paid() -> None:
    r = reminder(ReminderKind.BANK_VISIT, "9", T0 + 72 * H)
    assert relevance(r, state(S.INTRODUCED_TO_BANK, event=9), DELAYS).verdict is Verdict.SEND
    assert relevance(r, state(S.PAID, event=10), DELAYS).verdict is Verdict.CANCEL


def test_grace_decides_fire_or_drop() -> None:
    grace = DELAYS.grace
    assert timing(T0, T0 - timedelta(seconds=1), grace) is Timing.WAIT
    assert timing(T0, T0, grace) is Timing.FIRE
    assert timing(T0, T0 + 12 * H, grace) is Timing.FIRE
    assert timing(T0, T0 + 12 * H + timedelta(seconds=1), grace) is Timing.DROP


def test_keys_subjects_and_the_exhibition_due_time() -> None:
    assert dedupe_key("draft_unfinished", "application:12", "2") == (
        "draft_unfinished:application:12:2"
    )
    assert exhibition_subject(3, 7) == "exhibition:3:citizen:7"
    assert application_id_of("application:12") == 12
    assert application_id_of("exhibition:3:citizen:7") is None
    tehran = ZoneInfo("Asia/Tehran")
    due = day_before(date(2025, 3, 20), tehran)
    assert due == datetime(2025, 3, 19, 10, 0, tzinfo=tehran)
