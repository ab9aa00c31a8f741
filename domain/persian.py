"""Persian input: fold letters and digits; parse numbers, amounts, codes, phones, dates; redact.

Pure functions with no gettext: what a citizen types comes in here; what they read goes out via
``texts.formatting``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

import jdatetime

ZWNJ = "\u200c"

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)

# Arabic code points Persian keyboards do not produce; ة is folded too, since Persian writes ه.
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"})

# Tatweel, Arabic diacritics (harakat, tanwin, shadda, sukun, hamza marks, superscript alef) and
# invisible marks pasted from other apps (LRM/RLM, bidi embeddings, zero-width space, BOM, ZWJ).
_STRIP = re.compile(
    "[\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_SPACES = re.compile(r"\s+")
# A ZWNJ next to a space or another ZWNJ is noise; the space (or one ZWNJ) wins.
_ZWNJ_NOISE = re.compile(r"\s*\u200c+\s*")

# Extra folds for search only: hamza-bearing alefs and waw are typed inconsistently.
_SEARCH_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ۀ": "ه", "ئ": "ی"})

# Thousands separators people type: Arabic ٬, Latin comma, Arabic comma ، and the apostrophe.
_THOUSANDS = re.compile(r"[٬,،'\s]")


def to_latin_digits(text: str) -> str:
    """Turn Persian ۰-۹ and Arabic-Indic ٠-٩ digits into 0-9."""
    return text.translate(_DIGITS)


def fold_arabic_letters(text: str) -> str:
    """Fold Arabic ي/ى, ك and ة into Persian ی, ک and ه; ZWNJ is kept."""
    return text.translate(_LETTERS)


def normalize_input(text: str) -> str:
    """Canonical form of typed text: folded letters, Latin digits, single spaces, ZWNJ kept."""
    text = _STRIP.sub("", fold_arabic_letters(to_latin_digits(text)))

    def _zwnj(match: re.Match[str]) -> str:
        return " " if any(ch.isspace() for ch in match.group()) else ZWNJ

    text = _ZWNJ_NOISE.sub(_zwnj, text)
    text = _SPACES.sub(" ", text).strip()
    return text.strip(ZWNJ).strip()


def fold_letter_variants(text: str) -> str:
    """Fold hamza-bearing alefs, waw and yeh and «ۀ» to their plain letters (search forms)."""
    return text.translate(_SEARCH_LETTERS)


def normalize_for_search(text: str) -> str:
    """Comparison form: normalized, casefolded, with ZWNJ and spaces removed.

    "carpet", and "carpet weaving" written as one word, with a ZWNJ or with a space, all compare
    on the same letters, so a substring test (see ``search_matches``) finds one in the other.
    """
    text = fold_letter_variants(normalize_input(text)).casefold()
    return text.replace(ZWNJ, "").replace(" ", "")


def search_matches(query: str, candidate: str) -> bool:
    """Whether a typed query is found inside a candidate text (ZWNJ/space/letter-form blind)."""
    needle = normalize_for_search(query)
    return bool(needle) and needle in normalize_for_search(candidate)


def parse_int(text: str) -> int | None:
    """Read a non-negative whole number in any digit script, tolerating thousands separators."""
    digits = _THOUSANDS.sub("", normalize_input(text))
    if not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)


# --- money ---------------------------------------------------------------------------------

# Unit words are input patterns (what citizens type), not output texts.
_MULTIPLIERS: dict[str, int] = {
    "هزار": 1_000,
    "میلیون": 1_000_000,
    "ملیون": 1_000_000,
    "میلیارد": 1_000_000_000,
    "ملیارد": 1_000_000_000,
    "thousand": 1_000,
    "k": 1_000,
    "million": 1_000_000,
    "m": 1_000_000,
    "billion": 1_000_000_000,
}
_TOMAN_WORDS = ("تومان", "تومن", "toman", "tomans")
_RIAL_WORDS = ("ریال", "rial", "rials")
_AMOUNT_PART = re.compile(r"^([0-9][0-9٬,،'.٫/]*)\s*([^\s0-9]*)$")


def _parse_decimal(number: str) -> Decimal | None:
    """Read «1,500», «1.5», «1٫5», «1/5» or «200.000.000» (dots as thousands separators)."""
    number = re.sub(r"[٬,،']", "", number).replace("٫", ".").replace("/", ".")
    parts = number.split(".")
    if len(parts) > 2:
        if all(len(part) == 3 for part in parts[1:]):
            number = "".join(parts)
        else:
            return None
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_amount_toman(text: str) -> int | None:
    """Read toman: "200,000,000", "200 million toman", "1.5 billion", "2 billion and 500 million".

    Unit words in Persian or English, any digits. An amount ending in "rial" (Persian or English)
    is converted to toman. None when unreadable or not a whole toman.
    """
    text = normalize_input(text).casefold()
    divisor = 1
    for word in _TOMAN_WORDS + _RIAL_WORDS:
        if text.endswith(word):
            text = text.removesuffix(word).strip()
            divisor = 10 if word in _RIAL_WORDS else 1
            break
    if not text:
        return None
    total = Decimal(0)
    for raw_part in re.split(r"\s+و\s+|\s*\+\s*", text):
        part = re.sub(r"\s+(?=[0-9٬,،'.٫/])|(?<=[0-9٬,،'.٫/])\s+(?=[0-9])", "", raw_part.strip())
        match = _AMOUNT_PART.match(part)
        if match is None:
            return None
        value = _parse_decimal(match.group(1))
        unit = match.group(2)
        if value is None or (unit and unit not in _MULTIPLIERS):
            return None
        total += value * _MULTIPLIERS.get(unit, 1)
    if total <= 0 or total % divisor != 0 or total != total.to_integral_value():
        return None
    return int(total) // divisor


def toman_to_rials(toman: int) -> int:
    """Amounts are stored in rials; one toman is ten rials."""
    return toman * 10


# --- national code -------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-–_.]")


def is_valid_national_code(code: str) -> bool:
    """Check a 10-digit Iranian national code ("code-e melli") by its check digit."""
    code = to_latin_digits(code)
    if len(code) != 10 or not code.isascii() or not code.isdigit() or len(set(code)) == 1:
        return False
    digits = [int(ch) for ch in code]
    remainder = sum(digit * (10 - i) for i, digit in enumerate(digits[:9])) % 11
    expected = remainder if remainder < 2 else 11 - remainder
    return digits[9] == expected


def normalize_national_code(text: str) -> str | None:
    """The 10-digit code in Latin digits (8 or 9 digits are left-padded), or None if invalid."""
    code = _SEPARATORS.sub("", normalize_input(text))
    if not code.isascii() or not code.isdigit() or not 8 <= len(code) <= 10:
        return None
    code = code.zfill(10)
    return code if is_valid_national_code(code) else None


# --- mobile --------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-–_.()]")


def normalize_mobile(text: str) -> str | None:
    """Canonical «+989XXXXXXXXX» from 09…, 9…, +989…, 00989…, 989… (any digits); else None."""
    phone = _PHONE_SEPARATORS.sub("", normalize_input(text))
    international = phone.startswith(("+", "00"))
    phone = phone.removeprefix("+") if phone.startswith("+") else phone.removeprefix("00")
    if not phone.isascii() or not phone.isdigit():
        return None
    if international or len(phone) in (12, 13):
        # After a country code, 98 is required; a local 0 may follow it («+98 0912…»).
        if not phone.startswith("98"):
            return None
        phone = phone[2:]
        if len(phone) == 11:
            phone = phone.removeprefix("0")
    elif len(phone) == 11:
        phone = phone.removeprefix("0")
    if len(phone) != 10 or not phone.startswith("9"):
        return None
    return "+98" + phone


# --- bank branches -------------------------------------------------------------------------

# The word «branch» officers (and bank reports) type before a branch's name, with or without its
# ezafe («شعبه», «شعبهٔ», «شعبۀ», «شعبه‌ی»); the texts say «شعبهٔ …» themselves.
_BRANCH_WORD = re.compile(r"^\s*شعب(?:ه\u0654?|ۀ)(?:\u200c?ی|\s+ی(?=\s))?(?=[\s0-9۰-۹٠-٩])\s*")


def strip_branch_word(text: str) -> str:
    """A branch's name without a leading «شعبه»: «شعبه مرکزی» → «مرکزی» (never empties it)."""
    folded = fold_arabic_letters(text).strip()
    rest = _BRANCH_WORD.sub("", folded, count=1).strip()
    return rest or folded


