"""Only the sender's own number is accepted as their phone, on Telegram and on Bale."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import Chat, Contact, Message, MessageOriginUser, User

from conversations.application.answers import is_own_contact

SENDER = 1111
OTHER = 2222


def _message(contact_user_id: int | None, *, forwarded: bool = False) -> Message:
    origin = (
        MessageOriginUser(date=datetime.now(UTC), sender_user=User(OTHER, "x", False))
        if forwarded
        else None
    )
    return Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(SENDER, Chat.PRIVATE),
        from_user=User(SENDER, "مریم", False),
        contact=Contact("989121234567", "مریم", user_id=contact_user_id),
        forward_origin=origin,
    )


@pytest.mark.parametrize("on_bale", [False, True])
def test_own_contact_is_accepted_and_someone_elses_refused(on_bale: bool) -> None:
    assert is_own_contact(_message(SENDER), SENDER, on_bale)
    assert not is_own_contact(_message(OTHER), SENDER, on_bale)


def test_a_contact_without_user_id_is_refused_on_telegram() -> None:
    assert not is_own_contact(_message(None), SENDER, trust_bare_card=False)


def test_on_bale_a_contact_without_user_id_counts_unless_forwarded() -> None:
    assert is_own_contact(_message(None), SENDER, trust_bare_card=True)
    assert not is_own_contact(_message(None, forwarded=True), SENDER, trust_bare_card=True)
