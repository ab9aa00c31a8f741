"""Officers (admins only): who is an officer now, add one by user id, remove one. The same
services as the bot's /officers (``services.officers``): admins checked now, audited."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.forms import parse_id
from desk.web import Desk, Page
from services import officers
from services.errors import NotAllowed
from texts.i18n import N_, _

NAV = (N_("Officers"), "officers")

DONE = {
    "added": N_("The officer was added."),
    "removed": N_("The officer was removed; their desk sessions have ended."),
}


def _refused(page: Page) -> Response:
    return page.error(_("Only an admin manages officers."), status=403)


async def officer_list(page: Page) -> Response:
    """Admins and officers, with the forms to add and remove."""
    store = page.desk.services.store
    try:
        found = await officers.list_officers(store, page.officer.actor)
    except NotAllowed:
        return _refused(page)
    done = DONE.get(page.request.query_params.get("done", ""))
    # An officer is an account: the form names the messenger (the admin's own first).
    platforms = [bot.platform.value for bot in page.desk.settings.platforms]
    own = page.officer.platform or store.officers.default_platform
    platforms.sort(key=lambda platform: platform != own)
    return page.render(
        "officers.html", found=found, platforms=platforms, done=_(done) if done else None
    )


async def add(page: Page) -> Response:
    """Add an officer by the messenger's user id (and a name)."""
    store = page.desk.services.store
    user_id = parse_id(page.form.get("user_id"))
    name = page.form.get("name")[:100] or None
    configured = {bot.platform.value for bot in page.desk.settings.platforms}
    platform = page.form.get("platform")  # none or unknown: the admin's own platform
    back = page.url("officers")
    if user_id is None:
        return page.error(_("A user id is a positive number."), back=back)
    try:
        await officers.add_officer(
            store,
            page.officer.actor,
            user_id,
            platform=platform if platform in configured else None,
            name=name,
        )
    except NotAllowed:
        return _refused(page)
    return page.redirect(back + "?done=added")


async def remove(page: Page) -> Response:
    """Remove an officer (by the row id the list showed)."""
    store = page.desk.services.store
    officer_id = parse_id(page.form.get("officer"))
    back = page.url("officers")
    try:
        removed = (
            await officers.remove_officer(store, page.officer.actor, officer_id)
            if officer_id is not None
            else None
        )
    except NotAllowed:
        return _refused(page)
    if removed is None:
        return page.error(_("This officer is not on the list any more."), back=back)
    return page.redirect(back + "?done=removed")


def routes(desk: Desk) -> list[BaseRoute]:
    return [
        Route("/officers", desk.page(officer_list), methods=["GET"], name="officers"),
        Route("/officers/add", desk.page(add), methods=["POST"], name="officer_add"),
        Route("/officers/remove", desk.page(remove), methods=["POST"], name="officer_remove"),
    ]
