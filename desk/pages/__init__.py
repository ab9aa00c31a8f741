"""The desk's pages, registered in ONE place: ``PAGES`` (each module's ``routes(desk)``).

A new page is a module here (``routes(desk)`` returning its Starlette routes, each endpoint
made by ``desk.page(handler)``; optionally ``NAV = (N_("Label"), "route name")`` for a link in
the top bar) and its template in ``desk/templates/``, added to PAGES.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from starlette.routing import BaseRoute

from desk.pages import (
    announcements,
    application,
    applications,
    audit,
    dashboard,
    documents,
    exhibitions,
    exports,
    imports,
    officers,
    signin,
    static,
    tickets,
)
from desk.web import Desk

PAGES: tuple[ModuleType, ...] = (
    signin,
    static,
    dashboard,
    applications,
    application,
    documents,
    imports,
    tickets,
    exhibitions,
    announcements,
    exports,
    audit,
    officers,
)


def all_routes(desk: Desk) -> list[BaseRoute]:
    """Every page's routes, in PAGES order."""
    routes: list[BaseRoute] = []
    nav = [module.NAV for module in PAGES if hasattr(module, "NAV")]
    desk.templates.globals["desk_nav"] = nav
    for module in PAGES:
        make: Callable[[Desk], list[BaseRoute]] = module.routes
        routes.extend(make(desk))
    return routes
