"""A citizen's account: its record, made on first contact, and what a returning citizen sees."""

from __future__ import annotations

from domain.models import Citizen
from storage import Store


async def register(store: Store, platform: str, user_id: int, chat_id: int) -> Citizen:
    """The citizen of this messenger account, created on first contact (or moved to a new chat).

    A known citizen in the same chat costs one read and no write.
    """
    return await store.citizens.get_or_create(platform, user_id, chat_id)


async def find(store: Store, platform: str, user_id: int) -> Citizen | None:
    """The citizen of this messenger account, if it ever started the bot (no write)."""
    return await store.citizens.get_by_platform_user(platform, user_id)


async def has_unfinished_application(store: Store, citizen_id: int) -> bool:
    """Whether the citizen has a draft to continue (``/start`` offers it)."""
    return await store.applications.open_draft_for_citizen(citizen_id) is not None
