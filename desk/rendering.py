"""The desk's Jinja2 environment: the project's gettext catalogue and Persian filters.

Templates say every text as ``{{ _("English msgid") }}`` (the catalogue's Persian comes out),
``.format(name=...)`` after, as in Python. Filters: ``fa`` (Persian digits), ``number``,
``toman``, ``jdate``, ``jdatetime``, ``jshort``, ``tracking``, ``phone``, ``status``.
Globals: ``csrf_field()`` (the form's hidden token) and ``url(name, **params)``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.runtime import Context
from markupsafe import Markup, escape

from config.settings import Settings
from domain.statuses import ApplicationStatus
from texts.formatting import (
    format_jalali_date,
    format_jalali_datetime,
    format_jalali_short,
    format_number,
    format_phone,
    format_toman,
    format_tracking_code,
    to_persian_digits,
)
from texts.i18n import translations
from texts.labels import platform_name
from texts.notifications import status_label

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


@pass_context
def csrf_field(context: Context) -> Markup:
    """The hidden CSRF input every desk form carries."""
    return Markup('<input type="hidden" name="csrf" value="{}">').format(
        escape(context.get("csrf", ""))
    )


@pass_context
def url(context: Context, route: str, /, **params: Any) -> str:
    """The path of a named route (``url("application", application_id=3)``)."""
    return str(context["request"].app.url_path_for(route, **params))


def _status(value: str | ApplicationStatus) -> str:
    return status_label(ApplicationStatus(value))


class _Compiled(BytecodeCache):
    """Templates compiled once per process for every environment made here, all alike: one in
    production, one per bot in the tests (compiling them again cost each test's desk about
    0.1 s of CPU). A template whose source changed is compiled again (Jinja checks a checksum).
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


def make_environment(settings: Settings) -> Environment:
    """The environment every desk page renders with (autoescaped, Persian, office time zone)."""
    zone = settings.zone
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,
    )
    env.install_gettext_translations(translations(), newstyle=False)  # type: ignore[attr-defined]

    def jdate(value: date | datetime | None) -> str:
        return format_jalali_date(value, zone) if value is not None else "—"

    def jdatetime(value: datetime | None) -> str:
        return format_jalali_datetime(value, zone) if value is not None else "—"

    def jshort(value: date | datetime | None) -> str:
        return format_jalali_short(value, zone) if value is not None else "—"

    env.filters.update(
        fa=to_persian_digits,
        number=format_number,
        toman=lambda rials: format_toman(int(rials)) if rials is not None else "—",
        jdate=jdate,
        jdatetime=jdatetime,
        jshort=jshort,
        tracking=lambda code: format_tracking_code(code) if code else "—",
        phone=format_phone,
        status=_status,
        messenger=platform_name,  # «تلگرام» / «بله»: an account is platform + user id
    )
    env.globals.update(csrf_field=csrf_field, url=url)
    return env
