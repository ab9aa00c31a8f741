"""Importing an agent bank's report: mark the applications it paid, all or none.

The command is `homebiz import-bank-report FILE [--dry-run]` (office.import_bank_report); the
web desk calls the same functions (services.imports.uploads).

Each row names an application by tracking code (tried first) or national code (which must
match exactly one application introduced to a bank) and gives the bank, branch, amount and
payment date. The whole file is checked first, in one read snapshot (a few batched queries,
no write lock): one bad row and nothing is applied (exit code 1, every bad row listed with its
number and reason). Then the checked plan is stored as an import record and applied in short
write transactions (``storage.bank_imports``), so the bot keeps writing meanwhile. Each payment
writes what ``change_status`` writes as ``import:<file name>``: the status event, the audit
entry and, once every row stands, the citizen's notification (outbox); a running bot's sender
delivers the notifications. An application an officer changes while the file is being applied
rolls the whole import back. An import a crash interrupted is finished by the next run.

Decision: a row for an application still «approved» (not yet introduced to a bank) is a bad
row. The life cycle lets only an officer record the introduction (which bank and branch the
office chose), so the import never does it on the bank's word; the officer records the
introduction in the officer menu and imports the file again.
A row whose bank differs from the bank the application was introduced to is a bad row too.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel, ConfigDict

from domain.catalogue import Catalogue
from domain.models import Application
from domain.notifications import QuietHours
from domain.persian import normalize_national_code
from domain.statuses import ApplicationStatus
from domain.tracking import normalize_tracking_code
from services.imports.bank_import_run import (
    CHUNK_ROWS,
    OnChunk,
    ResumedImport,
    finish_import,
    renderer_for,
)
from services.imports.bank_report import (
    BankReportError,
    Column,
    RawRow,
    bank_key,
    cell_text,
    match_bank,
    parse_amount_rials,
    parse_payment_date,
    read_rows,
)
from storage import Store
from storage.bank_imports import (
    BankImportRepository,
    ImportStatus,
    PlannedPayment,
)
from storage.reports import TEHRAN, local_today
from texts.formatting import format_jalali_date, format_toman, to_persian_digits
from texts.i18n import _
from texts.notifications import status_label

LOGGER = logging.getLogger(__name__)

S = ApplicationStatus


class Payment(BaseModel):
    """One row that will mark one application paid."""

    model_config = ConfigDict(frozen=True)

    row: int
    application_id: int
    tracking_code: str | None
    bank: str
    branch: str
    amount_rials: int
    paid_on: date


class RowProblem(BaseModel):
    """Why one row cannot be imported (Persian, for the officer)."""

    model_config = ConfigDict(frozen=True)

    row: int
    reason: str


class ImportResult(BaseModel):
    """What an import did or would do."""

    model_config = ConfigDict(frozen=True)

    file_name: str
    rows: int = 0
    payments: list[Payment] = []
    problems: list[RowProblem] = []
    file_problem: str | None = None
    dry_run: bool = False
    applied: bool = False
    import_id: int | None = None
    # The write transactions the apply took, and the longest of them (seconds).
    write_transactions: int = 0
    longest_write_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No file-level problem and no bad row."""
        return self.file_problem is None and not self.problems


class _Parsed(BaseModel):
    """A row whose own cells are valid (lookups come next)."""

    model_config = ConfigDict(frozen=True)

    row: int
    tracking_code: str | None
    national_code: str | None
    bank: str
    branch: str
    amount_rials: int
    paid_on: date


def _parse(raw: RawRow, catalogue: Catalogue, today: date) -> _Parsed | list[str]:
    """Check one row's cells; return it parsed, or every reason it is bad."""
    reasons: list[str] = []
    tracking_text = cell_text(raw.cells.get(Column.TRACKING_CODE))
    national_text = cell_text(raw.cells.get(Column.NATIONAL_CODE))
    tracking = normalize_tracking_code(tracking_text) if tracking_text else None
    national = normalize_national_code(national_text) if national_text else None
    if not tracking_text and not national_text:
        reasons.append(_("no tracking code and no national code"))
    if tracking_text and tracking is None:
        reasons.append(_("the tracking code is not valid"))
    if national_text and national is None:
        reasons.append(_("the national code is not valid"))
    bank_text = cell_text(raw.cells.get(Column.BANK))
    bank = match_bank(bank_text, catalogue.rules.agent_banks)
    if not bank_text:
        reasons.append(_("the bank is missing"))
    elif bank is None:
        reasons.append(_("«{bank}» is not one of the agent banks").format(bank=bank_text))
    amount = parse_amount_rials(raw.cells.get(Column.AMOUNT))
    if amount is None:
        reasons.append(_("the amount is missing or not a whole number of rials"))
    paid_on = parse_payment_date(raw.cells.get(Column.PAID_ON))
    if paid_on is None:
        reasons.append(_("the payment date is missing or not a valid date"))
    elif paid_on > today:
        reasons.append(_("the payment date is in the future"))
    if reasons or bank is None or amount is None or paid_on is None:
        return reasons
    return _Parsed(
        row=raw.row,
        tracking_code=tracking,
        national_code=national,
        bank=bank,
        branch=cell_text(raw.cells.get(Column.BRANCH)),
        amount_rials=amount,
        paid_on=paid_on,
    )


