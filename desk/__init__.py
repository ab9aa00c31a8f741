"""The officers' web desk: Persian, server-rendered pages over the same services as the bot.

``desk_routes(services)`` gives the routes ``bot.runtime`` serves on the process's one HTTP
server. See ``desk/web.py`` (guard, CSRF, headers), ``desk/pages/`` (one module per page,
registered in ``desk/pages/__init__.py``); the README says how to add one.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from desk.web import Desk, DeskServices


def desk_routes(services: DeskServices) -> list[BaseRoute]:
    """The desk's routes over these services."""
    from desk.pages import all_routes  # the pages import desk.web, which this module exposes

    return all_routes(Desk(services))


__all__ = ["Desk", "DeskServices", "desk_routes"]
