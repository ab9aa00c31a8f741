"""One-line descriptions of platform errors, for log lines and the outbox's attempt records."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable

from telegram.error import NetworkError, TimedOut

from config.logging_setup import configure_logging, one_line


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


def _logged(json_lines: bool, emit: Callable[[logging.Logger], None]) -> list[str]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(logging.DEBUG, ("999:configured-secret-token",), json_lines=json_lines)
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        emit(logging.getLogger("homebiz.test"))
    finally:
        root.handlers[:], _level = saved
        root.setLevel(saved[1])
    return stream.getvalue().splitlines()


def _leaky(logger: logging.Logger) -> None:
    try:
        raise ValueError("national code 0012345679 in\na message")
    except ValueError:
        logger.exception(
            "token 123456:ABCdefGHIjklMNOpqrSTUvwx, configured 999:configured-secret-token, "
            "url https://bot.example.ir/webhook/bale/%s, phone %s",
            "s3cr3t-PATH-segment-of-43-characters-abcdef",
            "09121234567",
        )


def test_every_event_is_one_line_and_nothing_secret_is_in_it() -> None:
    for json_lines in (False, True):
        lines = _logged(json_lines, _leaky)
        assert len(lines) == 1, lines
        line = lines[0]
        for secret in (
            "ABCdefGHIjklMNOpqrSTUvwx",
            "configured-secret-token",
            "s3cr3t-PATH",
            "0012345679",
            "09121234567",
        ):
            assert secret not in line, (secret, line)
        assert "/webhook/bale/<secret>" in line and "ValueError" in line


def test_json_lines_are_objects_with_the_usual_fields() -> None:
    (line,) = _logged(True, lambda logger: logger.warning("outbox row %d: retry", 7))
    record = json.loads(line)
    assert record["level"] == "WARNING" and record["logger"] == "homebiz.test"
    assert record["message"] == "outbox row 7: retry" and "time" in record
