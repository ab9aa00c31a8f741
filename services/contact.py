"""A citizen's short message to the officers, through the outbox.

It reaches the officers' group when OFFICERS_CHAT_ID is set, else every officer's own chat.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.notifications import OutboxKind, OutboxMessage
from services.actors import Actor
from services.errors import NotAllowed
from services.officers import Roster, officer_user_ids
from storage import Store
from texts.formatting import format_tracking_code
from texts.i18n import _

MAX_MESSAGE_CHARS = 1000


@dataclass(frozen=True)
class Delivery:
    """Where the message was queued."""

    chat_ids: list[int]
    enqueued: int


async def officer_chats(store: Store, roster: Roster, officers_chat_id: int | None) -> list[int]:
    """Where officers read messages: the officers' group if set, else each officer's chat."""
    if officers_chat_id is not None:
        return [officers_chat_id]
    return await officer_user_ids(store, roster)  # in a private chat the chat id is the user id


async def message_officers(
    store: Store,
    actor: Actor,
    *,
    sender_name: str,
    text: str,
    roster: Roster,
    officers_chat_id: int | None,
    reference: str,
) -> Delivery:
    """Queue a citizen's message for the officers, with the citizen's tracking codes.

    ``reference`` names the message once (``<platform>:<update id>``): the same message handled
    again enqueues nothing new (dedupe key ``contact:<reference>:<chat id>``).
    """
    if actor.kind != "citizen" or not isinstance(actor.id, int):
        raise NotAllowed("only a citizen writes to the officers here")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValueError(f"a contact message has at most {MAX_MESSAGE_CHARS} characters")
    async with store.db.transaction() as c:
        apps = await store.applications.list_for_citizen(actor.id, c)
        codes = "، ".join(format_tracking_code(a.tracking_code) for a in apps if a.tracking_code)
        codes = codes or "—"
        body = _("Message from a citizen ({name}, tracking codes: {codes}):\n\n{text}").format(
            name=sender_name, codes=codes, text=text
        )
        chats = await officer_chats(store, roster, officers_chat_id)
        enqueued = 0
        for chat_id in chats:
            row = await store.outbox.enqueue(
                OutboxMessage(
                    chat_id=chat_id,
                    kind=OutboxKind.OFFICER_ALERT.value,
                    text=body,
                    urgent=True,  # officers read it in working hours anyway
                    dedupe_key=f"contact:{reference}:{chat_id}",
                ),
                conn=c,
            )
            enqueued += row is not None
    return Delivery(chat_ids=chats, enqueued=enqueued)
