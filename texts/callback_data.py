"""Callback data: one typed codec per kind of inline button.

A kind is a frozen dataclass with a prefix; its fields follow the prefix, ``:``-separated::

    @dataclass(frozen=True)
    class OpenApplication(CallbackData, prefix="off:open"):
        app_id: int

    OpenApplication(7).pack()             # "off:open:7"  (checked: ≤ 64 bytes, fits the pattern)
    OpenApplication.pattern()             # r"^off:open:(\\d{1,12})$"  for CallbackQueryHandler
    OpenApplication.unpack("off:open:7")  # OpenApplication(app_id=7); None if it does not fit
    OpenApplication.of(query.data)        # the same, in the handler its pattern() routed to

A field is an ``int`` (a record id), a ``str`` (a code: ``[a-z0-9_]``, or its own regex with
``Annotated[str, Match(...)]``), a ``StrEnum`` or a ``Literal`` of strings. The last field may be
optional (``int | None = None``): absent, it packs to the prefix alone. A button with no fields
is a ``Fixed``. The kinds of the whole bot are in ``texts/buttons.py``; handlers never parse
callback data by hand (``tests/unit/test_callback_data.py`` fails if they do).
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Self

MAX_BYTES = 64  # the Bot API's limit on callback_data, in bytes of UTF-8
_INT = r"\d{1,12}"
_CODE = r"[a-z0-9_]{1,40}"
_PREFIX = re.compile(r"[a-z][a-z_]*(:[a-z][a-z_]*)*")


@dataclass(frozen=True)
class Match:
    """``Annotated[str, Match(regex)]``: a text field with its own shape (no ``:``, no groups)."""

    regex: str


@dataclass(frozen=True)
class _Field:
    name: str
    regex: str
    parse: typing.Callable[[str], object]
    optional: bool


def _field(name: str, hint: Any) -> _Field:
    optional = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        optional = True
    regex: str | None = None
    if typing.get_origin(hint) is typing.Annotated:
        hint, *extras = typing.get_args(hint)
        regex = next((e.regex for e in extras if isinstance(e, Match)), None)
    if hint is int:
        return _Field(name, regex or _INT, int, optional)
    if hint is str:
        return _Field(name, regex or _CODE, str, optional)
    if typing.get_origin(hint) is typing.Literal:
        values = typing.get_args(hint)
        return _Field(name, "|".join(re.escape(v) for v in values), str, optional)
    if isinstance(hint, type) and issubclass(hint, enum.StrEnum):
        return _Field(name, "|".join(re.escape(m.value) for m in hint), hint, optional)
    raise TypeError(f"callback field {name}: {hint!r} is not int, str, a StrEnum or a Literal")


class CallbackData:
    """The base of every kind with fields (see the module's docstring)."""

    KINDS: ClassVar[list[type[CallbackData]]] = []  # every kind defined, for the tests

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[_Field, ...] | None] = None
    _regex: ClassVar[re.Pattern[str] | None] = None

    def __init_subclass__(cls, *, prefix: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix is None:  # a base sharing fields, not a kind of its own
            return
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"callback prefix {prefix!r}: lower-case words joined by ':'")
        cls.prefix = prefix
        CallbackData.KINDS.append(cls)
        cls._fields = None  # read from the dataclass on first use (it is decorated after this)
        cls._regex = None

    @classmethod
    def _spec(cls) -> tuple[tuple[_Field, ...], re.Pattern[str]]:
        if cls._fields is None or cls._regex is None:
            hints = typing.get_type_hints(cls, include_extras=True)
            fields = tuple(_field(f.name, hints[f.name]) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
            if any(f.optional for f in fields[:-1]):
                raise TypeError(f"{cls.__name__}: only the last field may be optional")
            regex = re.escape(cls.prefix)
            for f in fields:
                part = f":({f.regex})"
                regex += f"(?:{part})?" if f.optional else part
            cls._fields, cls._regex = fields, re.compile(regex)
        return cls._fields, cls._regex

    @classmethod
    def pattern(cls) -> str:
        """The regex a ``CallbackQueryHandler`` matches this kind by (anchored both ends)."""
        return f"^{cls._spec()[1].pattern}$"

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        """The button's typed value, or None when the data is not of this kind."""
        fields, regex = cls._spec()
        found = regex.fullmatch(data or "")
        if found is None:
            return None
        values = {
            f.name: None if raw is None else f.parse(raw)
            for f, raw in zip(fields, found.groups(), strict=True)
        }
        return cls(**values)

    @classmethod
    def of(cls, data: str | None) -> Self:
        """The value of a button its handler's ``pattern()`` already matched (else ValueError)."""
        value = cls.unpack(data)
        if value is None:
            raise ValueError(f"not a {cls.__name__} button: {(data or '')[:20]!r}")
        return value

    def pack(self) -> str:
        """The wire string; ValueError if a value does not fit or it exceeds 64 bytes."""
        fields, regex = self._spec()
        parts = [self.prefix]
        for f in fields:
            value = getattr(self, f.name)
            if value is not None:
                parts.append(value.value if isinstance(value, enum.Enum) else str(value))
        return _checked(":".join(parts), regex)


@dataclass(frozen=True)
class Fixed:
    """A button whose data is one fixed string, e.g. ``Fixed("off:menu")``."""

    data: str

    ALL: ClassVar[list[Fixed]] = []  # every one defined, for the tests

    def __post_init__(self) -> None:
        _checked(self.data, _PREFIX)
        Fixed.ALL.append(self)

    def pack(self) -> str:
        """The wire string (always the same)."""
        return self.data

    def pattern(self) -> str:
        """The regex a ``CallbackQueryHandler`` matches it by."""
        return f"^{re.escape(self.data)}$"

    def matches(self, data: str | None) -> bool:
        """Whether this is the button pressed."""
        return data == self.data


def _checked(data: str, regex: re.Pattern[str]) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data[:20]!r}…")
    if not regex.fullmatch(data):
        raise ValueError(f"callback data does not fit its kind: {data[:20]!r}…")
    return data


def any_of(*kinds: type[CallbackData] | Fixed) -> str:
    """One pattern matching any of these kinds (e.g. back or cancel)."""
    return "|".join(f"(?:{kind.pattern()})" for kind in kinds)


def family(*prefixes: str) -> str:
    """A pattern for every button whose data starts with one of these prefixes (stale ones)."""
    return "^(?:" + "|".join(re.escape(p) for p in prefixes) + "):"
