"""Persian input: folding, numbers, amounts, national codes, mobiles, dates, redaction."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.persian import (
    ZWNJ,
    fold_arabic_letters,
    is_valid_national_code,
    mask_national_code,
    mask_phone,
    normalize_for_search,
    normalize_input,
    normalize_mobile,
    normalize_national_code,
    parse_amount_toman,
    parse_birth_date,
    parse_int,
    parse_year,
    redact,
    search_matches,
    to_latin_digits,
    toman_to_rials,
)

PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
ARABIC = "٠١٢٣٤٥٦٧٨٩"
TODAY = date(2026, 1, 1)


def _in_script(text: str, script: str) -> str:
    return text.translate(str.maketrans("0123456789", script))


def _check_digit(first_nine: str) -> str:
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    return str(remainder if remainder < 2 else 11 - remainder)


valid_codes = (
    st.text(alphabet="0123456789", min_size=9, max_size=9)
    .map(lambda nine: nine + _check_digit(nine))
    .filter(lambda code: len(set(code)) > 1)
)


# --- digits and letters ---------------------------------------------------------------------


def test_digits_of_every_script_become_latin() -> None:
    assert to_latin_digits(PERSIAN) == "0123456789"
    assert to_latin_digits(ARABIC) == "0123456789"
    assert to_latin_digits("کد ۱۲3") == "کد 123"


@given(st.integers(min_value=0))
def test_latin_digits_round_trip_from_any_script(n: int) -> None:
    for script in (PERSIAN, ARABIC, "0123456789"):
        assert to_latin_digits(_in_script(str(n), script)) == str(n)


def test_arabic_letters_fold_to_persian_and_zwnj_is_kept() -> None:
    assert fold_arabic_letters("علي كريمى") == "علی کریمی"
    assert fold_arabic_letters("فاطمة") == "فاطمه"
    assert fold_arabic_letters(f"قالی{ZWNJ}بافی") == f"قالی{ZWNJ}بافی"


def test_normalize_input_cleans_typing_noise() -> None:
    typed = "  علــي   كَريمي\u200f  ۱۲۳\n"
    assert normalize_input(typed) == "علی کریمی 123"
    assert normalize_input(f"قالی{ZWNJ}بافی") == f"قالی{ZWNJ}بافی"
    # A ZWNJ glued to a space is noise; doubled ZWNJs collapse.
    assert normalize_input(f"قالی {ZWNJ}بافی") == "قالی بافی"
    assert normalize_input(f"قالی{ZWNJ}{ZWNJ}بافی") == f"قالی{ZWNJ}بافی"


@given(st.text())
def test_normalize_input_is_idempotent(text: str) -> None:
    once = normalize_input(text)
    assert normalize_input(once) == once


@given(st.text())
def test_normalize_for_search_is_idempotent(text: str) -> None:
    once = normalize_for_search(text)
    assert normalize_for_search(once) == once


@pytest.mark.parametrize("candidate", ["قالیبافی", f"قالی{ZWNJ}بافی", "قالی بافی", "قالي بافى"])
def test_search_is_blind_to_zwnj_spaces_and_arabic_letters(candidate: str) -> None:
    assert search_matches("قالی", candidate)
    assert search_matches(f"قالی{ZWNJ}بافی", candidate)
    assert search_matches("قاليبافي", candidate)


def test_search_folds_latin_case_and_rejects_empty_queries() -> None:
    assert search_matches("PYTHON", "برنامه‌نویسی python")
    assert not search_matches("  ", "قالیبافی")
    assert not search_matches("گلیم", "قالیبافی")


# --- numbers and money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("۲۰۰٬۰۰۰٬۰۰۰", 200_000_000),
        ("٢٠٠،٠٠٠", 200_000),
        ("1,500", 1500),
        (" ۱ ۲۳۴ ", 1234),
        ("", None),
        ("12a", None),
        ("-5", None),
        ("1.5", None),
    ],
)
def test_parse_int(text: str, expected: int | None) -> None:
    assert parse_int(text) == expected


@given(st.integers(min_value=0), st.sampled_from([PERSIAN, ARABIC, "0123456789"]))
def test_parse_int_reads_grouped_numbers_in_any_script(n: int, script: str) -> None:
    grouped = _in_script(f"{n:,}", script)
    assert parse_int(grouped) == n
    assert parse_int(grouped.replace(",", "٬")) == n


@pytest.mark.parametrize(
    ("text", "toman"),
    [
        ("200000000", 200_000_000),
        ("۲۰۰٬۰۰۰٬۰۰۰", 200_000_000),
        ("۲۰۰ میلیون", 200_000_000),
        ("200 میلیون تومان", 200_000_000),
        ("۲۰۰ ملیون تومن", 200_000_000),
        ("۱.۵ میلیارد", 1_500_000_000),
        ("۱٫۵ میلیارد", 1_500_000_000),
        ("۱/۵ میلیارد", 1_500_000_000),
        ("۲ میلیارد", 2_000_000_000),
        ("۵۰۰ هزار", 500_000),
        ("۲ میلیارد و ۵۰۰ میلیون", 2_500_000_000),
        ("200.000.000", 200_000_000),
        ("۲۰۰۰۰۰۰۰۰۰ ریال", 200_000_000),
        ("500 million", 500_000_000),
    ],
)
def test_parse_amount_toman_reads_what_citizens_type(text: str, toman: int) -> None:
    assert parse_amount_toman(text) == toman


@pytest.mark.parametrize(
    "text", ["", "تومان", "زیاد", "۲۰۰ میلیون دلار", "1.5", "0", "۱۵ ریال", "1.2.3", "میلیون"]
)
def test_parse_amount_toman_refuses_the_unreadable(text: str) -> None:
    assert parse_amount_toman(text) is None


@given(st.integers(min_value=1, max_value=10**13))
def test_parse_amount_toman_reads_plain_grouped_numbers(toman: int) -> None:
    assert parse_amount_toman(_in_script(f"{toman:,}", PERSIAN).replace(",", "٬")) == toman


def test_toman_to_rials() -> None:
    assert toman_to_rials(200_000_000) == 2_000_000_000


# --- national code --------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["0013542419", "0499370899", "0790419904", "0084575948"])
def test_known_valid_national_codes(code: str) -> None:
    assert is_valid_national_code(code)


@pytest.mark.parametrize(
    "code", ["0013542418", "1111111111", "0000000000", "123456789", "12345678901", "001354241a"]
)
def test_invalid_national_codes(code: str) -> None:
    assert not is_valid_national_code(code)


@given(valid_codes)
def test_generated_codes_validate(code: str) -> None:
    assert is_valid_national_code(code)
    assert normalize_national_code(_in_script(code, PERSIAN)) == code
    assert normalize_national_code(f"{code[:3]}-{code[3:9]}-{code[9]}") == code


def _remainder(code: str) -> int:
    return sum(int(d) * (10 - i) for i, d in enumerate(code[:9])) % 11


@given(valid_codes, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_invalidates(code: str, position: int, shift: int) -> None:
    digits = list(code)
    digits[position] = str((int(digits[position]) + shift) % 10)
    altered = "".join(digits)
    # The one blind spot of the official check: remainders 1 and 10 share check digit 1.
    blind_spot = {_remainder(code), _remainder(altered)} == {1, 10}
    assert not is_valid_national_code(altered) or blind_spot


@given(valid_codes, st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_always_invalidates(code: str, shift: int) -> None:
    altered = code[:9] + str((int(code[9]) + shift) % 10)
    assert not is_valid_national_code(altered)


# Built with its leading zeros rather than filtered: nine in ten codes do not start with 0.
codes_with_leading_zeros = (
    st.tuples(st.integers(1, 3), st.text(alphabet="0123456789", min_size=6, max_size=8))
    .map(lambda parts: ("0" * parts[0] + parts[1])[:9].ljust(9, "1"))
    .map(lambda nine: nine + _check_digit(nine))
    .filter(lambda code: len(set(code)) > 1)
)


@given(codes_with_leading_zeros)
def test_leading_zeros_may_be_omitted(code: str) -> None:
    assert normalize_national_code(code.lstrip("0")) == (
        code if len(code.lstrip("0")) >= 8 else None
    )


def test_normalize_national_code_rejects_junk() -> None:
    assert normalize_national_code("abc") is None
    assert normalize_national_code("0013542418") is None
    assert normalize_national_code("1234567") is None


# --- mobile ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "09121234567",
        "9121234567",
        "+989121234567",
        "00989121234567",
        "989121234567",
        "۰۹۱۲ ۱۲۳ ۴۵۶۷",
        "٠٩١٢-١٢٣-٤٥٦٧",
        "+98 912 123 4567",
        "+98 0912 123 4567",
        "\u200e+98 (912) 123-4567",
    ],
)
def test_mobile_forms_become_canonical(text: str) -> None:
    assert normalize_mobile(text) == "+989121234567"


@pytest.mark.parametrize(
    "text", ["02112345678", "+14155550100", "0912123456", "091212345678", "+9891212345", "abc", ""]
)
def test_non_iranian_mobiles_are_refused(text: str) -> None:
    assert normalize_mobile(text) is None


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_mobile_form_normalizes_alike(rest: str) -> None:
    canonical = "+989" + rest
    for form in ("09" + rest, "9" + rest, "+989" + rest, "00989" + rest, "989" + rest):
        assert normalize_mobile(form) == canonical
        assert normalize_mobile(_in_script(form, PERSIAN)) == canonical


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["1370/5/12", "۱۳۷۰-۰۵-۱۲", "1370 5 12", "١٣٧٠/٠٥/١٢", "12/5/1370", "1991-08-03", "1991/8/3"],
)
def test_birth_dates_in_both_calendars(text: str) -> None:
    assert parse_birth_date(text, TODAY) == date(1991, 8, 3)


@pytest.mark.parametrize(
    "text", ["1404/12/30", "1370/13/1", "2030/1/1", "1850/1/1", "70/5/12", "hello", "1370/5"]
)
def test_impossible_birth_dates_are_refused(text: str) -> None:
    assert parse_birth_date(text, TODAY) is None


def test_jalali_leap_day() -> None:
    assert parse_birth_date("1403/12/30", TODAY) == date(2025, 3, 20)


@pytest.mark.parametrize(
    ("text", "year"),
    [("1370", 1991), ("۱۳۷۰", 1991), ("1991", 1991), ("1299", None), ("2200", None), ("x", None)],
)
def test_parse_year(text: str, year: int | None) -> None:
    assert parse_year(text) == year


# --- redaction ------------------------------------------------------------------------------


def test_masks_keep_the_last_two_digits() -> None:
    assert mask_national_code("0013542419") == "********19"
    assert mask_phone("+989121234567") == "**********67"
    assert mask_phone("۰۹۱۲۱۲۳۴۵۶۷") == "*********67"


@pytest.mark.parametrize(
    "secret",
    [
        "0013542419",
        "۰۰۱۳۵۴۲۴۱۹",
        "001-354241-9",
        "13542419",
        "09121234567",
        "۰۹۱۲ ۱۲۳ ۴۵۶۷",
        "+989121234567",
        "+98 912 123 4567",
        "989121234567",
        "٠٩١٢١٢٣٤٥٦٧",
    ],
)
def test_redact_hides_codes_and_mobiles_in_free_text(secret: str) -> None:
    redacted = redact(f"user sent {secret} at step 3")
    assert to_latin_digits(secret) not in to_latin_digits(redacted)
    assert redacted.startswith("user sent *")
    assert redacted.endswith(" at step 3")


def test_redact_keeps_ordinary_numbers() -> None:
    text = "chat -1001234567890 step 3 on 2026-02-24 amount 200,000,000"
    assert redact(text) == text


@given(valid_codes)
def test_redact_never_leaks_a_valid_code(code: str) -> None:
    assert code not in redact(f"code={code};")
    assert _in_script(code, PERSIAN) not in redact(f"کد {_in_script(code, PERSIAN)}")
