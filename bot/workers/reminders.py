"""The reminder service: reminders stored, scheduled on the JobQueue, fired into the outbox.

Reminders are created when their event happens: ``storage.status_changes.change_status``
calls ``sync_application`` in the change's own transaction (callers pass
``reminders=services.reminders``), and ``schedule`` serves other features. So that a forgotten
hook costs nothing, they are derived again from the applications' current state by
``reconcile`` at start-up and every few minutes. Each pending reminder has one JobQueue
job named ``reminder:<id>``, rebuilt from the store at every start-up (replaced by name, so
a restart neither loses nor doubles one). A job runs ``run_due``, which tests call directly
after moving the clock. Firing re-checks relevance, writes the outbox row (dedupe
key ``reminder:<id>``) and marks the reminder sent in ONE transaction: it is sent at most
once. A reminder missed by more than the grace period (the bot was down) is dropped.

Tickets' service levels ride on the same machinery: a ticket waiting for an officer's reply
gets two reminders (``domain.tickets.sla_plans``: its assignee, then the admins, after
working hours), created by the ticket services in their transaction (``sync_ticket``) and
derived again by ``reconcile``. They go to officers chosen when they fire, and are never
dropped for lateness: a ticket still unanswered after downtime is only more overdue.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiosqlite
from telegram.ext import CallbackContext, JobQueue

from domain import reminders as rules
from domain.models import Application, StatusEvent
from domain.notifications import OutboxKind, OutboxMessage, QuietHours
from domain.reminders import (
    APPLICATION_KINDS,
    KIND_STATUS,
    TICKET_KINDS,
    Reminder,
    ReminderDelays,
    ReminderStatus,
    Timing,
    Verdict,
    ticket_subject,
)
from domain.tickets import Ticket, sla_plans, sla_relevance
from handlers.context import Services
from services import ticket_desk
from services import tickets as ticket_services
from storage.applications import ApplicationRepository
from storage.db import Clock, from_db_time, to_db_time
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository
from texts.reminders import render_reminder

LOGGER = logging.getLogger(__name__)

RECONCILE_JOB = "reminders:reconcile"

Check = Callable[[Reminder, aiosqlite.Connection], Awaitable[str | None]]
"""A kind's own relevance check, run in the firing transaction: a cancel reason, or None."""


@dataclass
class RunReport:
    """What one ``run_due`` pass did, by outcome."""

    sent: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)  # by kind
    postponed: list[int] = field(default_factory=list)


def delays_from(services: Services) -> ReminderDelays:
    """The configured reminder delays."""
    s = services.settings
    return ReminderDelays(
        draft_hours=s.reminder_draft_hours,
        correction_hours=s.reminder_correction_hours,
        bank_visit_hours=s.reminder_bank_visit_hours,
        grace_hours=s.reminder_grace_hours,
    )


def quiet_hours_from(services: Services) -> QuietHours:
    """The configured quiet hours."""
    return services.settings.quiet_hours


