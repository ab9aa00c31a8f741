"""Track my application: own applications with timelines, lookup by code, contact an officer."""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from botapi_emulator import Citizen
from domain.models import Application, Document
from domain.notifications import QuietHours
from domain.statuses import ApplicationStatus, PlanType
from domain.tracking import new_tracking_code
from handlers.menu import MenuItem, label
from storage import Store
from storage.files import FILES_FOLDER
from tests.conftest import OFFICER_ID, CitizenFactory, RunningBot
from tests.e2e.test_foundation import assert_persian
from texts.formatting import format_jalali_date, format_tracking_code
from texts.i18n import _
from texts.notifications import render_status_notification, status_label

NO_QUIET_HOURS = QuietHours(start_hour=0, end_hour=0)


@pytest.fixture(autouse=True)
def _no_quiet_hours(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Notifications go out at once whatever the wall clock says (quiet hours tested elsewhere)."""
    monkeypatch.setattr(QuietHours, "is_quiet", lambda self, moment: False)
    yield


def make_national_code(seed: int) -> str:
    """A valid national code (check digit computed) from a seed."""
    body = f"{(seed * 7919 + 1234567) % 10**9:09d}"
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
    return body + str(remainder if remainder < 2 else 11 - remainder)


def jpeg(seed: int = 1) -> bytes:
    """A small real JPEG (uploads are checked by content)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (40, 30), (rng.randrange(256), rng.randrange(256), 90))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


async def add_document(store: Store, data_dir: Path, app_id: int, kind: str, seed: int) -> None:
    """Store a JPEG document file and its row, as the application conversation would."""
    await store_file(store, data_dir, app_id, kind, jpeg(seed), f"test/{app_id}-{kind}-{seed}.jpg")


async def store_file(
    store: Store, data_dir: Path, app_id: int, kind: str, data: bytes, name: str
) -> None:
    """Write ``data`` as the stored file ``name`` and record it as the application's document
    (a PDF if the name says so, else a JPEG)."""
    target = data_dir / FILES_FOLDER / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    await store.documents.add(
        Document(
            application_id=app_id,
            kind=kind,
            stored_name=name,
            sha256=hashlib.sha256(data).hexdigest(),
            mime_type="application/pdf" if name.endswith(".pdf") else "image/jpeg",
            size_bytes=len(data),
        )
    )


async def submitted_application(
    bot: RunningBot,
    user_id: int,
    *,
    seed: int = 1,
    documents: tuple[str, ...] = ("national_card", "birth_certificate"),
    platform: str = "telegram",
    **fields: Any,
) -> Application:
    """A submitted application of the citizen with this user id, written through the store;
    its notification is delivered before this returns, so it cannot land in a later step."""
    app = await submitted_in(
        bot.application.services.store,
        bot.settings.data_dir,
        user_id,
        seed=seed,
        documents=documents,
        platform=platform,
        **fields,
    )
    await notifications_delivered(bot)
    return app


async def notifications_delivered(bot: RunningBot) -> None:
    """Until the outbox holds nothing unsent (the sender is woken, not waited for)."""
    store = bot.application.services.store
    bot.application.services.wake_sender()
    async with asyncio.timeout(30):
        while await store.outbox.pending_count():  # noqa: ASYNC110 - the sender has no event
            await asyncio.sleep(0.01)


async def submitted_in(
    store: Store,
    data_dir: Path,
    user_id: int,
    *,
    seed: int = 1,
    documents: tuple[str, ...] = ("national_card", "birth_certificate"),
    platform: str = "telegram",
    **fields: Any,
) -> Application:
    """The same on any open store (e.g. one shared with a bot process)."""
    citizen = await store.citizens.get_or_create(platform, user_id, user_id)
    draft = await store.applications.create_draft(citizen.id, PlanType.INDEPENDENT)
    values: dict[str, Any] = {
        "tracking_code": new_tracking_code(random.Random(seed)),
        "national_code": make_national_code(seed),
        "full_name": "مریم احمدی",
        "phone": "+989121234567",
        "county": "khorramabad",
        "requested_rials": 1_500_000_000,
    }
    values.update(fields)
    await store.applications.update_fields(draft.id, **values)
    for n, kind in enumerate(documents):
        await add_document(store, data_dir, draft.id, kind, seed * 10 + n)
    await store_change(store, draft.id, ApplicationStatus.SUBMITTED, f"citizen:{citizen.id}")
    app = await store.applications.get(draft.id)
    assert app is not None
    return app


async def store_change(
    store: Store, app_id: int, to: ApplicationStatus, actor: str, **kwargs: Any
) -> None:
    """A status change written directly (notifying like the bot does)."""
    from storage.status_changes import change_status

    await change_status(
        store,
        app_id,
        to,
        actor,
        render=render_status_notification,
        quiet_hours=NO_QUIET_HOURS,
        **kwargs,
    )


