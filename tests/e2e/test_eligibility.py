"""The eligibility check, walked by simulated citizens through the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from botapi_emulator import BotMessage, Citizen, Emulator
from conversations.eligibility import ANSWERS_KEY
from handlers.menu import MenuItem, label
from handlers.start import help_text
from tests.conftest import RunningBot
from tests.e2e.process import BotProcess
from tests.e2e.test_foundation import assert_persian
from tests.settle import store_settled
from texts.formatting import format_toman_short
from texts.i18n import _

YES, NO = "بله", "خیر"
BACK, CANCEL = _("↩️ Back"), _("✖️ Cancel")
APPLY = "شروع ثبت‌نام با همین پاسخ‌ها"
OTHER_SUPPORTING = "شرایط طرح پشتیبان را هم بررسی کن"


class Walk:
    """A citizen's walk through the check, counting taps (button presses + typed messages)."""

    def __init__(self, citizen: Citizen) -> None:
        self.citizen = citizen
        self.taps = 0

    async def press(self, text: str) -> str:
        """Press a button; the text of the newest bot message."""
        self.taps += 1
        await self.citizen.presses(text)
        return self.citizen.last_text or ""

    async def type(self, text: str) -> str:
        """Type a message; the text of the newest bot message."""
        self.taps += 1
        await self.citizen.says(text)
        return self.citizen.last_text or ""

    async def begin(self) -> str:
        """/start (not counted), then the menu's eligibility button."""
        await self.citizen.sends_command("/start")
        return await self.press(label(MenuItem.ELIGIBILITY))

    async def up_to_activity(self, birth_year: str = "۱۳۷۰", gender: str = "زن") -> str:
        """An Iranian adult living in Khorramabad, Lorestan: stops at the activity step."""
        await self.press(YES)
        await self.type(birth_year)
        await self.press(gender)
        await self.press(YES)
        return await self.press("خرم‌آباد")

    async def at_activity(
        self, bot: RunningBot, birth_year: int = 1991, gender: str = "woman"
    ) -> str:
        """The answers ``up_to_activity`` gives, seeded in the citizen's data where the check
        keeps them; then the menu's eligibility button resumes the check at the activity step.
        The walk there is test_eligible_independent_applicant's (and the shortest path's)."""
        await self.citizen.sends_command("/start")
        bot.application.user_data[self.citizen.user_id][ANSWERS_KEY] = {
            "iranian": True,
            "birth_year": birth_year,
            "gender": gender,
            "resident_in_province": True,
            "county": "khorramabad",
        }
        asked = await self.press(label(MenuItem.ELIGIBILITY))
        assert asked.startswith("گام ۶ از"), asked  # the activity
        return asked

    async def pick_in_group(self, group: str, activity: str) -> str:
        """Browse a group, turning pages until the activity shows."""
        await self.press(group)
        while not any(activity in row for row in self.citizen.buttons):
            await self.press(_("Next ▶️"))
        return await self.press(activity)


def answers_of(bot: RunningBot, citizen: Citizen) -> dict[str, Any]:
    stored: dict[str, Any] = bot.application.user_data[citizen.user_id][ANSWERS_KEY]
    return stored


def verdict_of(citizen: Citizen) -> BotMessage:
    message = citizen.last_message
    assert message is not None and message.text is not None
    assert message.text.startswith(_("The result of your eligibility check:")), message.text
    return message


def assert_all_persian(citizen: Citizen) -> None:
    for message in citizen.messages:
        assert_persian(message.text)
        for row in message.buttons:
            for text in row:
                assert_persian(text)
        for inline_row in message.inline_buttons:
            for text, _data in inline_row:
                assert_persian(text)


def line_with(text: str, start: str) -> str:
    lines = [line for line in text.splitlines() if start in line]
    assert lines, f"no line with {start!r} in {text!r}"
    return lines[0]


