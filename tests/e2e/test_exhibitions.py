"""Exhibitions, booth requests, subscriptions and announcements, through the emulator."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from botapi_emulator import Citizen, Emulator
from config.settings import Settings
from domain.exhibitions import BoothStatus, ExhibitionDraft, ExhibitionKind
from domain.statuses import ApplicationStatus, PlanType
from storage import Store
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot, make_settings
from texts.formatting import format_jalali_date

EXHIBITIONS = "🛍 نمایشگاه‌ها"
NOTIFICATIONS = "🔔 تنظیم اطلاع‌رسانی"
BOOTH = "درخواست غرفه"


@pytest.fixture
def settings(emulator: Emulator, tmp_path: Path) -> Settings:
    # No quiet hours (tests run at any hour); progress edited often.
    return make_settings(
        emulator,
        tmp_path / "data",
        quiet_hours_start=0,
        quiet_hours_end=0,
        broadcast_progress_seconds=0.2,
        outbox_rate_per_second=500,
    )


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Tehran")).date()


def _draft(title: str, **changes: object) -> ExhibitionDraft:
    today = _today()
    values: dict[str, object] = {
        "title": title,
        "kind": ExhibitionKind.SEASONAL,
        "county": "khorramabad",
        "venue": "سالن شهدا",
        "starts_on": today + timedelta(days=10),
        "ends_on": today + timedelta(days=14),
        "booth_deadline": today + timedelta(days=5),
    }
    values.update(changes)
    return ExhibitionDraft.model_validate(values)


def _store(bot: RunningBot) -> Store:
    return bot.application.services.store


async def _citizen_id(store: Store, citizen: Citizen) -> int:
    found = await store.citizens.get_by_platform_user("telegram", citizen.user_id)
    assert found is not None
    return found.id


async def test_booth_request_rules(bot: RunningBot, make_citizen: CitizenFactory) -> None:
    store = _store(bot)
    yalda = await store.exhibitions.create(_draft("بازارچهٔ یلدا"), "officer:1")
    late = await store.exhibitions.create(
        _draft("نمایشگاه پاییزه", booth_deadline=_today() - timedelta(days=1)), "officer:1"
    )
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    listing = await citizen.says(EXHIBITIONS)
    assert "نزدیک‌ترین" in listing[-1].content

    details = await citizen.presses("بازارچهٔ یلدا")
    assert "مهلت درخواست غرفه" in details[-1].content
    refused = await citizen.presses(BOOTH)
    assert "درخواست ثبت‌شده یا مجوز" in refused[-1].content
    citizen_id = await _citizen_id(store, citizen)
    assert await store.exhibitions.booth_for(yalda.id, citizen_id) is None

    application = await store.applications.create_draft(citizen_id, PlanType.INDEPENDENT)
    await store.applications.set_status(application.id, ApplicationStatus.SUBMITTED)
    accepted = await citizen.presses(BOOTH)
    assert "ثبت شد" in accepted[-1].content
    assert await store.exhibitions.booth_for(yalda.id, citizen_id) is not None
    reminders = bot.application.services.reminders
    assert reminders is not None
    (day_before,) = await reminders.repo.for_subject(f"exhibition:{yalda.id}")
    assert day_before.kind == "exhibition_tomorrow" and day_before.chat_id == citizen.user_id

    again = await citizen.presses(BOOTH)
    assert "پیش‌تر" in again[-1].content
    assert await store.exhibitions.count_booths() == 1

    await citizen.says(EXHIBITIONS)
    await citizen.presses("نمایشگاه پاییزه")
    too_late = await citizen.presses(BOOTH)
    assert "مهلت درخواست غرفه" in too_late[-1].content and "گذشته" in too_late[-1].content
    assert await store.exhibitions.booth_for(late.id, citizen_id) is None


async def test_nearest_county_first(bot: RunningBot, make_citizen: CitizenFactory) -> None:
    store = _store(bot)
    await store.exhibitions.create(_draft("بازار مجازی", kind="virtual", county=None), "o")
    await store.exhibitions.create(_draft("بازار خرم‌آباد"), "o")
    await store.exhibitions.create(
        _draft("بازار بروجرد", county="borujerd", starts_on=_today()), "o"
    )
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    await store.subscriptions.replace(await _citizen_id(store, citizen), ["borujerd"], [])
    listing = await citizen.says(EXHIBITIONS)
    titles = [row[0][0].split(" · ")[0] for row in listing[-1].inline_buttons]
    assert titles == ["بازار بروجرد", "بازار خرم‌آباد", "بازار مجازی"]


async def _subscriber(
    make_citizen: CitizenFactory, store: Store, counties: list[str], groups: list[str]
) -> Citizen:
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    await store.subscriptions.replace(await _citizen_id(store, citizen), counties, groups)
    return citizen


async def _announce(officer: Citizen, text: str, county: str) -> None:
    await officer.sends_command("/announce")
    await officer.presses("متن آزاد")
    await officer.says(text)
    await officer.presses(county)
    preview = await officer.presses("همهٔ گروه‌ها")
    assert "تعداد گیرندگان" in preview[-1].content
    await officer.presses("ارسال کن")


async def test_announcement_reaches_only_matching_subscribers_and_opt_out_is_honoured(
    bot: RunningBot, make_citizen: CitizenFactory, emulator: Emulator
) -> None:
    store = _store(bot)
    khorramabad = await _subscriber(make_citizen, store, ["khorramabad"], [])
    borujerd = await _subscriber(make_citizen, store, ["borujerd"], [])
    everywhere = await _subscriber(make_citizen, store, [], ["handicrafts"])
    stopped = await _subscriber(make_citizen, store, [], [])
    await stopped.sends_command("/stop")
    officer = await make_citizen(user_id=OFFICER_ID, first_name="کارشناس")

    await _announce(officer, "بازارچهٔ خیریه روز جمعه برپاست", "خرم‌آباد")
    report = await officer.wait_for_message(30, lambda m: "پایان رسید" in m.content)
    assert "رسیده: ۲" in report.content

    for citizen in (khorramabad, everywhere):
        texts = emulator.delivered_texts(citizen.user_id)
        assert sum("بازارچهٔ خیریه" in t for t in texts) == 1
    for citizen in (borujerd, stopped):
        assert not any("بازارچهٔ خیریه" in t for t in emulator.delivered_texts(citizen.user_id))

    # The button under the announcement opts out; the next announcement skips this citizen.
    await khorramabad.refresh()
    confirmed = await khorramabad.presses("لغو اشتراک")
    assert "دیگر اطلاعیه‌ای" in confirmed[-1].content
    sub = await store.subscriptions.get(await _citizen_id(store, khorramabad))
    assert not sub.active

    await _announce(officer, "دورهٔ آموزشی بسته‌بندی", "خرم‌آباد")
    await officer.wait_for_message(30, lambda m: "پایان رسید" in m.content and "۱" in m.content)
    assert not any("دورهٔ آموزشی" in t for t in emulator.delivered_texts(khorramabad.user_id))
    assert sum("دورهٔ آموزشی" in t for t in emulator.delivered_texts(everywhere.user_id)) == 1


async def test_subscription_toggles(bot: RunningBot, make_citizen: CitizenFactory) -> None:
    store = _store(bot)
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    home = await citizen.says(NOTIFICATIONS)
    assert "اکنون اطلاعیه‌ای" in home[-1].content
    await citizen.presses("شهرستان‌ها")
    await citizen.presses("ازنا")
    await citizen.presses("بروجرد")
    await citizen.presses("ازنا")
    done = await citizen.presses("تمام")
    assert "بروجرد" in done[-1].content
    sub = await store.subscriptions.get(await _citizen_id(store, citizen))
    assert sub.active and sub.counties == ("borujerd",) and sub.groups == ()
    await citizen.presses("توقف همهٔ اطلاعیه‌ها")
    assert not (await store.subscriptions.get(sub.citizen_id)).active


def _jalali(day: date) -> str:
    import jdatetime

    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year}/{j.month}/{j.day}"


async def test_officer_creates_cancels_and_answers_booths(
    bot: RunningBot, make_citizen: CitizenFactory, emulator: Emulator
) -> None:
    store = _store(bot)
    officer = await make_citizen(user_id=OFFICER_ID, first_name="کارشناس")
    await officer.sends_command("/exhibitions_admin")
    await officer.presses("نمایشگاه تازه")
    await officer.says("بازارچهٔ نوروزی ازنا")
    await officer.presses("فصلی")
    await officer.presses("ازنا")
    await officer.says("پارک شهر")
    await officer.says(_jalali(_today() + timedelta(days=20)))
    wrong = await officer.says(_jalali(_today() + timedelta(days=2)))
    assert "پیش از تاریخ شروع" in wrong[0].content
    await officer.says(_jalali(_today() + timedelta(days=25)))
    for _skip in range(3):
        await officer.presses("رد کردن")
    (created,) = await store.exhibitions.upcoming(_today())
    assert created.title == "بازارچهٔ نوروزی ازنا" and created.county == "azna"
    assert created.starts_on == _today() + timedelta(days=20)
    assert (await store.audit.list(f"exhibition:{created.id}"))[0].action == "exhibition.create"

    citizen = await make_citizen()
    await citizen.sends_command("/start")
    citizen_id = await _citizen_id(store, citizen)
    await store.exhibitions.request_booth(created.id, citizen_id)
    await officer.presses("بازگشت")
    await officer.presses("درخواست‌های غرفه")
    await officer.presses("✅")
    answer = await citizen.wait_for_message(15, lambda m: "پذیرفته شد" in m.content)
    assert "بازارچهٔ نوروزی ازنا" in answer.content

    await officer.presses("بازگشت")
    await officer.presses("بازارچهٔ نوروزی ازنا")
    await officer.presses("لغو نمایشگاه")
    await officer.presses("بله، لغو شود")
    assert await store.exhibitions.upcoming(_today()) == []
    assert (await store.audit.list(f"exhibition:{created.id}"))[0].action == "exhibition.cancel"


async def test_citizens_cannot_open_the_officer_conversations(
    bot: RunningBot, make_citizen: CitizenFactory
) -> None:
    citizen = await make_citizen()
    for command in ("/exhibitions_admin", "/announce"):
        replies = await citizen.sends_command(command)
        assert "متوجه نشدم" in replies[-1].content or "منو" in replies[-1].content
    assert await _store(bot).broadcasts.running() == []


async def _booth_holder(make_citizen: CitizenFactory, store: Store, exhibition_id: int) -> Citizen:
    citizen = await make_citizen()
    await citizen.sends_command("/start")
    await store.exhibitions.request_booth(exhibition_id, await _citizen_id(store, citizen))
    return citizen


async def test_cancelling_tells_booth_requesters_once(
    bot: RunningBot, make_citizen: CitizenFactory, emulator: Emulator
) -> None:
    from services.exhibitions import notify_booth_requesters

    store = _store(bot)
    fair = await store.exhibitions.create(_draft("بازارچهٔ گلستان"), "officer:1")
    pending = await _booth_holder(make_citizen, store, fair.id)
    approved = await _booth_holder(make_citizen, store, fair.id)
    (_first, second) = await store.exhibitions.booths_for(fair.id)
    await store.exhibitions.decide_booth(second.id, BoothStatus.APPROVED, "officer:1")
    declined = await _booth_holder(make_citizen, store, fair.id)
    (*_, third) = await store.exhibitions.booths_for(fair.id)
    await store.exhibitions.decide_booth(third.id, BoothStatus.DECLINED, "officer:1")
    bystander = await make_citizen()
    await bystander.sends_command("/start")

    officer = await make_citizen(user_id=OFFICER_ID, first_name="کارشناس")
    await officer.sends_command("/exhibitions_admin")
    await officer.presses("بازارچهٔ گلستان")
    await officer.presses("لغو نمایشگاه")
    await officer.presses("بله، لغو شود")

    for citizen in (pending, approved):
        notice = await citizen.wait_for_message(15, lambda m: "لغو شد" in m.content)
        assert "بازارچهٔ گلستان" in notice.content
        assert format_jalali_date(fair.starts_on) in notice.content

    # A retry of the same cancellation enqueues nothing new (the dedupe keys are stored).
    cancelled = await store.exhibitions.get(fair.id)
    assert cancelled is not None
    async with store.db.transaction() as c:
        assert await notify_booth_requesters(store, cancelled, "cancelled", "again", c) == 0
    pending_id = await _citizen_id(store, pending)
    stored = await store.outbox.get_by_dedupe_key(f"exhibition:{fair.id}:cancelled:{pending_id}")
    assert stored is not None and stored.kind == "exhibition_change"

    await officer.sends_command("/exhibitions_admin")  # the sender has had its turn
    for citizen in (pending, approved):
        texts = emulator.delivered_texts(citizen.user_id)
        assert sum("بازارچهٔ گلستان" in t and "لغو شد" in t for t in texts) == 1
    for citizen in (declined, bystander):
        assert not any("بازارچهٔ گلستان" in t for t in emulator.delivered_texts(citizen.user_id))


async def test_new_dates_tell_booth_requesters(
    bot: RunningBot, make_citizen: CitizenFactory, emulator: Emulator
) -> None:
    store = _store(bot)
    fair = await store.exhibitions.create(_draft("نمایشگاه صنایع دستی الیگودرز"), "officer:1")
    holder = await _booth_holder(make_citizen, store, fair.id)
    bystander = await make_citizen()
    await bystander.sends_command("/start")

    officer = await make_citizen(user_id=OFFICER_ID, first_name="کارشناس")
    await officer.sends_command("/exhibitions_admin")
    await officer.presses("نمایشگاه صنایع دستی الیگودرز")
    await officer.presses("شروع")
    new_start = _today() + timedelta(days=12)
    saved = await officer.says(_jalali(new_start))
    assert any("ذخیره شد" in m.content for m in saved)

    notice = await holder.wait_for_message(15, lambda m: "تغییر کرد" in m.content)
    assert "نمایشگاه صنایع دستی الیگودرز" in notice.content
    assert format_jalali_date(new_start) in notice.content
    assert "سالن شهدا" in notice.content

    # Saving the same value again is no change: nobody is told twice.
    await officer.presses("شروع")
    await officer.says(_jalali(new_start))
    async with (
        store.db.read() as c,
        c.execute(
            "SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE ?", (f"exhibition:{fair.id}:%",)
        ) as cursor,
    ):
        row = await cursor.fetchone()
    assert row is not None and row[0] == 1
    texts = emulator.delivered_texts(holder.user_id)
    assert sum("تغییر کرد" in t for t in texts) == 1
    assert not any("تغییر کرد" in t for t in emulator.delivered_texts(bystander.user_id))
