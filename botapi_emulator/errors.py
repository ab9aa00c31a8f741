"""Bot API error type and Telegram-shaped JSON bodies."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered to the bot exactly as Telegram would."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """Telegram's JSON error body."""
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad_request(what: str) -> ApiError:
    """A 400 'Bad Request: ...' error."""
    return ApiError(400, f"Bad Request: {what}")


def forbidden(what: str) -> ApiError:
    """A 403 'Forbidden: ...' error."""
    return ApiError(403, f"Forbidden: {what}")


class HtmlError(ApiError):
    """An error page in HTML (a proxy's), not the Bot API's JSON."""

    def __init__(self, code: int, description: str, html: str) -> None:
        super().__init__(code, description)
        self.html = html

    def body(self) -> dict[str, Any]:
        """The JSON form kept in the call record; the bot receives ``html``."""
        return {**super().body(), HTML_KEY: self.html}


# The key under which a body that must go out as HTML travels inside the emulator.
HTML_KEY = "_html"
UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
