"""Signing in from the bot's link, and signing out.

GET /signin/<token> only shows a button (a messenger's link preview must not use the link);
the button POSTs the token, which opens the session: cookie HttpOnly, SameSite=Strict, Secure
over https. A wrong, used or expired link gets the Persian message page and nothing else.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from desk.web import COOKIE, FORM_LIMIT, Desk, FormTooLarge, Page, read_form
from services.desk_auth import link_is_live, open_link, sign_out
from texts.i18n import _


def _bad_link(request: Request, desk: Desk) -> Response:
    return desk.error(
        request,
        _(
            "This sign-in link is wrong, used or expired. In the bot, press «🖥 Web desk» "
            "for a new one."
        ),
        status=403,
    )


async def signin_form(request: Request, desk: Desk) -> Response:
    """The link's page: one button that signs in (the link is used only when pressed)."""
    token = str(request.path_params["token"])
    if not await link_is_live(desk.store, desk.services.clock, token):
        return _bad_link(request, desk)
    return desk.render(request, "signin.html", token=token)


async def signin(request: Request, desk: Desk) -> Response:
    """Use the link: a session starts and the dashboard opens."""
    try:
        form = await read_form(request, FORM_LIMIT)
    except FormTooLarge:
        return _bad_link(request, desk)
    signed_in = await open_link(desk.store, desk.services.clock, form.get("token"))
    if signed_in is None:
        return _bad_link(request, desk)
    response = RedirectResponse(str(request.app.url_path_for("dashboard")), status_code=303)
    response.set_cookie(
        COOKIE,
        signed_in.token,
        max_age=desk.settings.desk_idle_minutes * 60 * 48,  # the store ends it when idle
        path="/",
        httponly=True,
        samesite="strict",
        secure=desk.secure_cookie,
    )
    return response


async def signout(page: Page) -> Response:
    """«Sign out»: the session ends and its cookie goes."""
    await sign_out(page.desk.store, page.officer)
    response = page.desk.error(page.request, _("You have signed out of the web desk."), status=200)
    response.delete_cookie(COOKIE, path="/")
    return response


def routes(desk: Desk) -> list[BaseRoute]:
    return [
        Route("/signin/{token}", desk.public(signin_form), methods=["GET"], name="signin"),
        Route("/signin", desk.public(signin), methods=["POST"], name="signin_post"),
        Route("/signout", desk.page(signout), methods=["POST"], name="signout"),
    ]