# --- dates ---------------------------------------------------------------------------------

_DATE_SPLIT = re.compile(r"\s*[/\-.\\]\s*|\s+")
_OLDEST_AGE_YEARS = 130


def date_from_parts(parts: Sequence[str]) -> date | None:
    """A Gregorian date from three digit strings, the 4-digit year first or last; else None.

    A year below 1700 is Jalali («1404/08/15», «15/08/1404»), any other Gregorian.
    """
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    first, month, last = (int(p) for p in parts)
    if len(parts[0]) == 4:
        year, day = first, last
    elif len(parts[2]) == 4:
        year, day = last, first
    else:
        return None
    try:
        if year < 1700:
            result: date = jdatetime.date(year, month, day).togregorian()
            return result
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def parse_birth_date(text: str, today: date) -> date | None:
    """Read a birth date, Jalali («1370/5/12») or Gregorian («1991-08-03»), as a Gregorian date.

    A year below 1700 is Jalali; «12/5/1370» (day first) is read too. None when invalid,
    in the future, or implausibly old.
    """
    result = date_from_parts(_DATE_SPLIT.split(normalize_input(text)))
    if result is None or result > today or today.year - result.year > _OLDEST_AGE_YEARS:
        return None
    return result


def parse_year(text: str) -> int | None:
    """Gregorian birth year from a Jalali (1300-1499) or Gregorian (1900-2100) year.

    A Jalali year is mapped to the Gregorian year holding most of it (Farvardin to Dey): +621.
    """
    year = parse_int(text)
    if year is None:
        return None
    if 1300 <= year <= 1499:
        return year + 621
    if 1900 <= year <= 2100:
        return year
    return None


