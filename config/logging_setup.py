"""Logging for the bot: one format, and no national code, phone or token ever in clear.

Where lines go: the bot (``homebiz run``) logs to stderr, which is its service log. The
office's commands print Persian for the officer on stdout and keep their log lines out of
it: they go to ``DATA_DIR/logs/homebiz.log``, and to stderr too only with ``--verbose``.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
from datetime import UTC, datetime
from pathlib import Path

from domain.persian import redact

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The office's log file: a few lines per command, so a small rotation is plenty.
LOG_FILE_BYTES = 1_000_000
LOG_FILE_BACKUPS = 3


# Anything shaped like a bot token (either platform's, configured or not) and a Bale
# webhook's secret path segment, wherever a library might print one.
_TOKEN_LIKE = re.compile(r"\b\d{4,}:[A-Za-z0-9_-]{20,}")
_WEBHOOK_PATH = re.compile(r"(/webhook/[a-z]+/)[A-Za-z0-9_-]{16,}")


class RedactingFilter(logging.Filter):
    """Masks tokens, webhook secrets, national codes and phone numbers in every record."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<secret>")
        text = _TOKEN_LIKE.sub("<token>", text)
        text = _WEBHOOK_PATH.sub(r"\1<secret>", text)
        return redact(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self._clean(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


# python-telegram-bot logs a traceback (ERROR) whenever an answer is not JSON, e.g. a proxy's
# HTML 502 page, and then raises NetworkError, which our callers retry and log themselves.
_PTB_REQUEST_LOGGER = "telegram.request.BaseRequest"
_PTB_NOT_JSON = "Can not load invalid JSON data"
_PTB_BODY_SUFFIX = ". Parsing the server response"


def one_line(exc: BaseException, limit: int = 200) -> str:
    """An exception as one short log line: no response body, no line breaks.

    ``NetworkError("Bad Gateway (502). Parsing the server response b'<html>…' failed")``
    becomes ``Bad Gateway (502)``.
    """
    text = str(exc).split(_PTB_BODY_SUFFIX, 1)[0]
    text = " ".join(text.split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class NotJsonFilter(logging.Filter):
    """Drops PTB's traceback for an answer that is not JSON (kept, short, at debug level)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(_PTB_NOT_JSON):
            return True
        if not logging.getLogger().isEnabledFor(logging.DEBUG):
            return False  # the caller's own line (retry, give up) says what happened
        args = record.args if isinstance(record.args, tuple) else ()
        body = " ".join(str(args[0] if args else "").split())[:200]
        record.msg, record.args = "Answer is not JSON: %s", (body,)
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        record.exc_info = record.exc_text = None
        return True


def quiet_platform_noise() -> None:
    """Install ``NotJsonFilter`` on PTB's request logger (once; safe to call again)."""
    logger = logging.getLogger(_PTB_REQUEST_LOGGER)
    if not any(isinstance(f, NotJsonFilter) for f in logger.filters):
        logger.addFilter(NotJsonFilter())


class OneLineFormatter(logging.Formatter):
    """Text lines: one line per event, a traceback folded into it (`` | `` between lines)."""

    def __init__(self) -> None:
        super().__init__(LOG_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return " | ".join(part for part in super().format(record).splitlines() if part.strip())


class JsonFormatter(logging.Formatter):
    """LOG_FORMAT=json: one JSON object per line (time, level, logger, message, exception)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def log_file_path(data_dir: Path) -> Path:
    """Where the office's commands write their log lines."""
    return data_dir / "logs" / "homebiz.log"


def _file_handler(path: Path) -> logging.Handler | None:
    """A rotating file handler, or None when the folder cannot be written (logs go nowhere)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None


def configure_logging(
    level: int = logging.INFO,
    secrets: tuple[str, ...] = (),
    *,
    stderr: bool = True,
    log_file: Path | None = None,
    json_lines: bool = False,
) -> None:
    """Set up the root logger once; the token and personal numbers are masked on every line.

    ``stderr`` and ``log_file`` say where lines go; with neither, nowhere (not even Python's
    last-resort printing of warnings to stderr). Each event is one line: text, or a JSON
    object with ``json_lines`` (LOG_FORMAT=json).
    """
    handlers: list[logging.Handler] = []
    if stderr:
        handlers.append(logging.StreamHandler())
    if log_file is not None and (to_file := _file_handler(log_file)) is not None:
        handlers.append(to_file)
    redacting = RedactingFilter(secrets)
    for handler in handlers:
        handler.setFormatter(JsonFormatter() if json_lines else OneLineFormatter())
        handler.addFilter(redacting)
    root = logging.getLogger()
    root.handlers[:] = handlers or [logging.NullHandler()]
    root.setLevel(level)
    quiet_platform_noise()
    # httpx logs every request URL, which contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)  # the Bale webhook's path
    # At DEBUG these print SQL parameters, updates and the texts sent: citizens' words,
    # codes, phones.
    for chatty in (
        "aiosqlite",
        "telegram.ext.ExtBot",
        "telegram.Bot",
        "telegram.ext.Application",
        "telegram.ext.ConversationHandler",
    ):
        logging.getLogger(chatty).setLevel(max(level, logging.INFO))
