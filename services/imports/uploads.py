"""Imports from the web desk: an uploaded file is checked, kept, shown as a dry run, then applied
whole or not at all, by an officer NOW (checked at each step), audited.

1. ``receive``: the upload's bytes (bounded by the caller) must be a spreadsheet: an XLSX is a
   zip holding ``[Content_Types].xml`` and ``xl/``; a CSV is UTF-8 text with no NUL byte. The
   name's ending must agree with the bytes. The file is kept under a random token of the
   officer's (``DATA_DIR/imports/<user id>-<token>.<ext>``): no path from a request reaches
   the file system, and another officer's token is not found.
2. ``dry_run``: every row checked against the store, nothing changed: a table of (row, change,
   problem).
3. ``apply``: the same file applied (bank report: ``services.imports.bank_import``, in short
   transactions, all or none; exhibitions: one transaction), an audit row naming the officer,
   the file and the counts; the kept file is removed.
"""

from __future__ import annotations

import io
import re
import secrets
import time
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.catalogue import Catalogue
from domain.notifications import QuietHours
from services.actors import Actor
from services.imports import exhibitions as exhibition_import
from services.imports.bank_import import ImportResult, import_bank_report
from services.officers import account_of, require_officer
from storage import Store
from storage.reports import TEHRAN
from texts.formatting import format_jalali_date, format_toman, to_persian_digits
from texts.i18n import _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A file checked but never applied is removed after this long (at the next upload).
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class ImportKind(StrEnum):
    """What an uploaded file is."""

    BANK_REPORT = "bank"
    EXHIBITIONS = "exhibitions"


class UploadRefused(Exception):
    """The upload cannot be used; the message is Persian, for the officer."""


@dataclass(frozen=True)
class Upload:
    """A file kept for its dry run and its apply."""

    token: str
    kind: ImportKind
    name: str  # the name the officer's file had (shown, never used as a path)
    path: Path


@dataclass(frozen=True)
class Line:
    """One line of a dry run's table: the row, what would change, or why it cannot."""

    row: int
    change: str = ""
    problem: str = ""


@dataclass(frozen=True)
class DryRun:
    """A dry run: its table, and whether the file can be applied as it is."""

    upload: Upload
    rows: int
    lines: list[Line]
    ok: bool
    file_problem: str | None = None


@dataclass(frozen=True)
class Applied:
    """What an apply did."""

    ok: bool
    changed: int
    lines: list[Line]  # the problems when nothing was applied


def _folder(data_dir: Path) -> Path:
    folder = data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _suffix(name: str) -> str:
    return Path(name).suffix.lower() if "." in name else ""


