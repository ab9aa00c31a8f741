"""One form for what the bot shows back: buttons it names, tracking codes, typed text, phones.

Issue 8, items 7 to 10, walked by citizens and an officer through the emulator.
"""

from __future__ import annotations

import re

from botapi_emulator import Citizen
from domain.statuses import ApplicationStatus as S
from handlers.menu import MenuItem, label
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from tests.e2e.application_walk import identity, national_code, open_application, upload_all
from tests.e2e.test_eligibility import Walk
from tests.e2e.test_foundation import assert_persian
from tests.e2e.test_officer_desk import move_button, officer_opens, wait_text
from tests.e2e.test_tracking import _no_quiet_hours, submitted_application
from texts.formatting import format_tracking_code
from texts.i18n import _

__all__ = ["_no_quiet_hours"]  # the autouse fixture applies here too

LATIN_DIGIT = re.compile(r"[0-9]")
# A tracking code in any shown form: eight Persian digits, perhaps split by a dash or space.
SHOWN_CODE = re.compile(r"(?<![۰-۹])[۰-۹]{4}[-\s]?[۰-۹]{4}(?![۰-۹])")


async def test_no_application_names_the_real_apply_button(citizen: Citizen) -> None:
    """Item 7: «ثبت درخواست» is no button; the menu's own label is named."""
    menu = (await citizen.sends_command("/start"))[-1]
    assert label(MenuItem.APPLY) in [text for row in menu.buttons for text in row]
    replies = await citizen.says(label(MenuItem.TRACK))
    text = replies[0].content
    assert f"«{label(MenuItem.APPLY)}»" in text and "«ثبت درخواست»" not in text


async def test_one_tracking_code_form_everywhere_and_lookup_takes_any(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    """Items 8 and 9: confirmation, officer's card, notice and tracking show one form; the activity
    search echoes «۲۰۰ میلیون» as typed, not «200 میلیون»; lookup accepts a dashed Latin code."""
    citizen = await make_citizen()
    await open_application(citizen)
    code = national_code(41)
    await identity(citizen, code)
    await citizen.presses(_("Woman"))
    await citizen.presses("خرم‌آباد")
    await citizen.presses(_("No"))
    echoed = (await citizen.says("۲۰۰ میلیون"))[-1].content
    assert "«۲۰۰ میلیون»" in echoed and not LATIN_DIGIT.search(echoed)
    await citizen.says("گلیم")
    await citizen.presses("گلیم‌بافی")
    await citizen.presses(_("Independent plan"))
    await citizen.says("۲۰۰ میلیون")
    await upload_all(citizen, 5)
    await citizen.presses(_("➡️ Review and submit"))
    confirmation = (await citizen.presses(_("✅ Confirm and submit")))[-1].content
    store = bot.application.services.store
    (app,) = [
        a
        for a in await store.applications.list_for_citizen(
            (await store.citizens.get_by_platform_user("telegram", citizen.user_id)).id  # type: ignore[union-attr]
        )
    ]
    assert app.tracking_code is not None
    shown = format_tracking_code(app.tracking_code)
    officer = await make_citizen(user_id=OFFICER_ID)
    card = (await officer_opens(officer, shown))[-1].content
    await officer.presses(move_button(S.UNDER_REVIEW))
    await officer.presses(_("No note"))
    notice = (await wait_text(citizen, "در حال بررسی")).content
    tracking = (await citizen.says(label(MenuItem.TRACK)))[0].content
    for text in (confirmation, card, notice, tracking):
        assert SHOWN_CODE.findall(text) == [shown], text
        assert_persian(text)

    stranger = await make_citizen()
    await stranger.sends_command("/start")
    await stranger.says(label(MenuItem.TRACK))
    await stranger.presses(_("🔑 Look up by tracking code"))
    dashed = f"{app.tracking_code[:4]}-{app.tracking_code[4:]}"
    await stranger.says(dashed)
    found = (await stranger.says(code))[-1].content
    assert SHOWN_CODE.findall(found) == [shown]


async def test_typed_search_in_the_check_is_echoed_with_persian_digits(
    citizen: Citizen, bot: RunningBot
) -> None:
    """Item 9: the check's activity search."""
    walk = Walk(citizen)
    await walk.begin()
    await walk.up_to_activity()
    asked = await walk.type("هواپیما 200")
    assert "«هواپیما ۲۰۰»" in asked and not LATIN_DIGIT.search(asked)


async def test_the_officer_sees_the_citizens_phone_form_and_a_branch_named_once(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    """Item 10: «۰۹۱۲…» on the card, not «+۹۸۹۱۲…»; «شعبه مرکزی» typed gives «شعبهٔ مرکزی»."""
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=43, phone="+989161234567")
    assert app.tracking_code is not None
    card = (await officer_opens(officer, app.tracking_code))[-1].content
    assert "۰۹۱۶۱۲۳۴۵۶۷" in card and "+" not in card

    await officer.presses(move_button(S.UNDER_REVIEW))
    await officer.presses(_("No note"))
    await officer.presses(move_button(S.APPROVED))
    await officer.presses(_("No note"))
    await officer.presses(move_button(S.INTRODUCED_TO_BANK))
    await officer.presses("ملت")
    replies = await officer.says("شعبه مرکزی 12")
    notice = (await wait_text(citizen, "معرفی شد")).content
    card = replies[-1].content
    timeline = (await citizen.says(label(MenuItem.TRACK)))[0].content
    for text in (notice, card, timeline):
        assert "شعبهٔ مرکزی ۱۲" in text and "شعبهٔ شعبه" not in text, text
    stored = await bot.application.services.store.applications.get(app.id)
    assert stored is not None and stored.bank_branch == "مرکزی 12"