async def test_no_application_offers_the_lookup(citizen: Citizen) -> None:
    replies = await citizen.says(label(MenuItem.TRACK))
    assert_persian(replies[-1].text)
    assert _("🔑 Look up by tracking code") in citizen.buttons[0]


async def test_track_shows_own_applications_only_with_a_jalali_timeline(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    mine, other = await make_citizen(), await make_citizen()
    app = await submitted_application(bot, mine.user_id, seed=1)
    theirs = await submitted_application(bot, other.user_id, seed=2)
    store = bot.application.services.store
    await store_change(
        store, app.id, ApplicationStatus.UNDER_REVIEW, f"officer:{OFFICER_ID}", reason="شروع"
    )
    await notifications_delivered(bot)

    replies = await mine.sends_command("/status")
    card = replies[0].text or ""
    assert_persian(card)
    assert status_label(ApplicationStatus.UNDER_REVIEW) in card
    assert status_label(ApplicationStatus.SUBMITTED) in card
    assert format_jalali_date(bot.application.services.now()) in card
    assert "شروع" in card
    assert theirs.tracking_code is not None
    # Only the citizen's own application (codes are shown as ۱۲۳۴-۵۶۷۸).
    assert len(replies) == 2
    assert replies[0].inline_buttons == []


async def test_lookup_never_tells_a_wrong_national_code_from_a_missing_code(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    owner, stranger = await make_citizen(), await make_citizen()
    app = await submitted_application(bot, owner.user_id, seed=3)
    assert app.tracking_code is not None
    store = bot.application.services.store
    missing = new_tracking_code(random.Random(100))
    assert missing != app.tracking_code
    assert await store.applications.find_by_tracking_code(missing) is None

    async def attempt(code: str, national: str) -> str:
        await stranger.sends_command("/status")
        await stranger.presses(_("🔑 Look up by tracking code"))
        await stranger.says(code)
        return (await stranger.says(national))[-1].text or ""

    wrong_national = await attempt(app.tracking_code, make_national_code(99))
    no_such_code = await attempt(missing, make_national_code(3))
    assert wrong_national == no_such_code
    assert app.tracking_code not in wrong_national and status_label(app.status) not in no_such_code

    # A mistyped code (check digit wrong) is caught before any lookup and costs nothing.
    await stranger.sends_command("/status")
    await stranger.presses(_("🔑 Look up by tracking code"))
    broken = app.tracking_code[:-1] + str((int(app.tracking_code[-1]) + 1) % 10)
    typo = (await stranger.says(broken))[-1].text or ""
    assert "اشتباه" in typo
    await stranger.sends_command("/cancel")
    assert await store.lookups.failures("telegram", stranger.user_id) == 2

    third = await attempt(missing, make_national_code(5))
    assert third == no_such_code
    await stranger.sends_command("/status")
    throttled = await stranger.presses(_("🔑 Look up by tracking code"))
    assert "چند بار تلاش ناموفق" in (throttled[-1].text or "")
    assert await store.lookups.failures("telegram", stranger.user_id) == 3

    # The owner's own lookup (another account, right national code) shows the timeline.
    await owner.sends_command("/status")
    await owner.presses(_("🔑 Look up by tracking code"))
    await owner.says(app.tracking_code)
    found = (await owner.says(make_national_code(3)))[-1].text or ""
    assert status_label(ApplicationStatus.SUBMITTED) in found
    assert format_jalali_date(bot.application.services.now()) in found


async def test_contact_shows_the_office_and_opens_a_ticket_for_the_officers(
    make_citizen: CitizenFactory, bot: RunningBot
) -> None:
    citizen = await make_citizen()
    officer = await make_citizen(user_id=OFFICER_ID, first_name="کارشناس")
    await officer.sends_command("/start")  # a bot may only write to those who started it
    app = await submitted_application(bot, citizen.user_id, seed=4)
    shown = await citizen.says(label(MenuItem.CONTACT))
    details = shown[-1].text or ""
    assert "لرستان" in details  # the office's name from data/office.yaml
    # The shipped file has no address or phone yet: nothing invented is shown.
    assert _("Address: {address}").format(address="") not in details
    assert _("Phone: {phone}").format(phone="") not in details
    await citizen.presses(_("✉️ Leave a message"))
    thanks = await citizen.says("سلام، وام من کی پرداخت می‌شود؟")
    assert_persian(thanks[-1].text)
    received = await officer.wait_for_message(
        timeout=10, predicate=lambda m: "وام من کی پرداخت" in m.content
    )
    assert "تیکت تازهٔ" in received.content  # a ticket, with the citizen's applications
    assert app.tracking_code is not None
    assert format_tracking_code(app.tracking_code) in received.content
