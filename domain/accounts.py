"""A person's account on a messenger: the platform and that platform's user id.

Telegram's and Bale's user ids are separate number spaces, so a user id alone names nobody
once one store serves both: everywhere a person is identified, it is by ``Account``.
"""

from __future__ import annotations

from typing import NamedTuple


class Account(NamedTuple):
    """One account: ``platform`` is ``"telegram"`` or ``"bale"``; in a private chat the user
    id is also the chat id."""

    platform: str
    user_id: int

    def __str__(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @classmethod
    def parse(cls, text: str, default_platform: str | None = None) -> Account:
        """``bale:123`` (or ``123`` when a default platform is given); ValueError otherwise."""
        platform, sep, raw = text.strip().rpartition(":")
        if not sep:
            platform = default_platform or ""
        raw = raw.strip()
        if not platform or not raw.lstrip("-").isdigit():
            raise ValueError(text)
        return cls(platform.strip().lower(), int(raw))


def officer_account(actor: str, default_platform: str | None) -> Account | None:
    """The officer's account in an audit actor string: ``officer:<platform>:<user id>``, or
    ``officer:<user id>`` (written before two platforms: ``default_platform``'s); else None."""
    kind, _sep, rest = actor.partition(":")
    if kind != "officer":
        return None
    try:
        return Account.parse(rest, default_platform)
    except ValueError:
        return None
