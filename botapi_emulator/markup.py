"""Parsing of reply_markup and of formatted text (parse_mode)."""

from __future__ import annotations

import html
import re
from typing import Any

from .errors import bad_request
from .params import opt_json

_TAG_RE = re.compile(r"<[^>]*>")
_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MDV2_ESC_RE = re.compile(r"\\(.)")


def parse_reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """Validate reply_markup (JSON string or object) and return it normalised."""
    raw = opt_json(params, "reply_markup")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _inline_rows(raw["inline_keyboard"])}
    if "keyboard" in raw:
        out = dict(raw)
        out["keyboard"] = _reply_rows(raw["keyboard"])
        return out
    if raw.get("remove_keyboard") or raw.get("force_reply"):
        return dict(raw)
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_rows(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    out: list[list[dict[str, Any]]] = []
    for row in rows:
        new_row: list[dict[str, Any]] = []
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
            kinds = {"callback_data", "url", "switch_inline_query", "web_app", "copy_text", "pay"}
            if not kinds & set(button):
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
            new_row.append(dict(button))
        out.append(new_row)
    return out


def _reply_rows(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
    out: list[list[dict[str, Any]]] = []
    for row in rows:
        new_row: list[dict[str, Any]] = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("keyboard button text must be non-empty")
            new_row.append(dict(button))
        out.append(new_row)
    return out


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram would show after parsing entities (rendering is not needed)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return html.unescape(_TAG_RE.sub("", text))
    if mode == "markdownv2":
        text = _MD_LINK_RE.sub(r"\1", text)
        placeholder = "\x00"
        text = _MDV2_ESC_RE.sub(lambda m: placeholder + m.group(1), text)
        text = re.sub(r"\|\||[*_~`]", "", text)
        return text.replace(placeholder, "")
    if mode == "markdown":
        return re.sub(r"[*_`]", "", _MD_LINK_RE.sub(r"\1", text))
    if mode:
        raise bad_request(f'unsupported parse_mode "{parse_mode}"')
    return text


def text_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2
