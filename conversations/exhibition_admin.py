"""Officers create, edit and cancel exhibitions, and answer booth requests (placeholder)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import BotContext


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    """The officer's exhibitions conversation."""
    return []
