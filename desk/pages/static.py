"""The desk's own CSS and JavaScript (vendored, no build step), by name from a fixed list:
no path from the request reaches the file system."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from desk.rendering import STATIC
from desk.web import Desk
from texts.i18n import _

FILES = {"desk.css": "text/css; charset=utf-8", "desk.js": "text/javascript; charset=utf-8"}


def routes(desk: Desk) -> list[BaseRoute]:
    contents = {name: (STATIC / name).read_bytes() for name in FILES}

    async def static(request: Request, desk: Desk) -> Response:
        """One of the desk's static files (404 for any other name)."""
        name = str(request.path_params["file"])
        if name not in contents:
            return desk.error(request, _("This page does not exist."), status=404)
        response = Response(contents[name], media_type=FILES[name])
        response.headers["Cache-Control"] = "max-age=3600"
        return response

    return [Route("/static/{file}", desk.public(static), methods=["GET"], name="static")]
