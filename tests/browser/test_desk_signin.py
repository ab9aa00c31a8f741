"""Signing in to the desk from the bot's link, in Chromium; and what is refused."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import desk_url, sign_in_link
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from texts.i18n import _


async def test_an_officer_signs_in_once_and_out(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    officer = await make_citizen(user_id=OFFICER_ID)
    link = await sign_in_link(officer)

    await page.goto(link)
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.click("#enter")
    await page.wait_for_url(desk_url(bot) + "/")
    assert _("Dashboard") in await page.inner_text("h1")
    cookies = await page.context.cookies()
    session = next(c for c in cookies if c["name"] == "desk_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict" and not session["secure"]
    response = await page.goto(desk_url(bot) + "/")
    assert response is not None
    assert "default-src 'none'" in response.headers["content-security-policy"]

    # The link worked once: opened again, it is a Persian error page and nothing else.
    again = await page.goto(link)
    assert again is not None and again.status == 403
    assert "پیوند ورود نادرست است" in await page.inner_text("main")

    await page.goto(desk_url(bot) + "/")
    await page.click("form.signout button")
    assert _("You have signed out of the web desk.") in await page.inner_text("main")
    after = await page.goto(desk_url(bot) + "/applications")
    assert after is not None and after.status == 401


async def test_a_citizen_gets_no_link_and_a_made_up_one_opens_nothing(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    replies = await citizen.sends_command("/officer")
    assert not any("/signin/" in m.content for m in replies)
    response = await page.goto(desk_url(bot) + "/signin/made-up-token")
    assert response is not None and response.status == 403
    assert await page.query_selector("form.signout") is None
    response = await page.goto(desk_url(bot) + "/")
    assert response is not None and response.status == 401