class ReminderService:
    """Create, schedule, cancel and fire reminders; start after ``application.start()``."""

    def __init__(
        self,
        services: Services,
        job_queue: JobQueue[Any] | None = None,
        *,
        clock: Clock | None = None,
        reconcile_seconds: float = 300.0,
    ) -> None:
        self.services = services
        self.clock: Clock = clock or services.clock
        self.job_queue = job_queue
        self.reconcile_seconds = reconcile_seconds
        self.db = services.store.db
        self.repo = ReminderRepository(self.db)
        self.outbox = OutboxRepository(self.db, quiet_hours_from(services))
        self.delays = delays_from(services)
        self.office_hours = ticket_services.office_hours(services.settings, services.catalogue)
        self.sla = services.settings.ticket_sla
        self._checks: dict[str, Check] = {}

    def now(self) -> datetime:
        """The injected clock (the runtime's one clock; ``services.clock`` by default)."""
        return self.clock()

    def register_check(self, kind: str, check: Check) -> None:
        """Let a feature veto its own kind at firing time (e.g. the exhibition was cancelled)."""
        self._checks[kind] = check

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> RunReport:
        """Derive missing reminders, settle the ones missed while down, schedule the rest."""
        now = self.now()
        created = await self.reconcile(now, schedule_jobs=False)
        report = await self.run_due(now)
        jobs = await self.rebuild_jobs()
        if self.job_queue is not None:
            for old in self.job_queue.get_jobs_by_name(RECONCILE_JOB):
                old.schedule_removal()
            self.job_queue.run_repeating(
                self._reconcile_job,
                interval=self.reconcile_seconds,
                first=self.reconcile_seconds,
                name=RECONCILE_JOB,
            )
        LOGGER.info(
            "Reminders: %d derived, %d sent late, %d dropped, %d jobs scheduled",
            created,
            len(report.sent),
            sum(report.dropped.values()),
            jobs,
        )
        return report

    async def rebuild_jobs(self) -> int:
        """One job per pending reminder, from the store (replaced by name); return the count."""
        pending = await self.repo.pending()
        for reminder in pending:
            self._schedule_job(reminder)
        return len(pending) if self.job_queue is not None else 0

    def stop(self) -> None:
        """Remove every reminder job (the store keeps the reminders for the next start)."""
        if self.job_queue is None:
            return
        for job in self.job_queue.jobs():
            if job.name and (job.name.startswith("reminder:") or job.name == RECONCILE_JOB):
                job.schedule_removal()

    # -- creating and cancelling ------------------------------------------------------------

    async def schedule(
        self,
        kind: str,
        subject: str,
        chat_id: int,
        due_at: datetime,
        *,
        citizen_id: int | None = None,
        sequence: str = "1",
        payload: dict[str, Any] | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> Reminder | None:
        """Store a reminder (once per kind/subject/sequence) and schedule its job.

        Returns the new reminder, or None if the same one was stored before (any status).
        Pass ``conn`` to create it in the transaction of the event that causes it.
        """
        stored = await self.repo.add(
            Reminder(
                kind=kind,
                subject=subject,
                sequence=sequence,
                citizen_id=citizen_id,
                chat_id=chat_id,
                due_at=due_at,
                payload=payload or {},
            ),
            conn=conn,
        )
        if stored is not None:
            self._schedule_job(stored)
        return stored

    async def cancel_for(
        self,
        subject: str,
        *,
        reason: str = "cancelled",
        kinds: list[str] | None = None,
        conn: aiosqlite.Connection | None = None,
    ) -> int:
        """Cancel the pending reminders of a subject and of its children; return how many.

        ``cancel_for("exhibition:3")`` cancels every citizen's reminder of exhibition 3.
        """
        ids = await self.repo.cancel_pending(subject, self.now(), reason, kinds=kinds, conn=conn)
        for reminder_id in ids:
            self._remove_job(rules.job_name(reminder_id))
        return len(ids)

    async def on_status_change(
        self,
        application: Application,
        event: StatusEvent | None = None,
        *,
        conn: aiosqlite.Connection | None = None,
    ) -> int:
        """Call after an application moved (or a draft was started): sync its reminders."""
        return await self.sync_application(application.id, conn=conn)

    async def sync_application(
        self, application_id: int, *, conn: aiosqlite.Connection | None = None
    ) -> int:
        """Cancel an application's reminders its state no longer calls for, add the missing ones."""
        subject = rules.application_subject(application_id)
        now = self.now()
        async with self.db.writing(conn) as c:
            state = await self.repo.application_state(application_id, conn=c)
            stale: list[int] = []
            moved: list[Reminder] = []
            for reminder in await self.repo.for_subject(subject, children=False, conn=c):
                if reminder.status is not ReminderStatus.PENDING or reminder.id is None:
                    continue
                verdict = rules.relevance(reminder, state, self.delays)
                if verdict.verdict is Verdict.CANCEL:
                    reason = verdict.reason or "not_relevant"
                    await self.repo.settle(
                        reminder.id, ReminderStatus.CANCELLED, now, reason, conn=c
                    )
                    stale.append(reminder.id)
                elif verdict.verdict is Verdict.POSTPONE and verdict.due_at is not None:
                    await self.repo.reschedule(reminder.id, verdict.due_at, conn=c)
                    moved.append(reminder.model_copy(update={"due_at": verdict.due_at}))
            created = [] if state is None else await self._add_plans([state], c)
        for reminder_id in stale:
            self._remove_job(rules.job_name(reminder_id))
        for reminder in [*moved, *created]:
            self._schedule_job(reminder)
        return len(created)

    async def reconcile(self, now: datetime | None = None, *, schedule_jobs: bool = True) -> int:
        """Store the reminders the applications' current state calls for; return how many are new.

        Idempotent (dedupe keys): running it twice creates nothing the second time.
        """
        now = now or self.now()
        async with self.db.transaction() as c:
            states = await self.repo.application_states(set(KIND_STATUS.values()), conn=c)
            created = await self._add_plans(states, c)
            waiting = await self.services.store.tickets.waiting(conn=c)
            created += await self._add_ticket_plans(waiting, c)
        if schedule_jobs:
            for new in created:
                self._schedule_job(new)
        return len(created)

    async def _add_plans(
        self, states: list[rules.ApplicationState], c: aiosqlite.Connection
    ) -> list[Reminder]:
        wanted = [
            Reminder(
                kind=plan.kind,
                subject=plan.subject,
                sequence=plan.sequence,
                citizen_id=state.citizen_id,
                chat_id=state.chat_id,
                due_at=plan.due_at,
            )
            for state in states
            for plan in rules.plans_for(state, self.delays)
        ]
        return await self.repo.add_many(wanted, conn=c)

    async def sync_ticket(self, ticket_id: int, *, conn: aiosqlite.Connection | None = None) -> int:
        """Cancel a ticket's reminders its state no longer calls for (answered, closed, a new
        wait), add the missing ones; return how many are new."""
        subject = ticket_subject(ticket_id)
        now = self.now()
        async with self.db.writing(conn) as c:
            ticket = await self.services.store.tickets.get(ticket_id, conn=c)
            stale: list[int] = []
            for reminder in await self.repo.for_subject(subject, children=False, conn=c):
                if reminder.status is not ReminderStatus.PENDING or reminder.id is None:
                    continue
                verdict = sla_relevance(reminder, ticket)
                if verdict.verdict is Verdict.CANCEL:
                    reason = verdict.reason or "not_relevant"
                    await self.repo.settle(
                        reminder.id, ReminderStatus.CANCELLED, now, reason, conn=c
                    )
                    stale.append(reminder.id)
            created = [] if ticket is None else await self._add_ticket_plans([ticket], c)
        for reminder_id in stale:
            self._remove_job(rules.job_name(reminder_id))
        for reminder in created:
            self._schedule_job(reminder)
        return len(created)

    async def _add_ticket_plans(
        self, tickets: list[Ticket], c: aiosqlite.Connection
    ) -> list[Reminder]:
        wanted = [
            Reminder(
                kind=plan.kind,
                subject=plan.subject,
                sequence=plan.sequence,
                chat_id=0,  # officers, chosen when it fires
                due_at=plan.due_at,
            )
            for ticket in tickets
            for plan in sla_plans(ticket, self.office_hours, self.sla)
        ]
        return await self.repo.add_many(wanted, conn=c)

    # -- firing -----------------------------------------------------------------------------

    async def run_due(self, now: datetime | None = None) -> RunReport:
        """Fire every pending reminder due at ``now`` (dropping those missed beyond grace)."""
        now = now or self.now()
        report = RunReport()
        for reminder in await self.repo.due(now):
            assert reminder.id is not None
            outcome = await self.fire(reminder.id, now)
            if outcome == "sent":
                report.sent.append(reminder.id)
            elif outcome == "cancelled":
                report.cancelled.append(reminder.id)
            elif outcome == "dropped":
                report.dropped[reminder.kind] += 1
            elif outcome == "postponed":
                report.postponed.append(reminder.id)
        if report.dropped:
            kinds = ", ".join(f"{kind}={n}" for kind, n in sorted(report.dropped.items()))
            LOGGER.warning(
                "Reminders: %d missed beyond the %sh grace period dropped (%s)",
                sum(report.dropped.values()),
                self.delays.grace_hours,
                kinds,
            )
        if report.sent:
            self.services.wake_sender()
        return report

    async def fire(self, reminder_id: int, now: datetime | None = None) -> str:
        """Settle one reminder in one transaction; return sent, cancelled, dropped, postponed,
        not_due or settled (it was already settled: nothing happens)."""
        now = now or self.now()
        postponed_to: datetime | None = None
        async with self.db.transaction() as c:
            reminder = await self.repo.get(reminder_id, conn=c)
            if reminder is None or reminder.status is not ReminderStatus.PENDING:
                return "settled"
            if reminder.due_at > now:
                return "not_due"
            due = reminder.due_at
            application = await self._application(reminder, c)
            reason, new_due = await self._relevance(reminder, c)
            if reminder.kind in TICKET_KINDS:  # officers' rows; late is still worth sending
                outcome = await self._fire_ticket(reminder, now, c)
            elif reason is not None:
                await self.repo.settle(reminder_id, ReminderStatus.CANCELLED, now, reason, conn=c)
                outcome = "cancelled"
            elif new_due is not None and new_due > now:
                await self.repo.reschedule(reminder_id, new_due, conn=c)
                postponed_to, outcome = new_due, "postponed"
            elif rules.timing(new_due or due, now, self.delays.grace) is Timing.DROP:
                await self.repo.settle(
                    reminder_id, ReminderStatus.DROPPED, now, "missed_beyond_grace", conn=c
                )
                outcome = "dropped"
            else:
                text, markup = render_reminder(reminder, application, self.services.settings.zone)
                await self.outbox.enqueue(
                    OutboxMessage(
                        chat_id=reminder.chat_id,
                        citizen_id=reminder.citizen_id,
                        kind=OutboxKind.REMINDER.value,
                        text=text,
                        reply_markup=markup,
                        dedupe_key=f"reminder:{reminder_id}",
                    ),
                    conn=c,
                )
                await self.repo.settle(reminder_id, ReminderStatus.SENT, now, conn=c)
                outcome = "sent"
        if postponed_to is not None:
            self._schedule_job(reminder.model_copy(update={"due_at": postponed_to}))
        else:
            self._remove_job(rules.job_name(reminder_id))
        return outcome

    async def _fire_ticket(self, reminder: Reminder, now: datetime, c: aiosqlite.Connection) -> str:
        """A ticket reminder: its officers' rows and the sent mark, or cancelled if answered."""
        assert reminder.id is not None
        store = self.services.store
        reason, rows = await ticket_desk.sla_alerts(store, reminder, now, self.office_hours, c)
        if reason is not None:
            await self.repo.settle(reminder.id, ReminderStatus.CANCELLED, now, reason, conn=c)
            return "cancelled"
        for row in rows:
            await self.outbox.enqueue(row, conn=c)
        await self.repo.settle(reminder.id, ReminderStatus.SENT, now, conn=c)
        return "sent"

    async def _application(self, reminder: Reminder, c: aiosqlite.Connection) -> Application | None:
        app_id = rules.application_id_of(reminder.subject)
        if app_id is None or reminder.kind not in APPLICATION_KINDS:
            return None
        return await ApplicationRepository(self.db).get(app_id, conn=c)

    async def _relevance(
        self, reminder: Reminder, c: aiosqlite.Connection
    ) -> tuple[str | None, datetime | None]:
        """(cancel reason or None, new due time when a draft was touched since)."""
        if reminder.kind in APPLICATION_KINDS:
            app_id = rules.application_id_of(reminder.subject)
            state = None if app_id is None else await self.repo.application_state(app_id, conn=c)
            verdict = rules.relevance(reminder, state, self.delays)
            if verdict.verdict is Verdict.CANCEL:
                return verdict.reason or "not_relevant", None
            return None, verdict.due_at if verdict.verdict is Verdict.POSTPONE else None
        check = self._checks.get(reminder.kind)
        if check is not None:
            return await check(reminder, c), None
        return None, None

    # -- jobs -------------------------------------------------------------------------------

    def _schedule_job(self, reminder: Reminder) -> None:
        """Replace the reminder's job by name; due times already past are left to run_due.

        The JobQueue counts the system's seconds, the reminders the injected clock's: the job
        runs after the time left on the injected clock, so a clock set elsewhere (a test, a
        restart after downtime) never fires a reminder before that clock reaches it.
        """
        if self.job_queue is None or reminder.id is None:
            return
        self._remove_job(reminder.job_name)
        self.job_queue.run_once(
            self._job,
            when=max(reminder.due_at - self.now(), timedelta(seconds=1)),
            name=reminder.job_name,
            data={"id": reminder.id, "due_at": to_db_time(reminder.due_at)},
        )

    def _remove_job(self, name: str) -> None:
        if self.job_queue is None:
            return
        for job in self.job_queue.get_jobs_by_name(name):
            job.schedule_removal()

    async def _job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """A reminder's job: run everything due (at least this reminder's due time)."""
        job = context.job
        data = job.data if job is not None and isinstance(job.data, dict) else {}
        due = from_db_time(str(data["due_at"])) if "due_at" in data else self.now()
        await self.run_due(max(self.now(), due))

    async def _reconcile_job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """The periodic safety net: derive missing reminders, fire any a job missed."""
        now = self.now()
        await self.reconcile(now)
        await self.run_due(now)