def sniff(name: str, data: bytes) -> str:
    """The file's type (".xlsx" or ".csv") from its bytes, agreeing with its name; else
    UploadRefused with the reason in Persian."""
    if not data:
        raise UploadRefused(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            _("The file is too big: at most {size} MB.").format(
                size=to_persian_digits(MAX_UPLOAD_BYTES // (1024 * 1024))
            )
        )
    suffix = _suffix(name)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                names = set(book.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            if suffix != ".xlsx":
                raise UploadRefused(_("The file's name does not match its content (an .xlsx)."))
            return ".xlsx"
        raise UploadRefused(_("The file is not a spreadsheet: upload an .xlsx or .csv file."))
    if b"\x00" in data[:65536]:
        raise UploadRefused(_("The file is not a spreadsheet: upload an .xlsx or .csv file."))
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(
            _("The file is not UTF-8 text. Save it as CSV UTF-8, or as .xlsx.")
        ) from None
    if suffix != ".csv":
        raise UploadRefused(_("The file is not a spreadsheet: upload an .xlsx or .csv file."))
    return ".csv"


async def receive(
    store: Store, actor: Actor, data_dir: Path, kind: ImportKind, name: str, data: bytes
) -> Upload:
    """Check the uploaded bytes and keep them for the dry run and the apply."""
    user_id = await require_officer(store, actor)
    suffix = sniff(name, data)
    folder = _folder(data_dir)
    # A file's age is the file system's: its mtime against the same wall clock, not the
    # programme's clock (which tests move).
    _forget_old(folder, time.time() - KEEP_SECONDS)
    token = secrets.token_hex(16)
    path = folder / f"{_owner(store, actor, user_id)}-{kind.value}-{token}{suffix}"
    path.write_bytes(data)
    return Upload(token=token, kind=kind, name=Path(name).name[:120], path=path)


def _owner(store: Store, actor: Actor, user_id: int) -> str:
    """Whose kept file it is: the officer's account (platform and user id: a Bale officer's
    files are not their Telegram namesake's)."""
    account = account_of(store, actor)
    return f"{account.platform if account else ''}{user_id}"


def _forget_old(folder: Path, before: float) -> None:
    """Remove the kept files last written before this time (dry runs never applied)."""
    for old in folder.glob("*-*-*.*"):
        try:
            if old.stat().st_mtime < before:
                old.unlink()
        except OSError:
            pass  # another request removed it first


async def kept(
    store: Store, actor: Actor, data_dir: Path, kind: ImportKind, token: str, name: str
) -> Upload:
    """The officer's own kept file by its token; UploadRefused when there is none (a forged or
    stale form, another officer's token, a file already applied)."""
    user_id = await require_officer(store, actor)
    if not _TOKEN.match(token):
        raise UploadRefused(_("This import is no longer waiting: upload the file again."))
    for suffix in (".xlsx", ".csv"):
        path = _folder(data_dir) / f"{_owner(store, actor, user_id)}-{kind.value}-{token}{suffix}"
        if path.is_file():
            return Upload(token=token, kind=kind, name=Path(name).name[:120], path=path)
    raise UploadRefused(_("This import is no longer waiting: upload the file again."))


async def dry_run(
    store: Store,
    actor: Actor,
    catalogue: Catalogue,
    upload: Upload,
    *,
    tz: ZoneInfo = TEHRAN,
) -> DryRun:
    """Check every row of the kept file against the store; change nothing."""
    await require_officer(store, actor)
    if upload.kind is ImportKind.BANK_REPORT:
        result = await import_bank_report(store, catalogue, upload.path, dry_run=True, tz=tz)
        return _bank_dry_run(upload, result)
    checked = exhibition_import.check_file(upload.path, catalogue)
    lines = [Line(row=row, problem=problem) for row, problem in checked.problems]
    lines += [
        Line(
            row=row,
            change=_("new exhibition «{title}», {start}").format(
                title=draft.title, start=format_jalali_date(draft.starts_on)
            ),
        )
        for row, draft in zip(checked.rows, checked.drafts, strict=True)
    ]
    lines.sort(key=lambda line: line.row)
    file_problem = next((p for r, p in checked.problems if r in (0, 1)), None)
    return DryRun(
        upload=upload,
        rows=len(checked.drafts) + len({r for r, _p in checked.problems if r > 1}),
        lines=lines,
        ok=not checked.problems,
        file_problem=file_problem,
    )


def _bank_dry_run(upload: Upload, result: ImportResult) -> DryRun:
    lines = [Line(row=p.row, problem=p.reason) for p in result.problems]
    lines += [
        Line(
            row=p.row,
            change=_("application {code}: paid {amount} on {date}, {bank}").format(
                code=to_persian_digits(p.tracking_code or str(p.application_id)),
                amount=format_toman(p.amount_rials),
                date=format_jalali_date(p.paid_on),
                bank=p.bank,
            ),
        )
        for p in result.payments
    ]
    lines.sort(key=lambda line: line.row)
    return DryRun(
        upload=upload,
        rows=result.rows,
        lines=lines,
        ok=result.ok,
        file_problem=result.file_problem,
    )


async def apply(
    store: Store,
    actor: Actor,
    catalogue: Catalogue,
    upload: Upload,
    *,
    tz: ZoneInfo = TEHRAN,
    quiet_hours: QuietHours | None = None,
) -> Applied:
    """Apply the kept file whole, or nothing when any row is bad (checked again now)."""
    user_id = await require_officer(store, actor)
    if upload.kind is ImportKind.BANK_REPORT:
        result = await import_bank_report(
            store, catalogue, upload.path, tz=tz, quiet_hours=quiet_hours, actor=str(actor)
        )
        applied = Applied(
            ok=result.applied,
            changed=len(result.payments) if result.applied else 0,
            lines=[Line(row=p.row, problem=p.reason) for p in result.problems]
            + ([Line(row=0, problem=result.file_problem)] if result.file_problem else []),
        )
    else:
        done = await exhibition_import.import_exhibitions(
            store, catalogue, upload.path, actor=actor
        )
        applied = Applied(
            ok=done.ok,
            changed=done.created,
            lines=[Line(row=row, problem=problem) for row, problem in done.problems],
        )
    await store.audit.record(
        str(actor),
        f"import_{upload.kind.value}",
        None,
        after={
            "file": upload.name,
            "applied": applied.ok,
            "changed": applied.changed,
            "problems": len(applied.lines),
            "officer": user_id,
        },
    )
    if applied.ok:
        upload.path.unlink(missing_ok=True)
    return applied
