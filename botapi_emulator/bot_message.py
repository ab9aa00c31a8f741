"""BotMessage: a bot's message as the citizen's app shows it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BotMessage:
    """A message the bot sent to the citizen, as the citizen's app shows it."""

    message_id: int
    text: str | None
    caption: str | None
    reply_markup: dict[str, Any] | None
    buttons: list[list[str]] = field(default_factory=list)
    inline_buttons: list[list[tuple[str, str | None]]] = field(default_factory=list)
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    is_edited: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotMessage:
        """Build from a Message object (with its reply keyboard, if any)."""
        markup = data.get("reply_markup")
        buttons: list[list[str]] = []
        inline: list[list[tuple[str, str | None]]] = []
        if isinstance(markup, dict):
            for row in markup.get("keyboard") or []:
                buttons.append([b["text"] if isinstance(b, dict) else str(b) for b in row])
            for row in markup.get("inline_keyboard") or []:
                inline.append([(b["text"], b.get("callback_data")) for b in row])
        return cls(
            message_id=int(data["message_id"]),
            text=data.get("text"),
            caption=data.get("caption"),
            reply_markup=markup if isinstance(markup, dict) else None,
            buttons=buttons,
            inline_buttons=inline,
            document=data.get("document"),
            photo=data.get("photo"),
            is_edited="edit_date" in data,
            raw=data,
        )

    @property
    def content(self) -> str:
        """Text or caption (empty string for neither)."""
        return self.text or self.caption or ""

    @property
    def has_keyboard(self) -> bool:
        """Whether this message carries a reply or inline keyboard."""
        return bool(self.buttons or self.inline_buttons)

    @property
    def inline_labels(self) -> list[str]:
        """The inline buttons' labels, row after row."""
        return [text for row in self.inline_buttons for text, _data in row]


def newest_with_button(messages: Iterable[BotMessage], label: str) -> BotMessage:
    """The newest of ``messages`` with an inline button ``label``: the one to press it on when
    another message with buttons (an officer's alert from the outbox) may arrive just after."""
    for message in sorted(messages, key=lambda m: -m.message_id):
        if label in message.inline_labels:
            return message
    raise AssertionError(f"no message with {label!r}: {[m.content for m in messages]}")
