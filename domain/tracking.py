"""Tracking codes: 8 digits (7 random, the first never 0, plus a Damm check digit).

Digits only, because Persian keyboards type digits easily and they read aloud without
ambiguity; the Damm check digit catches every single-digit error and adjacent swap. Shown as
its eight digits, ungrouped (``texts.formatting.format_tracking_code``); typed in any form.
"""

from __future__ import annotations

import random
import re
import secrets

from domain.persian import to_latin_digits

CODE_LENGTH = 8

# The Damm quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

# Separators people type or paste between digit groups: spaces, dashes, ZWNJ, bidi marks.
_SEPARATORS = re.compile(r"[\s\-_./\u200c\u200e\u200f\u2010-\u2015]")


def damm_check_digit(digits: str) -> str:
    """The Damm check digit of a string of ASCII digits."""
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return str(interim)


def new_tracking_code(rng: random.Random | None = None) -> str:
    """A fresh code; uniqueness against stored codes is the store's job (retry on collision)."""
    source = rng if rng is not None else secrets.SystemRandom()
    body = str(source.randrange(10 ** (CODE_LENGTH - 2), 10 ** (CODE_LENGTH - 1)))
    return body + damm_check_digit(body)


def normalize_tracking_code(text: str) -> str | None:
    """The canonical 8 ASCII digits of a typed code (any digit script, separators ignored)."""
    candidate = _SEPARATORS.sub("", to_latin_digits(text.strip()))
    if len(candidate) != CODE_LENGTH or not (candidate.isascii() and candidate.isdigit()):
        return None
    if candidate[0] == "0" or damm_check_digit(candidate) != "0":
        return None
    return candidate


def is_valid_tracking_code(text: str) -> bool:
    """Whether the text is a well-formed code with a correct check digit."""
    return normalize_tracking_code(text) is not None
