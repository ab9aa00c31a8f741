"""The desk's machinery: the services it uses, the officer guard, CSRF, forms, headers, pages.

Every desk endpoint is made by ``Desk.page`` (an officer's page: a live session checked at
this request, CSRF checked on every POST, the form read with a size limit) or
``Desk.public`` (sign-in and sign-out pages: headers only). Both add the security headers
(a content security policy on every page). A handler takes a ``Page`` and returns a Response.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from config.settings import Settings
from desk.rendering import make_environment
from domain.catalogue import Catalogue
from services.desk_auth import DeskOfficer, session_officer
from services.errors import NotAllowed
from storage import Store
from storage.status_changes import ReminderSync
from texts.i18n import _

LOGGER = logging.getLogger(__name__)

COOKIE = "desk_session"
# A desk form is a few fields; a bigger body is refused before it is read.
FORM_LIMIT = 64 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Every desk page: scripts and styles only from the desk itself, no inline script, frames and
# objects only of the desk's own documents, forms only to the desk, never framed elsewhere.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# A document the desk serves: shown inside a desk page only, never run as a page of its own.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


class DeskServices(Protocol):
    """What the desk needs of the bot's services (``handlers.context.Services`` is one)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def catalogue(self) -> Catalogue: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def reminders(self) -> ReminderSync | None: ...

    def wake_sender(self) -> None:
        """Deliver freshly enqueued outbox rows now."""

    def wake_broadcasts(self) -> None:
        """Start a broadcast just stored now."""


class FormTooLarge(Exception):
    """The request's body is over the endpoint's limit."""


@dataclass
class Form:
    """A submitted form: the first value of a field, or all of them."""

    fields: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0].strip() if values else default

    def getlist(self, name: str) -> list[str]:
        return [value.strip() for value in self.fields.get(name, [])]


@dataclass
class Page:
    """One request to an officer's page: who asks, the desk, and the form when posted."""

    request: Request
    desk: Desk
    officer: DeskOfficer
    form: Form

    def render(self, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
        """A template with the officer, the CSRF token and the request in its context."""
        return self.desk.render(
            self.request, template, status=status, officer=self.officer, **values
        )

    def error(self, message: str, *, status: int = 400, back: str | None = None) -> HTMLResponse:
        """A Persian message page (nothing was changed)."""
        return self.desk.error(
            self.request, message, status=status, officer=self.officer, back=back
        )

    def redirect(self, path: str) -> RedirectResponse:
        """After a POST: see the result with a GET (303)."""
        return RedirectResponse(path, status_code=303)

    def url(self, name: str, **params: Any) -> str:
        """The path of a named desk route."""
        return str(self.request.app.url_path_for(name, **params))


Handler = Callable[[Page], Awaitable[Response]]
PublicHandler = Callable[[Request, "Desk"], Awaitable[Response]]


def secure_headers(response: Response, csp: str = PAGE_CSP) -> Response:
    """The headers every desk response carries."""
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The sign-in link carries a token in its path: never send it to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
        response.headers["X-Frame-Options"] = "DENY"
    return response


async def read_form(request: Request, limit: int) -> Form:
    """The url-encoded form of a POST, refusing a body over ``limit`` bytes (FormTooLarge)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FormTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise FormTooLarge
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        # An upload: the body (already bounded) is kept on the request, so the handler's
        # ``await request.form()`` reads it again; its text fields (the CSRF token) are the Form.
        request._body = bytes(body)
        try:
            parsed = await request.form(max_files=1, max_fields=20)
        except Exception:  # a malformed body: no fields, so the CSRF check refuses it
            return Form()
        return Form({k: [v] for k, v in parsed.multi_items() if isinstance(v, str)})
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return Form()
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return Form(fields)


class Desk:
    """The web desk over the bot's services: templates, the guard, the page makers."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services
        self.templates = make_environment(services.settings)

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.settings.desk_idle_minutes)

    @property
    def secure_cookie(self) -> bool:
        """Secure cookies when officers reach the desk over https."""
        return (self.settings.web_base_url or "").lower().startswith("https://")

    def render(
        self,
        request: Request,
        template: str,
        *,
        status: int = 200,
        officer: DeskOfficer | None = None,
        **values: Any,
    ) -> HTMLResponse:
        """Render a template to a response with the desk's headers."""
        context = {
            "request": request,
            "officer": officer,
            "csrf": officer.csrf if officer is not None else "",
            **values,
        }
        html = self.templates.get_template(template).render(context)
        return HTMLResponse(html, status_code=status)

    def error(
        self,
        request: Request,
        message: str,
        *,
        status: int = 400,
        officer: DeskOfficer | None = None,
        back: str | None = None,
    ) -> HTMLResponse:
        """The Persian message page, and nothing else."""
        return self.render(
            request, "message.html", status=status, officer=officer, message=message, back=back
        )

    def signed_out_page(self, request: Request) -> HTMLResponse:
        """What a request without a live session gets: how to sign in, and nothing else."""
        return self.error(
            request,
            _(
                "Your session has ended or you are not signed in. In the bot, open the officer "
                "menu and press «🖥 Web desk» for a new sign-in link."
            ),
            status=401,
        )

    async def current_officer(self, request: Request) -> DeskOfficer | None:
        """The officer of the request's session, checked now (None: no live session)."""
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        services = self.services
        return await session_officer(services.store, services.clock, token, self.idle)

    def page(
        self, handler: Handler, *, max_body: int = FORM_LIMIT
    ) -> Callable[[Request], Awaitable[Response]]:
        """An officer's page: a live session, CSRF on POST, a bounded form, secure headers."""

        async def endpoint(request: Request) -> Response:
            officer = await self.current_officer(request)
            if officer is None:
                response: Response = self.signed_out_page(request)
                response.delete_cookie(COOKIE, path="/")
                return secure_headers(response)
            form = Form()
            if request.method not in SAFE_METHODS:
                try:
                    form = await read_form(request, max_body)
                except FormTooLarge:
                    return secure_headers(
                        self.error(
                            request, _("What was sent is too large."), status=413, officer=officer
                        )
                    )
                sent = form.get("csrf") or request.headers.get("x-csrf-token", "")
                if not hmac.compare_digest(sent.encode(), officer.csrf.encode()):
                    LOGGER.warning("Web desk: a form without a valid CSRF token was refused")
                    return secure_headers(
                        self.error(
                            request,
                            _(
                                "This form has expired or was not sent from the desk. Open the "
                                "page again and repeat."
                            ),
                            status=403,
                            officer=officer,
                        )
                    )
            try:
                response = await handler(Page(request, self, officer, form))
            except NotAllowed:
                # Removed between the guard and the service: as if the session had ended.
                return secure_headers(self.signed_out_page(request))
            except Exception:
                LOGGER.exception("Web desk: %s %s failed", request.method, request.url.path)
                return secure_headers(
                    self.error(
                        request,
                        _("Something went wrong. Open the page again to see what was saved."),
                        status=500,
                        officer=officer,
                    )
                )
            return secure_headers(
                response, response.headers.get("Content-Security-Policy", PAGE_CSP)
            )

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    def public(self, handler: PublicHandler) -> Callable[[Request], Awaitable[Response]]:
        """A page anyone may open (sign-in): secure headers, no session needed."""

        async def endpoint(request: Request) -> Response:
            return secure_headers(await handler(request, self))

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint
