"""The main menu: its buttons, its keyboard, and recognising a pressed button."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from telegram import KeyboardButton, ReplyKeyboardMarkup
from telegram.ext import filters

from domain.persian import normalize_input
from texts.i18n import N_, _


class MenuItem(StrEnum):
    """Main-menu entries; the value is the English msgid of the button label."""

    ELIGIBILITY = N_("✅ Check eligibility")
    APPLY = N_("📝 Apply and upload documents")
    TRACK = N_("🔎 Track my application")
    EXHIBITIONS = N_("🛍 Exhibitions")
    NOTIFICATIONS = N_("🔔 Notification settings")
    FAQ = N_("💬 Frequently asked questions")
    HELP = N_("❓ Help")
    CONTACT = N_("☎️ Contact an officer")


# Two buttons a row reads well on a phone; help and contact share the last row.
_LAYOUT: tuple[tuple[MenuItem, ...], ...] = (
    (MenuItem.ELIGIBILITY, MenuItem.APPLY),
    (MenuItem.TRACK, MenuItem.EXHIBITIONS),
    (MenuItem.NOTIFICATIONS, MenuItem.FAQ),
    (MenuItem.HELP, MenuItem.CONTACT),
)


def label(item: MenuItem) -> str:
    """The Persian text of a menu button."""
    return _(item.value)


def main_menu_keyboard() -> ReplyKeyboardMarkup:
    """The persistent reply keyboard with every section of the bot."""
    rows = [[KeyboardButton(label(item)) for item in row] for row in _LAYOUT]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


# Every menu filter of every handler asks about the same message text while one update is
# handled: remember the last texts (and the labels) instead of normalising them each time.
@lru_cache(maxsize=256)
def _comparable(text: str) -> str:
    """Drop emoji and punctuation so a typed «راهنما» matches the «❓ راهنما» button."""
    kept = "".join(ch for ch in normalize_input(text) if ch.isalnum() or ch in " \u200c")
    return " ".join(kept.split())


@lru_cache(maxsize=4)
def _items_by_label(labels: tuple[str, ...]) -> dict[str, MenuItem]:
    """The menu items by their comparable label (``labels`` in MenuItem order; first wins)."""
    items: dict[str, MenuItem] = {}
    for text, item in zip(labels, MenuItem, strict=True):
        items.setdefault(_comparable(text), item)
    return items


def menu_item_of(text: str | None) -> MenuItem | None:
    """Which menu button this text is, if any (typed or pressed)."""
    if not text:
        return None
    wanted = _comparable(text)
    if not wanted:
        return None
    return _items_by_label(tuple(label(item) for item in MenuItem)).get(wanted)


class MenuButtonFilter(filters.MessageFilter):
    """Matches a text message that is one given menu button (or any, when none given)."""

    def __init__(self, *items: MenuItem) -> None:
        super().__init__(name=f"MenuButtonFilter({', '.join(i.name for i in items)})")
        self._items = frozenset(items) or frozenset(MenuItem)

    def filter(self, message: object) -> bool:
        text = getattr(message, "text", None)
        return menu_item_of(text) in self._items


def menu_button(*items: MenuItem) -> MenuButtonFilter:
    """Filter for the given menu buttons; with no argument, any menu button."""
    return MenuButtonFilter(*items)