def _find(
    row: _Parsed,
    by_code: dict[str, Application],
    by_national: dict[str, list[Application]],
) -> Application | str:
    """The application a row names, or why it cannot be found."""
    if row.tracking_code:
        app = by_code.get(row.tracking_code)
        if app is None:
            return _("no application has this tracking code")
        if row.national_code and app.national_code != row.national_code:
            return _("the national code is not the one of this tracking code's application")
        return app
    assert row.national_code is not None
    found = by_national.get(row.national_code, [])
    waiting = [a for a in found if a.status is S.INTRODUCED_TO_BANK]
    if len(waiting) == 1:
        return waiting[0]
    if len(waiting) > 1:
        return _(
            "several applications introduced to a bank have this national code; "
            "use the tracking code"
        )
    if not found:
        return _("no application has this national code")
    return _status_problem(found[-1])


def _status_problem(app: Application) -> str:
    if app.status is S.APPROVED:
        return _(
            "the application is approved but not yet introduced to a bank; "
            "record the introduction in the officer menu first"
        )
    return _("the application is «{status}», not «introduced to the bank»").format(
        status=status_label(app.status)
    )


async def plan_import(
    store: Store,
    rows: list[RawRow],
    catalogue: Catalogue,
    today: date,
    conn: aiosqlite.Connection,
) -> tuple[list[Payment], list[RowProblem]]:
    """Check every row against the database (read through ``conn``); change nothing."""
    payments, problems, _apps = await _plan(store, rows, catalogue, today, conn)
    return payments, problems


async def _plan(
    store: Store,
    rows: list[RawRow],
    catalogue: Catalogue,
    today: date,
    conn: aiosqlite.Connection,
) -> tuple[list[Payment], list[RowProblem], dict[int, Application]]:
    """The check, with the applications the payments name as they were read."""
    # Parsing every cell is the check's CPU work: in a thread, so the event loop goes on.
    parsed = await asyncio.to_thread(lambda: [(raw, _parse(raw, catalogue, today)) for raw in rows])
    wanted = [p for _raw, p in parsed if isinstance(p, _Parsed)]
    apps = store.applications
    # Two batched reads for the whole file instead of one or two queries per row.
    by_code = await apps.find_by_tracking_codes(
        [p.tracking_code for p in wanted if p.tracking_code], conn=conn
    )
    by_national = await apps.find_by_national_codes(
        [p.national_code for p in wanted if not p.tracking_code and p.national_code], conn=conn
    )
    payments: list[Payment] = []
    problems: list[RowProblem] = []
    named: dict[int, Application] = {}
    seen: dict[int, int] = {}  # application id → the row that already names it
    for raw, row in parsed:
        if isinstance(row, list):
            problems += [RowProblem(row=raw.row, reason=reason) for reason in row]
            continue
        app = _find(row, by_code, by_national)
        if isinstance(app, str):
            problems.append(RowProblem(row=raw.row, reason=app))
            continue
        if app.id in seen:
            reason = _("the same application is already in row {row}").format(
                row=to_persian_digits(seen[app.id])
            )
            problems.append(RowProblem(row=raw.row, reason=reason))
            continue
        seen[app.id] = raw.row
        if app.status is not S.INTRODUCED_TO_BANK:
            problems.append(RowProblem(row=raw.row, reason=_status_problem(app)))
            continue
        if app.bank and bank_key(app.bank) != bank_key(row.bank):
            reason = _("the application was introduced to {expected}, not to {bank}").format(
                expected=app.bank, bank=row.bank
            )
            problems.append(RowProblem(row=raw.row, reason=reason))
            continue
        named[app.id] = app
        payments.append(
            Payment(
                row=raw.row,
                application_id=app.id,
                tracking_code=app.tracking_code,
                bank=row.bank,
                branch=row.branch,
                amount_rials=row.amount_rials,
                paid_on=row.paid_on,
            )
        )
    return payments, problems, named


def _read(path: Path) -> tuple[list[RawRow], str]:
    rows = read_rows(path)
    digest = _digest(path)
    assert digest is not None  # read_rows has just read it
    return rows, digest