async def test_eligible_independent_applicant(citizen: Citizen, bot: RunningBot) -> None:
    walk = Walk(citizen)
    first = await walk.begin()
    assert "گام ۱ از" in first and "ایران" in first
    assert citizen.buttons[-1] == [CANCEL]  # no back on the first step
    await walk.up_to_activity()
    await walk.pick_in_group("صنایع دستی", "گلیم‌بافی")
    assert answers_of(bot, citizen)["activity"] == "kilim"
    await walk.press("بله، دارم")
    await walk.press(NO)  # not a government employee
    await walk.press("مستقل")
    await walk.press(NO)  # no loan from another body
    await walk.press(NO)  # no bad debt
    await walk.press(YES)  # has the skills certificate
    await walk.press("ملک خودمان یا خانواده است")

    verdict = verdict_of(citizen)
    text = verdict.text or ""
    assert "✅ مجوز کسب‌وکار خانگی: واجد شرایط" in text
    assert "✅ وام طرح مستقل: واجد شرایط" in text
    # Only the plan she asked about: no supporting verdict, no ۵-billion cap she never asked for.
    assert "وام طرح پشتیبان" not in text and "میلیارد" not in text
    assert "سقف وام: ۲۰۰ میلیون تومان" in text
    assert format_toman_short(2_000_000_000) == "۲۰۰ میلیون تومان"
    for document in ("کارت ملی", "شناسنامه", "گواهی مهارت", "مدرک محل سکونت"):
        assert f"• {document}" in text
    assert "اجاره‌نامه" not in text and "کارت پایان خدمت" not in text
    assert (APPLY, "apply:from_check") in verdict.inline_buttons[0]
    assert answers_of(bot, citizen) == {
        "iranian": True,
        "birth_year": 1991,
        "gender": "woman",
        "resident_in_province": True,
        "county": "khorramabad",
        "activity": "kilim",
        "permit": "yes",
        "government_employee": "no",
        "plan": "independent",
        "other_body_loan": False,
        "bad_debt": False,
        "skills_certificate": True,
        "health_certificate": None,
        "home_rented": False,
        "criminal_record": None,
        "experience_years": None,
        "own_contribution": None,
        "covered_workers": None,
    }
    # The conversation ended: the verdict's buttons belong to the application and the menu.
    persistence = bot.application.persistence
    assert persistence is not None
    conversations = await persistence.get_conversations("eligibility")
    assert conversations.get((citizen.user_id, citizen.user_id)) is None
    replies = await citizen.presses("بازگشت به منوی اصلی")
    assert replies[-1].buttons and citizen.last_callback_answer is not None
    assert walk.taps == 15
    assert_all_persian(citizen)


async def test_independent_applicant_is_offered_the_supporting_plan_as_a_next_step(
    citizen: Citizen, bot: RunningBot
) -> None:
    """Issue 8.4: no verdict for a loan nobody asked about; the other plan is a button."""
    walk = Walk(citizen)
    await walk.at_activity(bot, birth_year=1985)
    await walk.type("برنامه‌نویسی")
    await walk.press("بله، دارم")
    await walk.press(NO)  # not a government employee
    await walk.press("مستقل")
    await walk.press(NO)
    await walk.press(NO)
    await walk.press("ملک خودمان یا خانواده است")
    verdict = verdict_of(citizen)
    text = verdict.text or ""
    assert "✅ وام طرح مستقل: واجد شرایط" in text
    assert "طرح پشتیبان" not in text and "۵ میلیارد" not in text
    assert (OTHER_SUPPORTING, "elg:other") in [b for row in verdict.inline_buttons for b in row]

    asked = await walk.press(OTHER_SUPPORTING)  # only the supporting plan's own questions
    assert "سوء پیشینه" in asked
    assert answers_of(bot, citizen)["plan"] == "both"
    await walk.press(NO)  # no criminal record
    await walk.type("۳")
    await walk.press(YES)
    await walk.type("۱۰")
    text = verdict_of(citizen).text or ""
    assert "✅ وام طرح مستقل: واجد شرایط" in text
    assert "✅ وام طرح پشتیبان: واجد شرایط" in text
    assert OTHER_SUPPORTING not in str(citizen.last_message and citizen.last_message.inline_buttons)
    # The first verdict's button is spent: it answers, and changes nothing.
    assert await citizen.sends_callback(verdict.message_id, "elg:other") == []
    assert citizen.last_callback_answer is not None
    assert citizen.last_callback_answer["text"] == _(
        "This button is no longer active. Please use the menu."
    )
    assert answers_of(bot, citizen)["covered_workers"] == 10
    assert_all_persian(citizen)


