"""One-line descriptions of platform errors, for log lines and the outbox's attempt records."""

from __future__ import annotations

from telegram.error import NetworkError, TimedOut

from config.logging_setup import one_line


def test_an_html_body_is_left_out() -> None:
    error = NetworkError(
        "Bad Gateway (502). Parsing the server response b'<html>\\r\\n<head><title>502 Bad "
        "Gateway</title></head>\\r\\n</html>\\r\\n' failed"
    )
    assert one_line(error) == "Bad Gateway (502)"


def test_line_breaks_are_folded_and_long_text_is_cut() -> None:
    assert one_line(RuntimeError("first\nsecond")) == "first second"
    assert one_line(RuntimeError("x" * 300), limit=10) == "x" * 9 + "…"
    assert one_line(TimedOut()) == "Timed out"
    assert one_line(RuntimeError()) == "RuntimeError"
