"""Exports: the applications with the list's filters (the same query string), downloaded as
XLSX or CSV (``services.export.export_list``: officer checked now, audited). The file is written
to a fresh name under DATA_DIR/exports and removed once sent."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from desk.forms import PLAN_LABELS
from desk.pages.applications import read_filters
from desk.web import FILE_CSP, Desk, Page
from domain.statuses import ApplicationStatus
from services.export import export_list
from texts.i18n import N_, _

NAV = (N_("Exports"), "exports")

MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


async def exports(page: Page) -> Response:
    """The export form: the list's filters, and the format."""
    services = page.desk.services
    catalogue = services.catalogue
    filters, raw = read_filters(page.request.query_params, catalogue)
    return page.render(
        "exports.html",
        raw=raw,
        filters=filters,
        statuses=[s for s in ApplicationStatus if s is not ApplicationStatus.DRAFT],
        counties=catalogue.counties,
        groups=catalogue.groups,
        plans=PLAN_LABELS,
    )


async def download(page: Page) -> Response:
    """The file itself."""
    services = page.desk.services
    params = page.request.query_params
    fmt = params.get("format", "xlsx")
    if fmt not in MEDIA:
        return page.error(_("Export to .xlsx or .csv."), back=page.url("exports"))
    filters, _raw = read_filters(params, services.catalogue)
    path, _result = await export_list(
        services.store,
        page.officer.actor,
        services.catalogue,
        filters,
        services.settings.data_dir / "exports",
        f".{fmt}",
        tz=services.settings.zone,
    )
    today = services.clock().astimezone(services.settings.zone).date().isoformat()
    return FileResponse(
        path,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="applications-{today}.{fmt}"',
            "Content-Security-Policy": FILE_CSP,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


def routes(desk: Desk) -> list[BaseRoute]:
    return [
        Route("/exports", desk.page(exports), methods=["GET"], name="exports"),
        Route("/exports/download", desk.page(download), methods=["GET"], name="export_download"),
    ]
