"""A citizen's document, served only through the desk: looked up by its id in the store (never
a path from the request), with Content-Disposition, nosniff and a policy of its own."""

from __future__ import annotations

import logging

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.web import FILE_CSP, Desk, Page
from domain.file_checks import FileType
from services.documents import officer_document, read_stored
from storage.files import FILES_FOLDER
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

# What a stored upload may be served as (the upload checks judged the bytes); else a download.
TYPES = {t.mime_type: t.extension for t in FileType}


async def document(page: Page) -> Response:
    """The file of one document: inline (shown in the page) or ``?download=1``."""
    services = page.desk.services
    doc_id = int(page.request.path_params["document_id"])
    doc = await officer_document(services.store, page.officer.actor, doc_id)
    folder = (services.settings.data_dir / FILES_FOLDER).resolve()
    # The stored name is ours, yet the file must lie inside the files folder all the same.
    if doc is None or not (folder / doc.stored_name).resolve().is_relative_to(folder):
        return page.error(_("There is no such document."), status=404)
    try:
        data = await read_stored(services.settings.data_dir, doc)
    except OSError:
        LOGGER.warning("Web desk: the file of document %s is missing", doc.id)
        return page.error(_("The file of this document is missing."), status=404)
    extension = TYPES.get(doc.mime_type)
    media_type = doc.mime_type if extension else "application/octet-stream"
    how = "attachment" if page.request.query_params.get("download") or not extension else "inline"
    name = f"{doc.kind}-{doc.id}.{extension or 'bin'}"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{how}; filename="{name}"',
            "Content-Security-Policy": FILE_CSP,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def routes(desk: Desk) -> list[BaseRoute]:
    return [
        Route("/documents/{document_id:int}", desk.page(document), methods=["GET"], name="document")
    ]
