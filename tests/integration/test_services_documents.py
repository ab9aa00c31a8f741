"""The documents services on a real SQLite file: one replacement path for drafts and corrections,
acceptance by officers only, one transaction each, audit and officers' alerts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.statuses import ApplicationStatus as S
from domain.statuses import DocumentStatus, PlanType
from services import applications, documents
from services.actors import Actor
from services.documents import DocumentAccepted, NotRequested, OfficerAlert
from services.errors import NotAllowed
from storage import Store
from tests.integration.services_seed import (
    OFFICER,
    OFFICER_ID,
    FailingReminders,
    correction_asked,
    counts,
    file_ref,
    new_citizen,
    open_store,
    rows,
    submitted,
)

GROUP_CHAT = -100500
ALERT = OfficerAlert(
    text="arrived", reply_markup={"inline_keyboard": [[]]}, officers_chat_id=GROUP_CHAT
)
ADDED_OFFICER = 777002


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(tmp_path) as opened:
        yield opened


async def test_a_draft_upload_stores_the_document_and_the_form_together(store: Store) -> None:
    _citizen, actor = await new_citizen(store)
    app = await applications.start_draft(store, actor, PlanType.INDEPENDENT, {}, "documents")
    first = await documents.upload(
        store,
        actor,
        app.id,
        "photo",
        file_ref("a"),
        answers={"awaiting_document": "x"},
        step="documents",
    )
    assert first.application.answers == {"awaiting_document": "x"}
    second = await documents.upload(store, actor, app.id, "photo", file_ref("b"))
    history = (await store.documents.list_for_application(app.id)).history
    assert [(d.stored_name, d.status) for d in history] == [
        (file_ref("a").stored_name, DocumentStatus.REPLACED),
        (file_ref("b").stored_name, DocumentStatus.RECEIVED),
    ]
    assert second.remaining == [] and second.back_to_review is None
    # A draft's uploads are the citizen's own business: no audit rows.
    assert await rows(store, "SELECT * FROM audit_log") == []


async def test_only_the_owner_uploads(store: Store) -> None:
    _citizen, owner = await new_citizen(store)
    app = await applications.start_draft(store, owner, PlanType.INDEPENDENT, {}, "documents")
    _stranger, stranger = await new_citizen(store)
    before = await counts(store)
    for actor in (stranger, OFFICER):
        with pytest.raises(NotAllowed):
            await documents.upload(store, actor, app.id, "photo", file_ref("x"))
        with pytest.raises(NotAllowed):
            await documents.latest_own(store, actor, app.id)
    assert await counts(store) == before


async def test_an_accepted_document_is_never_replaced(store: Store) -> None:
    app, citizen = await correction_asked(store, ("photo", "national_card"))
    latest = (await store.documents.list_for_application(app.id)).latest
    accepted = await documents.accept(store, OFFICER, app.id, [latest["photo"].id or 0])
    assert [d.kind for d in accepted] == ["photo"]
    before = await counts(store)
    with pytest.raises(DocumentAccepted):
        await documents.upload(store, citizen, app.id, "photo", file_ref("late"), alert=ALERT)
    assert await counts(store) == before


async def test_a_filed_application_takes_only_requested_documents(store: Store) -> None:
    app, citizen = await submitted(store)
    before = await counts(store)
    with pytest.raises(NotRequested):
        await documents.upload(store, citizen, app.id, "photo", file_ref("unasked"))
    assert await counts(store) == before
    asked, asker = await correction_asked(store, ("photo",))
    before = await counts(store)
    with pytest.raises(NotRequested):
        await documents.upload(store, asker, asked.id, "national_card", file_ref("other"))
    assert await counts(store) == before


async def test_corrections_are_audited_and_the_last_one_goes_back_to_review(
    store: Store,
) -> None:
    app, citizen = await correction_asked(store, ("photo", "national_card"))
    first = await documents.upload(store, citizen, app.id, "photo", file_ref("p2"), alert=ALERT)
    assert first.remaining == ["national_card"] and first.back_to_review is None
    assert first.application.status is S.NEEDS_CORRECTION
    last = await documents.upload(
        store, citizen, app.id, "national_card", file_ref("n2"), alert=ALERT
    )
    assert last.remaining == [] and last.application.status is S.UNDER_REVIEW
    event = last.back_to_review
    assert event is not None and event.actor == str(citizen)
    audit = await rows(
        store, "SELECT actor, after_json FROM audit_log WHERE action = 'document_replaced'"
    )
    assert [(a["actor"], json.loads(a["after_json"])) for a in audit] == [
        (str(citizen), {"kind": "photo"}),
        (str(citizen), {"kind": "national_card"}),
    ]
    # The officer who asked hears it with the card's button; the officers' group without.
    alerts = await rows(
        store,
        "SELECT chat_id, reply_markup_json, dedupe_key FROM outbox"
        " WHERE kind = 'officer_alert' ORDER BY chat_id",
    )
    assert alerts == [
        {
            "chat_id": GROUP_CHAT,
            "reply_markup_json": None,
            "dedupe_key": f"resubmitted:{event.id}:{GROUP_CHAT}",
        },
        {
            "chat_id": OFFICER_ID,
            "reply_markup_json": json.dumps(ALERT.reply_markup),
            "dedupe_key": f"resubmitted:{event.id}:{OFFICER_ID}",
        },
    ]


async def test_every_officer_hears_when_the_one_who_asked_has_left(store: Store) -> None:
    await store.officers.add("telegram", ADDED_OFFICER, f"officer:{OFFICER_ID}")
    asker = Actor("officer", ADDED_OFFICER)
    app, citizen = await correction_asked(store, ("photo",), officer=asker)
    await store.officers.remove("telegram", ADDED_OFFICER, f"officer:{OFFICER_ID}")
    await store.officers.add("telegram", ADDED_OFFICER + 1, f"officer:{OFFICER_ID}")
    await documents.upload(
        store, citizen, app.id, "photo", file_ref("p"), alert=OfficerAlert(text="arrived")
    )
    alerts = await rows(store, "SELECT chat_id FROM outbox WHERE kind = 'officer_alert'")
    assert sorted(a["chat_id"] for a in alerts) == [ADDED_OFFICER + 1, OFFICER_ID]


async def test_the_officer_who_asked_on_bale_hears_on_bale(store: Store) -> None:
    """An officer on Bale asked a Telegram citizen for a correction: told through Bale."""
    await store.officers.add("bale", ADDED_OFFICER, f"officer:{OFFICER_ID}")
    asker = Actor("officer", ADDED_OFFICER, "bale")
    app, citizen = await correction_asked(store, ("photo",), officer=asker)
    await documents.upload(store, citizen, app.id, "photo", file_ref("p"), alert=ALERT)
    alerts = await rows(
        store, "SELECT chat_id, platform FROM outbox WHERE kind = 'officer_alert' ORDER BY id"
    )
    # the group chat is the first bot's (platform NULL); the asker's on Bale
    assert [(a["chat_id"], a["platform"]) for a in alerts] == [
        (ADDED_OFFICER, "bale"),
        (GROUP_CHAT, None),
    ]
    notices = await rows(store, "SELECT platform FROM outbox WHERE citizen_id IS NOT NULL")
    assert {n["platform"] for n in notices} == {"telegram"}, "the citizen hears on Telegram"


async def test_a_failure_half_way_back_to_review_writes_nothing(store: Store) -> None:
    app, citizen = await correction_asked(store, ("photo",))
    before = await counts(store)
    with pytest.raises(RuntimeError):
        await documents.upload(
            store,
            citizen,
            app.id,
            "photo",
            file_ref("p"),
            alert=ALERT,
            reminders=FailingReminders(),
        )
    assert await counts(store) == before
    assert (await store.applications.get(app.id)).status is S.NEEDS_CORRECTION  # type: ignore[union-attr]


async def test_only_an_officer_accepts_and_each_acceptance_is_audited(store: Store) -> None:
    app, citizen = await submitted(store)
    latest = (await store.documents.list_for_application(app.id)).latest
    ids = [doc.id or 0 for doc in latest.values()]
    before = await counts(store)
    with pytest.raises(NotAllowed):
        await documents.accept(store, citizen, app.id, ids)
    with pytest.raises(NotAllowed):
        await documents.acceptable(store, Actor("officer", 4242), app.id)
    assert await counts(store) == before
    assert len(await documents.acceptable(store, OFFICER, app.id)) == 2
    accepted = await documents.accept(store, OFFICER, app.id, [*ids, ids[0], 999999])
    assert sorted(d.kind for d in accepted) == ["national_card", "photo"]
    audit = await rows(store, "SELECT actor FROM audit_log WHERE action = 'document_accept'")
    assert [a["actor"] for a in audit] == [f"officer:{OFFICER_ID}"] * 2
    assert await documents.acceptable(store, OFFICER, app.id) == []
    assert await documents.accept(store, OFFICER, app.id, ids) == []


async def test_nothing_is_accepted_on_a_draft(store: Store) -> None:
    _citizen, actor = await new_citizen(store)
    app = await applications.start_draft(store, actor, PlanType.INDEPENDENT, {}, "documents")
    doc = await documents.upload(store, actor, app.id, "photo", file_ref("d"))
    assert await documents.accept(store, OFFICER, app.id, [doc.document.id or 0]) == []
    assert await documents.acceptable(store, OFFICER, app.id) == []