# --- redaction for logs --------------------------------------------------------------------


def _mask_digits(text: str, keep: int = 2) -> str:
    digits = [ch for ch in to_latin_digits(text) if ch.isdigit()]
    if len(digits) <= keep:
        return "*" * len(digits)
    return "*" * (len(digits) - keep) + "".join(digits[-keep:])


def mask_national_code(code: str) -> str:
    """Hide all but the last two digits: «********23»."""
    return _mask_digits(code)


def mask_phone(phone: str) -> str:
    """Hide all but the last two digits of a phone number: «**********67»."""
    return _mask_digits(phone)


# Matched against the Latin-digit view of the text, so every digit script is caught.
_SEP = r"[ \-.]?"
_MOBILE_LIKE = re.compile(
    r"(?<![0-9+])(?:(?:\+|00)" + _SEP + r"98" + _SEP + r"(?:0" + _SEP + r")?|98" + _SEP + r"|0)?"
    r"9(?:" + _SEP + r"[0-9]){9}(?![0-9])"
)
_CODE_LIKE = re.compile(r"(?<![0-9])[0-9](?:" + _SEP + r"[0-9]){9}(?![0-9])")
# 8 or 9 bare digits are a code typed without its leading zeros only when the check digit agrees;
# this spares most chat ids and amounts.
_SHORT_CODE_LIKE = re.compile(r"(?<![0-9])[0-9]{8,9}(?![0-9])")


def _is_short_code(found: str) -> bool:
    return is_valid_national_code(found.zfill(10))


def _mask_matches(text: str, pattern: re.Pattern[str], keep: Callable[[str], bool]) -> str:
    """Mask the matches found in the Latin-digit view; the original digit script stays elsewhere."""
    latin = to_latin_digits(text)  # same length: the digit mapping is one character to one
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(latin):
        if not keep(match.group()):
            continue
        pieces.append(text[last : match.start()])
        pieces.append(_mask_digits(match.group()))
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def redact(text: str) -> str:
    """Mask every Iranian-mobile-looking or national-code-looking number in free text."""
    text = _mask_matches(text, _MOBILE_LIKE, lambda _found: True)
    text = _mask_matches(text, _CODE_LIKE, lambda _found: True)
    return _mask_matches(text, _SHORT_CODE_LIKE, _is_short_code)