async def test_under_age_citizen_is_not_advised_a_plan_she_fails(
    citizen: Citizen, bot: RunningBot
) -> None:
    """Issue 8.3: a 16-year-old is told when she can apply, never «apply for X now»."""
    walk = Walk(citizen)
    await walk.begin()
    await walk.press(YES)
    this_year = bot.application.services.now().year
    await walk.type(str(this_year - 16))
    text = verdict_of(citizen).text or ""
    assert text.count("❌") == 3
    assert "اکنون" not in text and "همچنان" not in text
    assert _("You can apply for an independent plan now.") not in text
    assert "وقتی ۱۸ ساله شدید" in text and "وقتی ۲۰ ساله شدید" in text
    assert "سقف وام" not in text and "مدارکی که" not in text
    assert APPLY not in str(citizen.last_message and citizen.last_message.inline_buttons)
    assert_all_persian(citizen)


async def test_government_employee_keeps_the_permit_not_the_loan(
    citizen: Citizen, bot: RunningBot
) -> None:
    walk = Walk(citizen)
    await walk.at_activity(bot, gender="man")
    await walk.pick_in_group("صنایع دستی", "قلم‌زنی")
    await walk.press("بله، دارم")
    await walk.press("بله، کارمند دولت هستم")
    # No loan questions for an employee: straight to the home.
    assert "اجاره" in (citizen.last_text or "")
    await walk.press("اجاره‌ای است")

    text = verdict_of(citizen).text or ""
    assert "✅ مجوز کسب‌وکار خانگی: واجد شرایط" in text
    assert "❌ وام طرح مستقل: فاقد شرایط" in text
    assert "❌ وام طرح پشتیبان: فاقد شرایط" in text
    assert "• " + _("Government employees cannot receive a home-business loan.") in text
    assert _("You can still get the permit; retired employees may apply for the loan.") in text
    assert "سقف وام" not in text
    # A man renting his home: military card, lease and the owner's consent.
    for document in ("کارت پایان خدمت یا معافیت", "اجاره‌نامه", "رضایت‌نامه مالک"):
        assert f"• {document}" in text
    assert answers_of(bot, citizen)["government_employee"] == "yes"
    assert answers_of(bot, citizen)["plan"] is None
    assert_all_persian(citizen)


async def test_supporting_plan_asks_more_and_reads_persian_digits(
    citizen: Citizen, bot: RunningBot
) -> None:
    walk = Walk(citizen)
    await walk.at_activity(bot, birth_year=1985)
    await walk.type("گلیم")
    await walk.press("بله، دارم")
    await walk.press(NO)
    await walk.press("پشتیبان")
    await walk.press(NO)
    await walk.press(NO)
    await walk.press(YES)
    await walk.press("ملک خودمان یا خانواده است")
    assert "سوء پیشینه" in (citizen.last_text or "")
    await walk.press(NO)  # no criminal record
    asked = await walk.type("۳")  # years of experience
    assert "آورده" in asked
    asked = await walk.press(YES)  # own contribution
    assert "گام ۱۷ از ۱۷" in asked and "کارکن" in asked
    await walk.type("۱۲")

    stored = answers_of(bot, citizen)
    assert stored["covered_workers"] == 12 and stored["experience_years"] == 3
    assert stored["birth_year"] == 1985 and stored["plan"] == "supporting"
    text = verdict_of(citizen).text or ""
    assert "✅ وام طرح پشتیبان: واجد شرایط" in text
    cap = 10_000_000_000 + 12 * 1_600_000_000
    assert f"سقف وام: {format_toman_short(cap)}" in text
    for document in ("گواهی عدم سوء پیشینه", "مدرک سابقه کار", "فهرست کارکنان خانگی تحت پوشش"):
        assert f"• {document}" in text
    assert_all_persian(citizen)


