"""Imports: upload a bank report or an exhibitions file → the dry-run table (row, change,
problem) → apply all or nothing. The work is ``services.imports.uploads``: the upload is checked
as a spreadsheet and kept under a token of this officer's; the apply reads the same file again.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.web import FORM_LIMIT, Desk, Page
from services.imports.uploads import (
    MAX_UPLOAD_BYTES,
    ImportKind,
    UploadRefused,
    apply,
    dry_run,
    kept,
    receive,
)
from texts.i18n import N_, _

NAV = (N_("Imports"), "imports")

KIND_LABELS = {
    ImportKind.BANK_REPORT.value: N_("Bank report"),
    ImportKind.EXHIBITIONS.value: N_("Exhibitions"),
}


def _kind(text: str) -> ImportKind | None:
    return ImportKind(text) if text in set(ImportKind) else None


async def imports(page: Page) -> Response:
    """The two upload forms."""
    return page.render("imports.html", kinds=KIND_LABELS)


async def upload(page: Page) -> Response:
    """Check the uploaded file and show its dry run."""
    services = page.desk.services
    kind = _kind(page.form.get("kind"))
    form = await page.request.form()
    sent = form.get("file")
    back = page.url("imports")
    if kind is None or not isinstance(sent, UploadFile):
        return page.error(_("Choose a file to import."), status=400, back=back)
    data = await sent.read(MAX_UPLOAD_BYTES + 1)
    try:
        kept_file = await receive(
            services.store,
            page.officer.actor,
            services.settings.data_dir,
            kind,
            sent.filename or "",
            data,
        )
    except UploadRefused as refused:
        return page.error(str(refused), status=400, back=back)
    trial = await dry_run(
        services.store, page.officer.actor, services.catalogue, kept_file, tz=services.settings.zone
    )
    return page.render("import_dry_run.html", trial=trial, kind_label=KIND_LABELS[kind.value])


async def apply_import(page: Page) -> Response:
    """Apply a dry-run file whole (or nothing), then show what happened."""
    services = page.desk.services
    kind = _kind(page.form.get("kind"))
    back = page.url("imports")
    if kind is None:
        return page.error(_("This import is no longer waiting: upload the file again."), back=back)
    try:
        kept_file = await kept(
            services.store,
            page.officer.actor,
            services.settings.data_dir,
            kind,
            page.form.get("token"),
            page.form.get("name")[:120],
        )
    except UploadRefused as refused:
        return page.error(str(refused), status=400, back=back)
    done = await apply(
        services.store,
        page.officer.actor,
        services.catalogue,
        kept_file,
        tz=services.settings.zone,
        quiet_hours=services.settings.quiet_hours,
    )
    if done.ok:
        services.wake_sender()
    return page.render(
        "import_done.html", done=done, name=kept_file.name, kind_label=KIND_LABELS[kind.value]
    )


def routes(desk: Desk) -> list[BaseRoute]:
    return [
        Route("/imports", desk.page(imports), methods=["GET"], name="imports"),
        Route(
            "/imports/upload",
            desk.page(upload, max_body=MAX_UPLOAD_BYTES + FORM_LIMIT),
            methods=["POST"],
            name="import_upload",
        ),
        Route("/imports/apply", desk.page(apply_import), methods=["POST"], name="import_apply"),
    ]
