"""`homebiz import-bank-report FILE [--dry-run]`: mark the applications a bank paid, all or none.

Each row names an application by tracking code (tried first) or national code (which must
match exactly one application introduced to a bank) and gives the bank, branch, amount and
payment date. The whole file is checked first, inside the same write transaction that applies
it: one bad row and nothing is applied (exit code 1, every bad row listed with its number and
reason). Each payment goes through ``change_status`` as ``import:<file name>``, so the status
event, the audit entry and the citizen's notification (outbox) are written with it; a running
bot's sender delivers the notifications.

Decision: a row for an application still «approved» (not yet introduced to a bank) is a bad
row. The life cycle lets only an officer record the introduction (which bank and branch the
office chose), so the import never does it on the bank's word; the officer records the
introduction in the officer menu and imports the file again.
A row whose bank differs from the bank the application was introduced to is a bad row too.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
from pydantic import BaseModel, ConfigDict

from config.settings import Settings
from domain.catalogue import Catalogue, load_catalogue
from domain.lifecycle import LifecycleError
from domain.models import Application
from domain.notifications import QuietHours
from domain.persian import normalize_national_code
from domain.statuses import ApplicationStatus
from domain.tracking import normalize_tracking_code
from office.bank_report import (
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
from storage.reports import local_today
from storage.status_changes import change_status
from texts.formatting import format_jalali_date, format_toman, to_persian_digits
from texts.i18n import _
from texts.notifications import make_renderer, status_label

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


async def _find(store: Store, row: _Parsed, conn: aiosqlite.Connection) -> Application | str:
    """The application a row names, or why it cannot be found."""
    apps = store.applications
    if row.tracking_code:
        app = await apps.find_by_tracking_code(row.tracking_code, conn=conn)
        if app is None:
            return _("no application has this tracking code")
        if row.national_code and app.national_code != row.national_code:
            return _("the national code is not the one of this tracking code's application")
        return app
    assert row.national_code is not None
    found = await apps.find_by_national_code(row.national_code, conn=conn)
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
    payments: list[Payment] = []
    problems: list[RowProblem] = []
    seen: dict[int, int] = {}  # application id → the row that already names it
    for raw in rows:
        parsed = _parse(raw, catalogue, today)
        if isinstance(parsed, list):
            problems += [RowProblem(row=raw.row, reason=reason) for reason in parsed]
            continue
        app = await _find(store, parsed, conn)
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
        if app.bank and bank_key(app.bank) != bank_key(parsed.bank):
            reason = _("the application was introduced to {expected}, not to {bank}").format(
                expected=app.bank, bank=parsed.bank
            )
            problems.append(RowProblem(row=raw.row, reason=reason))
            continue
        payments.append(
            Payment(
                row=raw.row,
                application_id=app.id,
                tracking_code=app.tracking_code,
                bank=parsed.bank,
                branch=parsed.branch,
                amount_rials=parsed.amount_rials,
                paid_on=parsed.paid_on,
            )
        )
    return payments, problems


class _Rejected(Exception):
    """Leave the write transaction without committing anything."""


async def import_bank_report(
    store: Store,
    catalogue: Catalogue,
    path: Path,
    *,
    tz: ZoneInfo,
    dry_run: bool = False,
    today: date | None = None,
    wake: Callable[[], None] | None = None,
    quiet_hours: QuietHours | None = None,
) -> ImportResult:
    """Check the file and, unless a dry run or any row is bad, apply it in one transaction.

    ``wake`` (e.g. ``services.wake_sender``) is called after a commit when the sender runs in
    this process; otherwise the running bot's sender finds the outbox rows on its next poll.
    Notifications are not urgent: they wait for the end of ``quiet_hours``. ``tz`` is the
    office's time zone (``settings.zone``): "today" for a payment date's sanity check.
    """
    name = path.name
    today = today or local_today(store, tz)
    try:
        rows = await asyncio.to_thread(read_rows, path)  # file reading off the event loop
    except BankReportError as exc:
        return ImportResult(file_name=name, file_problem=str(exc), dry_run=dry_run)
    if dry_run:
        async with store.db.read() as conn:
            payments, problems = await plan_import(store, rows, catalogue, today, conn)
        return ImportResult(
            file_name=name, rows=len(rows), payments=payments, problems=problems, dry_run=True
        )
    render = make_renderer(lambda code: _document_name(catalogue, code))
    payments, problems = [], []
    try:
        async with store.db.transaction() as conn:
            payments, problems = await plan_import(store, rows, catalogue, today, conn)
            if problems:
                raise _Rejected
            for payment in payments:
                await change_status(
                    store,
                    payment.application_id,
                    S.PAID,
                    actor=f"import:{name}",
                    details={
                        "amount_rials": payment.amount_rials,
                        "paid_on": payment.paid_on.isoformat(),
                    },
                    render=render,
                    quiet_hours=quiet_hours,
                    conn=conn,
                )
    except _Rejected:
        pass
    except LifecycleError as exc:  # planned in the same transaction: only a bug gets here
        LOGGER.exception("bank report %s rolled back", name)
        problems = [RowProblem(row=0, reason=str(exc))]
    applied = not problems
    LOGGER.info(
        "bank report %s: %d rows, %d payments, %d problems, applied=%s",
        name,
        len(rows),
        len(payments),
        len(problems),
        applied,
    )
    if applied and wake is not None:
        wake()
    return ImportResult(
        file_name=name,
        rows=len(rows),
        payments=payments,
        problems=problems,
        applied=applied,
    )


def _document_name(catalogue: Catalogue, code: str) -> str:
    document = catalogue.document(code)
    return document.name if document else code


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


# --- the command ----------------------------------------------------------------------------


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = load_catalogue(settings.catalogue_dir)
    settings.ensure_dirs()
    store = await Store.open(settings.database_path)
    try:
        result = await import_bank_report(
            store, catalogue, Path(args.file), tz=settings.zone, dry_run=args.dry_run
        )
    finally:
        await store.close()
    print(render_import_result(result))
    return 0 if result.ok else 1


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `import-bank-report` on the `homebiz` parser."""
    parser = sub.add_parser(
        "import-bank-report",
        help="mark applications paid from an agent bank's report (CSV or XLSX), all or none",
    )
    parser.add_argument("file", help="the bank's report, .csv (UTF-8) or .xlsx")
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change and change nothing"
    )


def command(args: argparse.Namespace, settings: Settings) -> int:
    """`homebiz import-bank-report FILE [--dry-run]`."""
    return asyncio.run(_run(args, settings))