async def test_activity_typed_with_arabic_yeh_and_a_closed_activity(
    citizen: Citizen, bot: RunningBot
) -> None:
    walk = Walk(citizen)
    await walk.begin()
    await walk.up_to_activity()
    asked = await walk.type("قالي")  # Arabic ي: finds قالیبافی, the only match
    assert answers_of(bot, citizen)["activity"] == "carpet"
    assert "مجوز" in asked
    await walk.press("بله، دارم")
    # Closed to loans: no employment or loan questions.
    await walk.press("ملک خودمان یا خانواده است")

    text = verdict_of(citizen).text or ""
    assert "✅ مجوز کسب‌وکار خانگی: واجد شرایط" in text
    assert "❌ وام طرح مستقل: فاقد شرایط" in text
    assert "بسته" in line_with(text, "۱۴۰۴")  # «closed to new loans in ۱۴۰۴»
    assert walk.taps == 9  # the shortest path without a knock-out
    assert_all_persian(citizen)


async def test_tailoring_by_group_browsing_blocks_only_the_loans(
    citizen: Citizen, bot: RunningBot
) -> None:
    walk = Walk(citizen)
    await walk.at_activity(bot)
    await walk.press("تولیدی و خدماتی")
    assert "صفحهٔ ۱ از" in (citizen.last_text or "")
    await walk.press(BACK)  # back from a group: the groups again
    assert "گروه آن را" in (citizen.last_text or "")
    await walk.pick_in_group("تولیدی و خدماتی", "خیاطی")
    assert answers_of(bot, citizen)["activity"] == "tailoring"
    await walk.press("بله، دارم")
    await walk.press("اجاره‌ای است")
    text = verdict_of(citizen).text or ""
    assert "✅ مجوز کسب‌وکار خانگی: واجد شرایط" in text
    assert "❌ وام طرح مستقل: فاقد شرایط" in text
    assert "❌ وام طرح پشتیبان: فاقد شرایط" in text
    assert_all_persian(citizen)


async def test_activity_search_several_and_none(citizen: Citizen, bot: RunningBot) -> None:
    walk = Walk(citizen)
    await walk.at_activity(bot)
    asked = await walk.type("پرورش")
    assert "«پرورش»" in asked
    assert any("پرورش مرغ بومی" in row for row in citizen.buttons)
    asked = await walk.type("هواپیما")
    assert "«هواپیما»" in asked and "پیدا نشد" in asked
    assert any("صنایع دستی" in row for row in citizen.buttons)
    await walk.type("عسل")
    assert answers_of(bot, citizen)["activity"] == "honey"
    assert_all_persian(citizen)


async def test_wrong_year_and_back(citizen: Citizen, bot: RunningBot) -> None:
    walk = Walk(citizen)
    await walk.begin()
    asked = await walk.press(YES)
    assert "گام ۲ از" in asked
    asked = await walk.type("نمی‌دانم")
    assert (
        _(
            "That is not a birth year I can use. Please type the year in digits, "
            "for example 1375 or 1996."
        )
        in asked
    )
    assert "گام ۲ از" in asked  # the same question again
    asked = await walk.type("۳۰۰۰")
    assert "قابل قبول نیست" in asked
    assert answers_of(bot, citizen)["birth_year"] is None
    asked = await walk.type("۱۳۷۵")
    assert "گام ۳ از" in asked and answers_of(bot, citizen)["birth_year"] == 1996
    asked = await walk.press(BACK)
    assert "گام ۲ از" in asked and "سال تولد" in asked
    assert answers_of(bot, citizen)["birth_year"] is None
    await walk.type("1990")
    asked = await walk.press("مرد")
    assert "گام ۴ از" in asked
    # Older question messages lost their buttons: only the live question can be answered.
    assert [m.message_id for m in citizen.messages[:-1] if m.inline_buttons] == []
    assert_all_persian(citizen)


