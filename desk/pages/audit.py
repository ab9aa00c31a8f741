"""The audit log: who did what, when, to which record; filtered by officer, action, application
and dates, in pages (``services.audit_trail``)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import parse_date, parse_id
from desk.web import Desk, Page
from services.audit_trail import AuditFilter, audit_log
from texts.i18n import N_

NAV = (N_("Audit log"), "audit")
FILTER_NAMES = ("officer", "action", "application", "since", "until")


def _details(value: object) -> str:
    """A before/after value as compact text (it is shown escaped)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)[:300]


async def audit(page: Page) -> Response:
    """One page of the log, newest first."""
    services = page.desk.services
    params = page.request.query_params
    raw = {name: params.get(name, "").strip()[:60] for name in FILTER_NAMES}
    filters = AuditFilter(
        officer=parse_id(raw["officer"]),
        action=raw["action"] or None,
        application=raw["application"] or None,
        from_date=parse_date(raw["since"]),
        to_date=parse_date(raw["until"]),
        page=min(parse_id(params.get("page", "")) or 1, 1_000_000),
    )
    found = await audit_log(services.store, page.officer.actor, filters, tz=services.settings.zone)
    kept = {k: v for k, v in raw.items() if v}

    def page_link(number: int) -> str:
        return "?" + urlencode({**kept, "page": number})

    return page.render("audit.html", found=found, raw=raw, page_link=page_link, details=_details)


def routes(desk: Desk) -> list[BaseRoute]:
    return [Route("/audit", desk.page(audit), methods=["GET"], name="audit")]
