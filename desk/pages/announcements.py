"""Announcements: write the text, choose county and activity group, see how many subscribers it
reaches before sending, send, then watch its delivery (the page refreshes itself until done).
The same services as the bot's /announce (``services.announcements``): officers checked now,
audited; the broadcast runner delivers it through the outbox."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import parse_id
from desk.web import Desk, Page
from domain.catalogue import Catalogue
from domain.exhibitions import BroadcastFilter, BroadcastStatus
from services import announcements
from texts.i18n import N_, _

NAV = (N_("Announcements"), "announcements")
MAX_TEXT = 3500  # under a message's 4,096 characters, with room for the footer


def _filter(page: Page, catalogue: Catalogue) -> BroadcastFilter:
    county, group = page.form.get("county"), page.form.get("group")
    return BroadcastFilter(
        county=county if catalogue.county(county) is not None else None,
        group=group if catalogue.group(group) is not None else None,
    )


def _form(page: Page, **values: Any) -> Response:
    catalogue = page.desk.services.catalogue
    return page.render(
        "announcements.html", counties=catalogue.counties, groups=catalogue.groups, **values
    )


async def announcement_form(page: Page) -> Response:
    """The form: text, county, activity group."""
    return _form(page, text="", flt=BroadcastFilter(), audience=None)


async def preview(page: Page) -> Response:
    """The audience count for the chosen filter, and the send button."""
    services = page.desk.services
    text = page.form.get("text")
    flt = _filter(page, services.catalogue)
    if not text:
        return _form(page, text=text, flt=flt, audience=None, problem=_("Write the text first."))
    if len(text) > MAX_TEXT:
        return _form(page, text=text, flt=flt, audience=None, problem=_("The text is too long."))
    store = services.store
    count = await announcements.audience(store, page.officer.actor, flt)
    return _form(page, text=text, flt=flt, audience=count)


async def send(page: Page) -> Response:
    """Store the broadcast; the runner delivers it. Then its progress page."""
    services = page.desk.services
    text = page.form.get("text")
    if not text or len(text) > MAX_TEXT:
        return page.error(_("Write the text first."), back=page.url("announcements"))
    store = services.store
    broadcast = await announcements.create_broadcast(
        store,
        page.officer.actor,
        text,
        _filter(page, services.catalogue),
    )
    services.wake_broadcasts()
    return page.redirect(page.url("announcement", broadcast_id=broadcast.id))


async def announcement(page: Page) -> Response:
    """One announcement's delivery, refreshed every few seconds while it runs."""
    store = page.desk.services.store
    broadcast_id = parse_id(str(page.request.path_params.get("broadcast_id", "")))
    found = (
        await announcements.progress(store, page.officer.actor, broadcast_id)
        if broadcast_id is not None
        else None
    )
    if found is None:
        return page.error(_("There is no such announcement."), status=404)
    broadcast, progress = found
    total = broadcast.total if broadcast.total is not None else progress.total
    return page.render(
        "announcement.html",
        broadcast=broadcast,
        progress=progress,
        total=total,
        running=broadcast.status is BroadcastStatus.RUNNING,
    )


def routes(desk: Desk) -> list[BaseRoute]:
    return [
        Route(
            "/announcements", desk.page(announcement_form), methods=["GET"], name="announcements"
        ),
        Route(
            "/announcements/preview",
            desk.page(preview),
            methods=["POST"],
            name="announcement_preview",
        ),
        Route("/announcements/send", desk.page(send), methods=["POST"], name="announcement_send"),
        Route(
            "/announcements/{broadcast_id:int}",
            desk.page(announcement),
            methods=["GET"],
            name="announcement",
        ),
    ]