async def test_cancel_mid_way_then_continue(citizen: Citizen, bot: RunningBot) -> None:
    walk = Walk(citizen)
    await walk.begin()
    await walk.press(YES)
    replies = await citizen.sends_command("/cancel")
    assert replies[-1].text == _("Cancelled. Your answers so far are saved. Here is the main menu.")
    assert replies[-1].buttons[0][0] == label(MenuItem.ELIGIBILITY)
    replies = await citizen.says("۱۳۷۰")  # no longer in the check
    assert replies[-1].text == _(
        "Sorry, I did not understand that. Please choose one of the menu buttons below."
    )
    asked = await walk.press(label(MenuItem.ELIGIBILITY))
    assert asked.startswith("گام ۲ از") and "خوش برگشتید" in asked
    await walk.press(CANCEL)
    assert citizen.last_text == _(
        "Cancelled. Your answers so far are saved. Here is the main menu."
    )
    assert_all_persian(citizen)


async def test_menu_button_mid_way_opens_that_section(citizen: Citizen, bot: RunningBot) -> None:
    walk = Walk(citizen)
    await walk.begin()
    await walk.press(YES)
    replies = await citizen.says(label(MenuItem.HELP))
    assert replies[-1].text == help_text()
    replies = await citizen.says("۱۳۷۰")
    assert replies[-1].text == _(
        "Sorry, I did not understand that. Please choose one of the menu buttons below."
    )
    assert_all_persian(citizen)


async def test_knock_out_and_check_command(citizen: Citizen, bot: RunningBot) -> None:
    await citizen.sends_command("/start")
    replies = await citizen.sends_command("/check")
    assert "گام ۱ از" in (replies[-1].text or "")
    walk = Walk(citizen)
    await walk.press(NO)  # not Iranian: the verdict at once
    text = verdict_of(citizen).text or ""
    assert text.count("❌") == 3
    assert text.count(_("The programme is for Iranian citizens only.")) == 3
    assert APPLY not in str(citizen.last_message and citizen.last_message.inline_buttons)
    assert walk.taps + 1 == 2  # menu button + one answer
    assert_all_persian(citizen)


async def test_longest_path(citizen: Citizen, bot: RunningBot) -> None:
    """A supporting plan for a food activity that needs a skills certificate: every question."""
    walk = Walk(citizen)
    await walk.begin()
    await walk.up_to_activity(gender="مرد")
    await walk.pick_in_group("فرآوری محصولات کشاورزی و عشایری", "نان محلی")
    await walk.press("درخواست داده‌ام، در جریان است")
    await walk.press("بازنشسته هستم")
    asked = await walk.press("هر دو")
    assert "کمیته امداد" in asked
    await walk.press(NO)
    await walk.press(NO)
    await walk.press(YES)  # skills certificate
    await walk.press(NO)  # health certificate
    await walk.press("اجاره‌ای است")
    await walk.press(NO)
    await walk.type("1")  # too little experience
    await walk.press(NO)  # no own contribution
    await walk.type("٤")  # Arabic-Indic four
    text = verdict_of(citizen).text or ""
    assert "⚠️ مجوز کسب‌وکار خانگی" in text  # health sign-off
    assert "⚠️ وام طرح مستقل" in text
    assert "❌ وام طرح پشتیبان" in text
    assert "گواهی سلامت" in text
    assert len(text) < 4096
    steps = 18
    assert walk.taps == 1 + steps + 1  # menu, answers, and the group before the activity
    assert_all_persian(citizen)


async def test_kill_9_mid_check_continues_at_the_same_step(
    emulator: Emulator, tmp_path: Path
) -> None:
    bot = BotProcess(emulator, tmp_path / "data")
    await bot.start()
    citizen = Citizen(
        emulator.url,
        user_id=5151,
        first_name="زهرا",
        settle=store_settled(tmp_path / "data" / "homebiz.db"),
    )
    try:
        await citizen.sends_command("/start", timeout=30)
        await citizen.presses(label(MenuItem.ELIGIBILITY), timeout=30)
        await citizen.presses(YES, timeout=30)
        assert "گام ۲ از" in (citizen.last_text or "")

        await bot.kill()
        await bot.start()

        await citizen.says("۱۳۶۸", timeout=30)
        assert "گام ۳ از" in (citizen.last_text or "")
        await citizen.presses("زن", timeout=30)
        assert "گام ۴ از" in (citizen.last_text or "") and "لرستان" in (citizen.last_text or "")
        assert_all_persian(citizen)
    finally:
        await citizen.close()
        await bot.stop()