async def import_bank_report(
    store: Store,
    catalogue: Catalogue,
    path: Path,
    *,
    dry_run: bool = False,
    tz: ZoneInfo = TEHRAN,
    today: date | None = None,
    wake: Callable[[], None] | None = None,
    quiet_hours: QuietHours | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_chunk: OnChunk | None = None,
    actor: str | None = None,
) -> ImportResult:
    """Check the file and, unless a dry run or any row is bad, apply it in short transactions.

    ``actor`` is who the status events and audit rows name: ``import:<file name>`` by default
    (the command); the web desk passes its officer (``officer:<user id>``).

    ``wake`` (e.g. ``services.wake_sender``) is called after the notifications are written when
    the sender runs in this process; otherwise the running bot's sender finds the outbox rows
    on its next poll. Notifications are not urgent: they wait for the end of ``quiet_hours``.
    """
    name = path.name
    today = today or local_today(store, tz)
    try:
        rows, digest = await asyncio.to_thread(_read, path)  # file reading off the event loop
    except BankReportError as exc:
        return ImportResult(file_name=name, file_problem=str(exc), dry_run=dry_run)
    async with store.db.read() as conn:  # one snapshot: every row checked against one state
        payments, problems, apps = await _plan(store, rows, catalogue, today, conn)
    if dry_run:
        return ImportResult(
            file_name=name, rows=len(rows), payments=payments, problems=problems, dry_run=True
        )
    if problems:
        _log(name, len(rows), len(payments), len(problems), applied=False)
        return ImportResult(file_name=name, rows=len(rows), payments=payments, problems=problems)
    imports = BankImportRepository(store.db)
    import_id = await imports.start(
        name,
        digest,
        actor or f"import:{name}",
        [
            PlannedPayment(p.row, apps[p.application_id], p.amount_rials, p.paid_on)
            for p in payments
        ],
    )
    status, conflicts = await finish_import(
        imports,
        import_id,
        renderer_for(catalogue),
        quiet_hours=quiet_hours,
        chunk_rows=chunk_rows,
        on_chunk=on_chunk,
        known=apps,
    )
    applied = status is ImportStatus.DONE
    if not applied:
        problems = [RowProblem(row=c.row, reason=_changed_meanwhile()) for c in conflicts] or [
            RowProblem(row=0, reason=_changed_meanwhile())  # rolled back by another run
        ]
    _log(name, len(rows), len(payments), len(problems), applied=applied, imports=imports)
    if applied and wake is not None:
        wake()
    return ImportResult(
        file_name=name,
        rows=len(rows),
        payments=payments,
        problems=problems,
        applied=applied,
        import_id=import_id,
        write_transactions=len(imports.write_seconds),
        longest_write_seconds=max(imports.write_seconds, default=0.0),
    )


def _changed_meanwhile() -> str:
    return _("the application changed while the file was being applied")


def _log(
    name: str,
    rows: int,
    payments: int,
    problems: int,
    *,
    applied: bool,
    imports: BankImportRepository | None = None,
) -> None:
    writes = imports.write_seconds if imports is not None else []
    LOGGER.info(
        "bank report %s: %d rows, %d payments, %d problems, applied=%s,"
        " %d write transactions, longest %.0f ms",
        name,
        rows,
        payments,
        problems,
        applied,
        len(writes),
        1000 * max(writes, default=0.0),
    )


# --- officer-facing text --------------------------------------------------------------------


def _payment_line(payment: Payment) -> str:
    return _("Row {row}: application {code}, {amount}, paid on {date}, {bank}").format(
        row=to_persian_digits(payment.row),
        code=to_persian_digits(payment.tracking_code or str(payment.application_id)),
        amount=format_toman(payment.amount_rials),
        date=format_jalali_date(payment.paid_on),
        bank=payment.bank,
    )


def render_import_result(result: ImportResult) -> str:
    """The officer's summary: what changed or would change, or every bad row."""
    if result.file_problem is not None:
        return _("The bank report «{file}» was not imported: {problem}").format(
            file=result.file_name, problem=result.file_problem
        )
    lines = [
        _("Bank report «{file}»: {rows} rows.").format(
            file=result.file_name, rows=to_persian_digits(result.rows)
        )
    ]
    if result.problems:
        rows_with_problems = len({p.row for p in result.problems})
        lines.append(
            _(
                "Nothing was applied: {count} rows have problems. "
                "Correct them and import the whole file again."
            ).format(count=to_persian_digits(rows_with_problems))
        )
        lines += [
            _("Row {row}: {reason}").format(row=to_persian_digits(p.row), reason=p.reason)
            for p in result.problems
        ]
        return "\n".join(lines)
    count = to_persian_digits(len(result.payments))
    if result.dry_run:
        lines.append(
            _("Dry run, nothing was changed. {count} applications would be marked paid:").format(
                count=count
            )
        )
        lines += [_payment_line(p) for p in result.payments]
    else:
        lines.append(
            _(
                "Done: {count} applications were marked paid; the bot will notify their applicants."
            ).format(count=count)
        )
    return "\n".join(lines)


def render_resumed(resumed: ResumedImport) -> str:
    """One line about an interrupted import this run finished."""
    if resumed.applied:
        return _(
            "An interrupted import of «{file}» was finished first: {count} applications "
            "were marked paid."
        ).format(file=resumed.file_name, count=to_persian_digits(resumed.rows))
    return _(
        "An interrupted import of «{file}» was rolled back first: nothing of it was applied."
    ).format(file=resumed.file_name)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # import_bank_report says what is wrong with the file
