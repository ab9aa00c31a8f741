"""Reading Bot API parameters from query, JSON, urlencoded or multipart bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    file_name: str | None
    content_type: str | None


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """All parameters of a call (query string merged under the body) and uploaded files."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON object") from exc
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        params.update(body)
    elif ctype == "multipart/form-data":
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = bytes(await part.read())
                ptype = part.headers.get("Content-Type")
                files[part.name] = Upload(data, part.filename, ptype)
            else:
                params[part.name] = await part.text()
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, web.FileField):
                files[key] = Upload(value.file.read(), value.filename, value.content_type)
    return params, files


def opt_int(params: dict[str, Any], name: str) -> int | None:
    """An optional integer parameter."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_request(f'field "{name}" must be of type Integer')
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise bad_request(f'field "{name}" must be of type Integer') from exc


def opt_bool(params: dict[str, Any], name: str) -> bool:
    """An optional boolean parameter (False when absent)."""
    value = params.get(name)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def opt_str(params: dict[str, Any], name: str) -> str | None:
    """An optional string parameter."""
    value = params.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def opt_json(params: dict[str, Any], name: str) -> Any:
    """An optional JSON-serialised parameter (string in forms, object in JSON bodies)."""
    value = params.get(name)
    if isinstance(value, str):
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(f"can't parse {name} JSON object") from exc
    return value


def chat_id_of(params: dict[str, Any]) -> int:
    """The required chat_id (private chats only, so integer)."""
    if params.get("chat_id") in (None, ""):
        raise bad_request("chat_id is empty")
    try:
        return int(params["chat_id"])
    except (TypeError, ValueError) as exc:
        raise bad_request("chat not found") from exc  # e.g. "@name": no such private chat


def message_id_of(params: dict[str, Any]) -> int:
    """The required message_id."""
    mid = opt_int(params, "message_id")
    if mid is None:
        raise bad_request("message identifier is not specified")
    return mid
