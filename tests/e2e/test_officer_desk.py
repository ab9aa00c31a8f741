"""The officers' desk, walked by an officer and citizens through the emulator."""

from __future__ import annotations

from botapi_emulator import BotMessage, Citizen
from botapi_emulator.bot_message import newest_with_button
from domain.statuses import ApplicationStatus as S
from domain.statuses import DocumentStatus
from handlers.menu import MenuItem, label
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from tests.e2e.test_tracking import _no_quiet_hours, jpeg, submitted_application
from texts.formatting import format_jalali_date, to_persian_digits
from texts.i18n import _
from texts.notifications import status_label

__all__ = ["_no_quiet_hours"]  # the autouse fixture applies here too


def move_button(status: S) -> str:
    return _("➡️ {status}").format(status=status_label(status))


async def officer_opens(officer: Citizen, code: str) -> list[BotMessage]:
    """/officer → find by tracking code → the card."""
    shown = await officer.sends_command("/officer")
    find = _("🔎 Find by tracking code")
    await officer.presses(find, on=newest_with_button(shown, find))
    return await officer.says(code)


async def wait_text(citizen: Citizen, needle: str) -> BotMessage:
    return await citizen.wait_for_message(timeout=15, predicate=lambda m: needle in m.content)


async def test_officer_moves_a_status_and_the_citizen_is_told(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=11)
    assert app.tracking_code is not None
    card = await officer_opens(officer, app.tracking_code)
    assert "مریم احمدی" in card[-1].content and "📥 کارت ملی" in card[-1].content

    await officer.presses(move_button(S.UNDER_REVIEW))
    done = await officer.presses(_("No note"))
    assert any(status_label(S.UNDER_REVIEW) in m.content for m in done)

    note = await wait_text(citizen, "در حال بررسی کارشناسان")
    assert note.content
    timeline = (await citizen.says(label(MenuItem.TRACK)))[0].content
    assert status_label(S.UNDER_REVIEW) in timeline
    assert format_jalali_date(bot.application.services.now()) in timeline
    store = bot.application.services.store
    assert (await store.applications.get(app.id)).status is S.UNDER_REVIEW  # type: ignore[union-attr]
    audit = await store.audit.list(subject=f"application:{app.id}")
    assert [e.action for e in audit] == ["status_change"]
    assert audit[0].actor == f"officer:{OFFICER_ID}"


async def test_correction_replaced_by_the_citizen_reaches_the_officer(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=12)
    assert app.tracking_code is not None
    store = bot.application.services.store

    await officer_opens(officer, app.tracking_code)
    await officer.presses(move_button(S.NEEDS_CORRECTION))
    await officer.presses("⬜ کارت ملی")
    await officer.presses(_("Continue ▶️"))
    await officer.says("تصویر کارت ملی خوانا نیست")

    note = await wait_text(citizen, "تصویر کارت ملی خوانا نیست")
    assert note.inline_buttons, "the notification carries the «send again» button"
    await citizen.presses(_("📤 Send {document} again").format(document="کارت ملی"))
    done = await citizen.sends_photo(jpeg(99))
    assert "دوباره در حال بررسی" in done[-1].content

    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.UNDER_REVIEW
    docs = await store.documents.list_for_application(app.id)
    assert docs.latest["national_card"].status is DocumentStatus.RECEIVED
    assert [d.status for d in docs.history if d.kind == "national_card"] == [
        DocumentStatus.REPLACED,
        DocumentStatus.RECEIVED,
    ]
    timeline = await store.status_events.timeline(app.id)
    assert timeline[-1].actor.startswith("citizen:")

    await officer_opens(officer, app.tracking_code)
    sent = await officer.presses(_("📎 Documents"))
    photos = [m for m in sent if m.photo]
    assert len(photos) == 2 and any("کارت ملی" in m.content for m in photos)


async def test_bank_payment_and_permit_are_recorded_and_notified(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=13)
    assert app.tracking_code is not None
    store = bot.application.services.store

    await officer_opens(officer, app.tracking_code)
    await officer.presses(move_button(S.UNDER_REVIEW))
    await officer.presses(_("No note"))
    await officer.presses(move_button(S.APPROVED))
    await officer.says("در کارگروه ۱۲ آبان تأیید شد")
    await officer.presses(move_button(S.INTRODUCED_TO_BANK))
    await officer.presses("ملت")
    await officer.says("مرکزی خرم‌آباد")
    await wait_text(citizen, "شعبهٔ مرکزی خرم‌آباد معرفی شد")
    await officer.presses(move_button(S.PAID))
    await officer.says("۲۰۰ میلیون")
    await officer.says("1404/08/15")
    await officer.presses(_("🪪 Permit number"))
    await officer.says("1404-123456")

    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.PAID
    assert (current.bank, current.bank_branch) == ("ملت", "مرکزی خرم‌آباد")
    assert current.paid_rials == 2_000_000_000 and current.paid_on is not None
    assert current.paid_on.isoformat() == "2025-11-06"
    assert current.permit_number == "1404-123456"
    await wait_text(citizen, "شمارهٔ مجوز")
    timeline = (await citizen.says(label(MenuItem.TRACK)))[0].content
    assert "۱۵ آبان ۱۴۰۴" in timeline and "صدور مجوز" in timeline


