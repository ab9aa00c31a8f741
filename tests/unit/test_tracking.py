"""Tracking codes: 8 digits with a Damm check digit that catches typing and reading mistakes."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.tracking import (
    damm_check_digit,
    is_valid_tracking_code,
    new_tracking_code,
    normalize_tracking_code,
)
from texts.formatting import format_tracking_code

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_damm_reference_value() -> None:
    assert damm_check_digit("572") == "4"  # the textbook example


def test_new_codes_are_eight_valid_digits() -> None:
    rng = random.Random(7)
    for _ in range(200):
        code = new_tracking_code(rng)
        assert len(code) == 8 and code.isdigit() and code[0] != "0"
        assert is_valid_tracking_code(code)


def test_same_seed_same_code_and_system_randomness_by_default() -> None:
    assert new_tracking_code(random.Random(1)) == new_tracking_code(random.Random(1))
    assert is_valid_tracking_code(new_tracking_code())


def test_any_digit_script_and_separators_are_accepted() -> None:
    code = new_tracking_code(random.Random(3))
    grouped = f"{code[:4]}-{code[4:]}"  # the form earlier confirmations showed
    for typed in (
        code.translate(PERSIAN),
        code.translate(ARABIC),
        grouped,
        f" {code[:4]} {code[4:]} ",
    ):
        assert normalize_tracking_code(typed) == code
    assert normalize_tracking_code(grouped.translate(PERSIAN)) == code


@pytest.mark.parametrize("text", ["", "1234567", "123456789", "abcdefgh", "1234 567x", "0" * 8])
def test_malformed_text_is_not_a_code(text: str) -> None:
    assert normalize_tracking_code(text) is None


codes = st.randoms(use_true_random=False).map(new_tracking_code)


@given(codes)
def test_every_single_digit_substitution_is_detected(code: str) -> None:
    for position in range(len(code)):
        for digit in "0123456789":
            if digit != code[position]:
                typo = code[:position] + digit + code[position + 1 :]
                assert not is_valid_tracking_code(typo), typo


@given(codes)
def test_every_adjacent_transposition_is_detected(code: str) -> None:
    for position in range(len(code) - 1):
        a, b = code[position], code[position + 1]
        if a != b:
            swapped = code[:position] + b + a + code[position + 2 :]
            assert not is_valid_tracking_code(swapped), swapped


def test_one_shown_form_eight_persian_digits_that_reads_back() -> None:
    code = new_tracking_code(random.Random(5))
    shown = format_tracking_code(code)
    assert shown == code.translate(PERSIAN) and "-" not in shown and len(shown) == 8
    assert normalize_tracking_code(shown) == code
    # Pasted with a separator or the invisible marks a phone adds: still the same code.
    for pasted in (f"{shown[:4]}-{shown[4:]}", f"{shown[:4]} {shown[4:]}", f"\u200f{shown}\u200e"):
        assert normalize_tracking_code(pasted) == code
