"""Helpers for walking the application conversation as a citizen (tests and the benchmark)."""

from __future__ import annotations

import io
import random

from PIL import Image

from botapi_emulator import BotMessage, Citizen
from handlers.menu import MenuItem, label
from texts.i18n import _

VALID_PHONE = "+989121234567"


def national_code(seed: int) -> str:
    """A valid 10-digit national code built from a seed (check digit computed)."""
    body = f"{(seed * 7919 + 123456) % 10**9:09d}"
    if len(set(body)) == 1:
        body = "123456789"
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
    return body + str(remainder if remainder < 2 else 11 - remainder)


def jpeg_bytes(seed: int = 1, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG."""
    rng = random.Random(seed)
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_bytes(text: str = "lease") -> bytes:
    """A tiny well-formed PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        + f"% {text}\n".encode()
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def last(replies: list[BotMessage]) -> str:
    """The text of the last reply (fails loudly when there is none)."""
    assert replies, "the bot did not answer"
    return replies[-1].content


async def open_application(citizen: Citizen) -> list[BotMessage]:
    """From /start to the consent question."""
    await citizen.sends_command("/start")
    return await citizen.presses(label(MenuItem.APPLY))


async def identity(citizen: Citizen, code: str, name: str = "مریم احمدی") -> list[BotMessage]:
    """Consent, own phone, name, national code and birth date."""
    await citizen.presses(_("✅ I agree"))
    await citizen.presses(_("📱 Share my mobile number"))
    await citizen.says(name)
    await citizen.says(code)
    return await citizen.says("۱۳۷۰/۰۵/۱۲")


async def business(
    citizen: Citizen,
    *,
    woman: bool = True,
    rented: bool = False,
    activity_query: str = "گلیم",
    activity: str = "گلیم‌بافی",
    plan: str = "Independent plan",
    amount: str = "۲۰۰ میلیون",
    covered_workers: str | None = None,
) -> list[BotMessage]:
    """Gender, county, rented home, activity, plan and amount (no check carried over)."""
    await citizen.presses(_("Woman") if woman else _("Man"))
    await citizen.presses("خرم‌آباد")
    await citizen.presses(_("Yes, it is rented") if rented else _("No"))
    await citizen.says(activity_query)
    await citizen.presses(activity)
    replies = await citizen.presses(_(plan))
    if covered_workers is not None:
        replies = await citizen.says(covered_workers)
    return await citizen.says(amount) if amount else replies


async def upload_all(citizen: Citizen, count: int, seed: int = 0) -> list[BotMessage]:
    """Send a photo for each awaited document (the bot moves to the next one by itself)."""
    replies: list[BotMessage] = []
    for index in range(count):
        replies = await citizen.sends_photo(jpeg_bytes(seed * 100 + index))
    return replies


async def submit(citizen: Citizen) -> list[BotMessage]:
    """Review, then confirm."""
    await citizen.presses(_("➡️ Review and submit"))
    return await citizen.presses(_("✅ Confirm and submit"))
