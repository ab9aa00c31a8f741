"""An officer's move creates its reminder at once, not at the next reconcile pass (item 18)."""

from __future__ import annotations

from bot.workers.reminders import RECONCILE_JOB
from domain.reminders import ReminderKind, ReminderStatus, job_name
from domain.statuses import ApplicationStatus as S
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from tests.e2e.test_officer_desk import move_button, officer_opens, wait_text
from tests.e2e.test_tracking import _no_quiet_hours, jpeg, submitted_application
from texts.i18n import _

__all__ = ["_no_quiet_hours"]  # the autouse fixture applies here too


async def test_correction_and_bank_visit_reminders_exist_right_after_the_move(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    app_ = bot.application
    assert app_.job_queue is not None
    for job in app_.job_queue.get_jobs_by_name(RECONCILE_JOB):
        job.schedule_removal()  # no reconcile pass may run during this test
    reminders = app_.services.reminders
    assert reminders is not None
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=41)
    assert app.tracking_code is not None
    subject = f"application:{app.id}"

    await officer_opens(officer, app.tracking_code)
    await officer.presses(move_button(S.NEEDS_CORRECTION))
    await officer.presses("⬜ کارت ملی")
    await officer.presses(_("Continue ▶️"))
    await officer.says("تصویر کارت ملی خوانا نیست")

    (reminder,) = await reminders.repo.for_subject(subject)
    assert reminder.kind == ReminderKind.CORRECTION_PENDING
    assert reminder.status is ReminderStatus.PENDING
    assert reminder.id is not None and app_.job_queue.get_jobs_by_name(job_name(reminder.id))

    await wait_text(citizen, "تصویر کارت ملی خوانا نیست")
    await citizen.presses(_("📤 Send {document} again").format(document="کارت ملی"))
    await citizen.sends_photo(jpeg(41))
    (settled,) = await reminders.repo.for_subject(subject)
    assert settled.status is ReminderStatus.CANCELLED  # the correction was made

    await officer_opens(officer, app.tracking_code)
    await officer.presses(move_button(S.APPROVED))
    await officer.says("در کارگروه تأیید شد")
    await officer.presses(move_button(S.INTRODUCED_TO_BANK))
    await officer.presses("ملت")
    await officer.says("مرکزی خرم‌آباد")
    pending = [
        r for r in await reminders.repo.for_subject(subject) if r.status is ReminderStatus.PENDING
    ]
    assert [r.kind for r in pending] == [ReminderKind.BANK_VISIT]
