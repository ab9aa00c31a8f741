"""What the desk refuses, in Chromium: a forged form, another officer's stale form, a forged id,
a huge form, and a removed officer's session. Each gets a Persian page and changes nothing."""

from __future__ import annotations

from typing import Any

from domain.statuses import ApplicationStatus as S
from services.desk_auth import token_hash
from tests.browser.conftest import desk_url, sign_in_link, signed_in
from tests.conftest import CitizenFactory, RunningBot
from tests.e2e.test_tracking import submitted_application
from texts.notifications import status_label


async def test_forged_and_stale_forms_change_nothing(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    store = bot.application.services.store
    citizen = await make_citizen()
    app = await submitted_application(bot, citizen.user_id, seed=51)
    await signed_in(bot, page, f"/applications/{app.id}")
    base = desk_url(bot)

    # A form posted without the page's CSRF token (another site, a script): refused.
    forged = await page.request.post(
        f"{base}/applications/{app.id}/move",
        form={"csrf": "forged", "seen": S.SUBMITTED.value, "to": S.UNDER_REVIEW.value},
    )
    assert forged.status == 403 and "فرم" in await forged.text()
    missing = await page.request.post(
        f"{base}/applications/{app.id}/move",
        form={"seen": S.SUBMITTED.value, "to": S.REJECTED.value, "reason": "x"},
    )
    assert missing.status == 403

    # Two tabs on the same application: one moves it, the other's form is stale.
    other = await page.context.new_page()
    await other.goto(f"{base}/applications/{app.id}")
    await page.locator(f"#move-{S.UNDER_REVIEW.value} button").click()
    assert status_label(S.UNDER_REVIEW) in await page.inner_text("#status")
    rejected = other.locator(f"#move-{S.REJECTED.value}")
    await rejected.locator("textarea[name=reason]").fill("مدارک ناقص است")
    other.on("dialog", lambda dialog: dialog.accept())
    await rejected.locator("button").click()
    assert "در این میان تغییر کرده است" in await other.inner_text("main")
    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.UNDER_REVIEW

    # A forged id, a forged document id, a huge form: Persian pages, nothing else.
    response = await page.goto(f"{base}/applications/987654")
    assert response is not None and response.status == 404
    response = await page.goto(f"{base}/documents/987654")
    assert response is not None and response.status == 404
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    huge = await page.request.post(
        f"{base}/applications/{app.id}/move",
        form={"csrf": csrf or "", "seen": S.UNDER_REVIEW.value, "reason": "x" * 200_000},
    )
    assert huge.status == 413
    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.UNDER_REVIEW
    timeline = await store.status_events.timeline(app.id)
    assert [e.to_status for e in timeline] == [S.SUBMITTED, S.UNDER_REVIEW]


async def test_a_removed_officer_is_signed_out_and_gets_no_new_link(
    bot: RunningBot, make_citizen: CitizenFactory, page: Any
) -> None:
    store = bot.application.services.store
    platform = bot.settings.bot_platform.value
    await store.officers.add(platform, 777001, "test", name="Reza")
    officer = await make_citizen(user_id=777001)
    await page.goto(await sign_in_link(officer))
    await page.click("#enter")
    await page.wait_for_url(desk_url(bot) + "/")
    cookie = next(c for c in await page.context.cookies() if c["name"] == "desk_session")

    await store.officers.remove(platform, 777001, "test")
    response = await page.goto(desk_url(bot) + "/applications")
    assert response is not None and response.status == 401
    assert "نشست شما پایان یافته" in await page.inner_text("main")
    session = await store.desk.session(token_hash(cookie["value"]))
    assert session is not None and session.ended_at is not None
    # Back in the bot, the menu and its link are gone for them.
    replies = await officer.sends_command("/officer")
    assert not any("/signin/" in m.content for m in replies)
