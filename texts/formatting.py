"""Persian output: digits, thousands separators, toman amounts and Jalali dates for citizens.

Words (month names, toman, million, "at" before a time) come from the gettext catalogue.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import jdatetime

from domain.persian import strip_branch_word
from texts.i18n import N_, _

TEHRAN = ZoneInfo("Asia/Tehran")

THOUSANDS_SEPARATOR = "\u066c"  # «٬» ARABIC THOUSANDS SEPARATOR
DECIMAL_SEPARATOR = "\u066b"  # «٫» ARABIC DECIMAL SEPARATOR

_PERSIAN_DIGITS = str.maketrans("0123456789٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹" * 2)

# Jalali months in calendar order; translated at call time so the catalogue can change.
JALALI_MONTHS: tuple[str, ...] = (
    N_("Farvardin"),
    N_("Ordibehesht"),
    N_("Khordad"),
    N_("Tir"),
    N_("Mordad"),
    N_("Shahrivar"),
    N_("Mehr"),
    N_("Aban"),
    N_("Azar"),
    N_("Dey"),
    N_("Bahman"),
    N_("Esfand"),
)

# Short-form units, largest first: (toman per unit, msgid).
_SHORT_UNITS: tuple[tuple[int, str], ...] = (
    (1_000_000_000, N_("{amount} billion toman")),
    (1_000_000, N_("{amount} million toman")),
    (1_000, N_("{amount} thousand toman")),
)


def to_persian_digits(value: str | int) -> str:
    """Show Latin and Arabic-Indic digits as Persian ۰-۹."""
    return str(value).translate(_PERSIAN_DIGITS)


def format_tracking_code(code: str) -> str:
    """A tracking code the one way citizens and officers see it: eight Persian digits, ungrouped.

    Not «۸۲۶۳-۳۲۶۰»: after Persian words a dash does not hold Persian digits together, so the
    two groups show in swapped order («۳۲۶۰-۸۲۶۳») and the code is read, and typed, wrong.
    Lookups accept every form (``domain.tracking.normalize_tracking_code``).
    """
    return to_persian_digits(code)


def format_phone(phone: str | None) -> str:
    """A stored mobile («+989121234567») the way people write it: «۰۹۱۲۱۲۳۴۵۶۷»; «—» if none."""
    if not phone:
        return "—"
    if phone.startswith("+98"):
        phone = "0" + phone.removeprefix("+98")
    return to_persian_digits(phone)


_LATIN_LETTER = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"\S+")


def format_typed_text(text: str) -> str:
    """What someone typed, shown back inside the bot's own text: its digits in Persian.

    A word with Latin letters in it (a web address, «A4», a file name) keeps its digits as typed,
    since changing them would change what it says.
    """

    def persian(word: re.Match[str]) -> str:
        found = word.group()
        return found if _LATIN_LETTER.search(found) else to_persian_digits(found)

    return _WORD.sub(persian, text)


def format_branch(branch: str | None) -> str:
    """A bank branch for «…، شعبهٔ {branch}»: without a typed «شعبه» of its own, Persian digits."""
    return format_typed_text(strip_branch_word(branch)) if branch else ""


def format_number(n: int) -> str:
    """A whole number in Persian digits with «٬» between thousands: «۲۰۰٬۰۰۰٬۰۰۰»."""
    return to_persian_digits(f"{n:,}".replace(",", THOUSANDS_SEPARATOR))


def _format_tenths(tenths: int) -> str:
    """A number given in tenths, with «٫» only when it has a fraction: 15 → «۱٫۵», 20 → «۲»."""
    sign = "-" if tenths < 0 else ""
    whole, fraction = divmod(abs(tenths), 10)
    text = format_number(whole)
    if fraction:
        text += DECIMAL_SEPARATOR + to_persian_digits(fraction)
    return sign + text


def format_decimal(value: float) -> str:
    """A number to one decimal, «٫» only when it has a fraction: 1.5 → «۱٫۵», 2.0 → «۲»."""
    return _format_tenths(round(value * 10))


def format_toman(rials: int) -> str:
    """Stored rials shown as toman in full, e.g. "200,000,000 toman" in Persian digits."""
    return _("{amount} toman").format(amount=_format_tenths(rials))


def format_toman_short(rials: int) -> str:
    """Round amounts with a unit ("200 million toman", "1.5 billion toman"); else the full form."""
    magnitude = abs(rials)
    for toman_per_unit, msgid in _SHORT_UNITS:
        rials_per_tenth = toman_per_unit  # a tenth of the unit in toman, times ten rials
        if magnitude >= toman_per_unit * 10 and magnitude % rials_per_tenth == 0:
            tenths = rials // rials_per_tenth
            return _(msgid).format(amount=_format_tenths(tenths))
    return format_toman(rials)


def _to_local_date(value: date | datetime, tz: ZoneInfo) -> jdatetime.date:
    """The Jalali calendar day of a date or instant in ``tz`` (naive datetimes are UTC)."""
    if isinstance(value, datetime):
        value = _to_local(value, tz).date()
    return jdatetime.date.fromgregorian(date=value)


def _to_local(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz)


def format_jalali_date(value: date | datetime, tz: ZoneInfo = TEHRAN) -> str:
    """A Jalali date with the month in words, e.g. "5 Esfand 1404" in Persian."""
    jalali = _to_local_date(value, tz)
    return _("{day} {month} {year}").format(
        day=to_persian_digits(jalali.day),
        month=_(JALALI_MONTHS[jalali.month - 1]),
        year=to_persian_digits(jalali.year),
    )


def format_jalali_datetime(value: datetime, tz: ZoneInfo = TEHRAN) -> str:
    """A Jalali date with the local time (msgid "{date}, at {time}"): "5 Esfand 1404, at 14:30"."""
    local = _to_local(value, tz)
    return _("{date}, at {time}").format(
        date=format_jalali_date(local, tz),
        time=to_persian_digits(f"{local.hour:02d}:{local.minute:02d}"),
    )


def format_jalali_short(value: date | datetime, tz: ZoneInfo = TEHRAN) -> str:
    """A compact Jalali date: «۱۴۰۴/۱۲/۰۵»."""
    jalali = _to_local_date(value, tz)
    return to_persian_digits(f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}")