async def test_outsiders_get_nothing_whatever_they_send(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    owner, intruder = await make_citizen(), await make_citizen()
    await owner.sends_command("/start")
    app = await submitted_application(bot, owner.user_id, seed=14)
    store = bot.application.services.store
    audit_before = await store.audit.list()
    events_before = await store.status_events.timeline(app.id)

    refused = await intruder.sends_command("/officer")
    not_understood = _(
        "Sorry, I did not understand that. Please choose one of the menu buttons below."
    )
    assert refused[-1].content == not_understood
    assert (await intruder.sends_command("/officers"))[-1].content == not_understood

    anchor = refused[-1].message_id
    forged = [
        "off:menu",
        "off:find:code",
        f"off:open:{app.id}",
        f"off:docs:{app.id}",
        f"off:to:{app.id}:rejected",
        f"off:to:{app.id}:needs_correction",
        f"off:fx:{app.id}:national_card",
        f"off:fxok:{app.id}",
        f"off:bk:{app.id}:0",
        f"off:permit:{app.id}",
        "off:stats",
        "off:web",  # the web desk's sign-in link
        "adm:add",
        "adm:rm:1",
        f"fix:{app.id}:national_card",
    ]
    for data in forged:
        replies = await intruder.sends_callback(anchor, data)
        assert replies == [], f"{data} answered with {replies}"
    # Typing after a forged «reason» or «permit» button changes nothing either.
    await intruder.says("رد شود")
    await intruder.sends_photo(jpeg(5))

    assert await store.audit.list() == audit_before
    assert await store.status_events.timeline(app.id) == events_before
    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.SUBMITTED and current.permit_number is None
    docs = await store.documents.list_for_application(app.id)
    assert len(docs.history) == 2
    async with store.db.read() as c, c.execute("SELECT COUNT(*) FROM desk_links") as cur:
        assert tuple(await cur.fetchone() or ()) == (0,)


async def test_forged_fix_for_someone_elses_application_gets_nothing(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    owner, other = await make_citizen(), await make_citizen()
    await owner.sends_command("/start")
    app = await submitted_application(bot, owner.user_id, seed=15)
    store = bot.application.services.store
    from tests.e2e.test_tracking import store_change

    await store_change(
        store,
        app.id,
        S.NEEDS_CORRECTION,
        f"officer:{OFFICER_ID}",
        reason="ناخوانا",
        details={"documents": ["national_card"]},
    )
    await submitted_application(bot, other.user_id, seed=16)
    anchor = (await other.sends_command("/start"))[-1].message_id
    assert await other.sends_callback(anchor, f"fix:{app.id}:national_card") == []
    await other.sends_photo(jpeg(6))
    docs = await store.documents.list_for_application(app.id)
    assert len(docs.history) == 2
    current = await store.applications.get(app.id)
    assert current is not None and current.status is S.NEEDS_CORRECTION


async def test_an_admin_adds_and_removes_an_officer(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    admin = await make_citizen(user_id=OFFICER_ID)
    newcomer = await make_citizen(user_id=777001)
    store = bot.application.services.store
    assert (await newcomer.sends_command("/officer"))[-1].content != _(
        "Officer desk. What would you like to do?"
    )

    await admin.sends_command("/officers")
    await admin.presses(_("➕ Add an officer"))
    await admin.says("777001")
    assert await store.officers.is_officer("telegram", 777001)
    menu = await newcomer.sends_command("/officer")
    assert menu[-1].content == _("Officer desk. What would you like to do?")

    await admin.sends_command("/officers")
    await admin.presses(_("➖ Remove {officer}").format(officer="۷۷۷۰۰۱"))
    assert not await store.officers.is_officer("telegram", 777001)
    actions = [e.action for e in await store.audit.list()]
    assert "officer_add" in actions and "officer_remove" in actions


async def test_statistics_paragraph_and_chart(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    officer = await make_citizen(user_id=OFFICER_ID)
    citizen = await make_citizen()
    await submitted_application(bot, citizen.user_id, seed=17)
    await officer.sends_command("/officer")
    replies = await officer.presses(_("📊 Statistics"))
    assert any(m.text for m in replies)
    assert any(m.photo for m in replies)


async def test_a_menu_button_while_typing_leaves_the_desk(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    officer = await make_citizen(user_id=OFFICER_ID)
    await officer.sends_command("/officer")
    await officer.presses(_("🔎 Find by tracking code"))
    replies = await officer.says(label(MenuItem.TRACK))
    assert _("🔑 Look up by tracking code") in [t for row in officer.buttons for t in row]
    assert all(
        _("This does not look valid. Please check it and type again.") != m.content for m in replies
    )


async def test_officer_accepts_documents_and_they_can_no_longer_be_replaced(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    citizen, intruder = await make_citizen(), await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=18)
    assert app.tracking_code is not None
    store = bot.application.services.store
    card_id = (await store.documents.list_for_application(app.id)).latest["national_card"].id

    # A non-officer forging the accept buttons changes nothing.
    audit_before = await store.audit.list()
    anchor = (await intruder.sends_command("/start"))[-1].message_id
    for data in (
        f"off:acc:{app.id}",
        f"off:ac:{app.id}:{card_id}",
        f"off:acok:{app.id}",
        f"off:acall:{app.id}",
    ):
        assert await intruder.sends_callback(anchor, data) == [], data
    assert await store.audit.list() == audit_before
    docs = await store.documents.list_for_application(app.id)
    assert {d.status for d in docs.latest.values()} == {DocumentStatus.RECEIVED}

    # The officer asks for a new national card, then accepts it after all, then the rest.
    card = await officer_opens(officer, app.tracking_code)
    assert "📥 کارت ملی — دریافت شده، هنوز بررسی نشده" in card[-1].content
    await officer.presses(move_button(S.NEEDS_CORRECTION))
    await officer.presses("⬜ کارت ملی")
    await officer.presses(_("Continue ▶️"))
    await officer.says("تصویر کارت ملی خوانا نیست")
    await wait_text(citizen, "تصویر کارت ملی خوانا نیست")

    await officer_opens(officer, app.tracking_code)
    await officer.presses(_("✅ Accept documents"))
    await officer.presses("⬜ کارت ملی")
    done = await officer.presses(_("Accept the ticked ones ✅"))
    assert any(_("Accepted: {documents}").format(documents="کارت ملی") in m.content for m in done)
    assert "✅ کارت ملی — پذیرفته شده" in done[-1].content
    await officer.presses(_("✅ Accept documents"))
    done = await officer.presses(_("✅ Accept all received"))
    assert "✅ شناسنامه — پذیرفته شده" in done[-1].content

    docs = await store.documents.list_for_application(app.id)
    assert {d.status for d in docs.latest.values()} == {DocumentStatus.ACCEPTED}
    accepts = [e for e in await store.audit.list() if e.action == "document_accept"]
    assert len(accepts) == 2
    assert all(e.actor == f"officer:{OFFICER_ID}" for e in accepts)
    card_entry = next(e for e in accepts if e.after["kind"] == "national_card")
    assert card_entry.before["status"] == "needs_correction"
    assert card_entry.after == {"document": card_id, "kind": "national_card", "status": "accepted"}

    # The citizen's «send again» button no longer replaces the accepted document.
    refused = await citizen.presses(_("📤 Send {document} again").format(document="کارت ملی"))
    assert "پذیرفته شده است و دیگر نمی‌توان آن را جایگزین کرد" in refused[-1].content
    await citizen.sends_photo(jpeg(98))
    docs = await store.documents.list_for_application(app.id)
    assert len(docs.history) == 2
    assert docs.latest["national_card"].status is DocumentStatus.ACCEPTED


async def test_officer_finds_an_application_by_a_part_of_the_name(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID)
    await citizen.sends_command("/start")
    app = await submitted_application(bot, citizen.user_id, seed=12, full_name="زهرا کریمی")
    await officer.sends_command("/officer")
    await officer.presses(_("👤 By name"))
    too_short = await officer.says("ک")
    assert "معتبر" in too_short[-1].content or "دوباره" in too_short[-1].content
    found = await officer.says("كريم")  # Arabic letters, the start of the surname
    # One match: its card opens at once.
    assert "زهرا کریمی" in found[-1].content, found[-1].content
    assert app.tracking_code is not None
    assert to_persian_digits(app.tracking_code) in found[-1].content
