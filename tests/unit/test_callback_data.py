"""Callback data: every kind packs to the string buttons already in chats carry, reads it back
typed, refuses what does not fit (64 bytes, its shape), and nobody parses data by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pytest

from domain.answers import Gender
from domain.statuses import ApplicationStatus, PlanType
from texts import buttons as b
from texts.callback_data import CallbackData, Fixed, Match, any_of, family

ROOT = Path(__file__).resolve().parents[2]

# Every kind with fields, as a value and the wire string today's buttons carry.
PACKED: list[tuple[CallbackData, str]] = [
    (b.ContactWrite(), "contact:write"),
    (b.ContactWrite(12), "contact:write:12"),
    (b.EligibilityAnswer(3, "1"), "elg:a:3:1"),
    (b.EligibilityAnswer(5, "tehran_city"), "elg:a:5:tehran_city"),
    (b.EligibilityBack(4), "elg:b:4"),
    (b.EligibilityGroup("food", 2), "elg:g:food:2"),
    (b.AppConsent("yes"), "app:consent:yes"),
    (b.AppGender(Gender.WOMAN), "app:gender:woman"),
    (b.AppCounty("karaj"), "app:county:karaj"),
    (b.AppRented("no"), "app:rented:no"),
    (b.AppGroup("handicrafts"), "app:group:handicrafts"),
    (b.AppActivity("carpet_weaving"), "app:act:carpet_weaving"),
    (b.AppPlan(PlanType.SUPPORTING), "app:plan:supporting"),
    (b.AppDocument("national_card"), "app:doc:national_card"),
    (b.SendAgain(41, "lease"), "fix:41:lease"),
    (b.ExhibitionDetails(7), "exh:7"),
    (b.AskForBooth(7), "booth:7"),
    (b.SubChoice("c", "karaj"), "sub:c:karaj"),
    (b.SubChoice("g", "*"), "sub:g:*"),
    (b.Find("phone"), "off:find:phone"),
    (b.OpenApplication(41), "off:open:41"),
    (b.ShowDocuments(41), "off:docs:41"),
    (b.Move(41, ApplicationStatus.NEEDS_CORRECTION), "off:to:41:needs_correction"),
    (b.FixDocument(41, "lease"), "off:fx:41:lease"),
    (b.FixConfirm(41), "off:fxok:41"),
    (b.ChooseBank(41, 2), "off:bk:41:2"),
    (b.AskPermit(41), "off:permit:41"),
    (b.AcceptDocuments(41), "off:acc:41"),
    (b.AcceptToggle(41, 9), "off:ac:41:9"),
    (b.AcceptTicked(41), "off:acok:41"),
    (b.AcceptAll(41), "off:acall:41"),
    (b.RemoveOfficer(3), "adm:rm:3"),
    (b.ExaOpen(5), "exa:open:5"),
    (b.ExaEdit(5, "booth_deadline"), "exa:edit:5:booth_deadline"),
    (b.ExaCancel(5), "exa:cancel:5"),
    (b.ExaCancelConfirm(5), "exa:cancelok:5"),
    (b.ExaValue("virtual"), "exa:v:virtual"),
    (b.ExaValue("-"), "exa:v:-"),
    (b.BoothDecision("ok", 8), "exa:ok:8"),
    (b.BoothDecision("no", 8), "exa:no:8"),
    (b.AnnExhibition(5), "ann:ex:5"),
    (b.AnnCounty("*"), "ann:c:*"),
    (b.AnnGroup("food"), "ann:g:food"),
    (b.TicketWrite(12), "tk:w:12"),
    (b.TicketView(12), "tk:v:12"),
    (b.TicketRate(12, 5), "tk:r:12:5"),
    (b.TicketOpen(12), "tko:o:12"),
    (b.TicketTake(12), "tko:t:12"),
    (b.TicketReply(12), "tko:re:12"),
    (b.TicketCanned(12), "tko:cn:12"),
    (b.TicketNote(12), "tko:no:12"),
    (b.TicketClose(12), "tko:x:12"),
    (b.TicketReopen(12), "tko:ro:12"),
    (b.TicketFiles(12), "tko:f:12"),
    (b.CannedPreview(12, "received"), "tko:cp:12:received"),
    (b.CannedSend(12, "received"), "tko:cs:12:received"),
    (b.FaqTopic("loans"), "faq:t:loans"),
    (b.FaqEntry("insurance"), "faq:e:insurance"),
    (b.FaqPick(30, "insurance"), "faq:p:30:insurance"),
    (b.FaqVote(30, "n"), "faq:v:30:n"),
]
# The fixed buttons, as today's chats carry them.
FIXED = {
    "nav:back", "nav:cancel", "apply:resume", "apply:from_check", "unsub", "elg:gs", "elg:menu",
    "elg:other", "app:keep", "app:change", "app:review", "app:submit", "trk:lookup", "exh:list",
    "sub:home", "sub:on", "sub:off", "sub:c", "sub:g", "off:menu", "off:stats", "off:web",
    "off:exhibitions", "off:announce", "off:tickets", "off:noreason", "adm:add", "exa:menu",
    "exa:new", "exa:booths", "ann:text", "ann:send", "tk:done", "tko:in", "tko:cl",
    "faq:topics", "faq:back",
}  # fmt: skip


@pytest.mark.parametrize(("value", "wire"), PACKED, ids=[wire for _, wire in PACKED])
def test_packing_gives_todays_string_and_unpacking_it_gives_the_value(
    value: CallbackData, wire: str
) -> None:
    assert value.pack() == wire
    assert type(value).unpack(wire) == value
    assert re.fullmatch(type(value).pattern(), wire)


def test_every_kind_is_listed_here_and_no_two_kinds_claim_one_string() -> None:
    kinds = [kind for kind in CallbackData.KINDS if kind.__module__ == b.__name__]
    assert {type(value) for value, _ in PACKED} == set(kinds)
    assert {fixed.pack() for fixed in Fixed.ALL} == FIXED
    wires = [wire for _, wire in PACKED] + sorted(FIXED)
    patterns = [kind.pattern() for kind in kinds] + [fixed.pattern() for fixed in Fixed.ALL]
    for wire in wires:
        claimed = [p for p in patterns if re.fullmatch(p, wire)]
        assert len(claimed) == 1, (wire, claimed)


def test_the_widest_values_still_fit_in_64_bytes() -> None:
    big, code = 10**12 - 1, "a" * 40
    for value in (
        b.EligibilityAnswer(big, code),
        b.EligibilityGroup(code, big),
        b.SendAgain(big, code),
        b.FixDocument(big, code),
        b.Move(big, ApplicationStatus.INTRODUCED_TO_BANK),
        b.AcceptToggle(big, big),
        b.ExaEdit(big, "a" * 24),
        b.CannedSend(big, "a" * 32),
        b.FaqVote(big, "y"),
    ):
        assert len(value.pack().encode()) <= 64, value


@dataclass(frozen=True)
class _Wide(CallbackData, prefix="test:wide"):
    text: Annotated[str, Match(r"[a-z]{1,100}")]


def test_too_long_or_misshapen_data_is_refused_where_it_is_packed() -> None:
    assert _Wide("a" * 54).pack() == "test:wide:" + "a" * 54  # 64 bytes: the limit
    with pytest.raises(ValueError, match="64 bytes"):
        _Wide("a" * 55).pack()
    with pytest.raises(ValueError, match="64 bytes"):
        Fixed("x" * 65)
    for misshapen in (b.AppCounty("a:b"), b.AppCounty("کرج"), b.AppCounty(""), b.TicketRate(1, 6)):
        with pytest.raises(ValueError, match="does not fit"):
            misshapen.pack()


def test_a_kind_reads_only_its_own_shape() -> None:
    for forged in ("off:open:x", "off:open:-1", "off:open:1:2", "off:open", "xoff:open:1"):
        assert b.OpenApplication.unpack(forged) is None, forged
    assert b.TicketRate.unpack("tk:r:12:6") is None
    assert b.Move.unpack("off:to:1:nonsense") is None
    assert b.OpenApplication.unpack(None) is None
    with pytest.raises(ValueError):
        b.OpenApplication.of("off:docs:1")


def test_patterns_of_several_kinds_and_of_a_family() -> None:
    nav = any_of(b.BACK, b.CANCEL)
    assert re.match(nav, "nav:back") and re.match(nav, "nav:cancel")
    assert not re.match(nav, "nav:backx")
    own = family("app", "nav")
    assert re.match(own, "app:doc:lease") and not re.match(own, "apply:resume")


# --- nobody parses callback data by hand -------------------------------------------------------

HAND_PARSING = re.compile(
    r"""\.r?split\(\s*["']:["']"""  # data.split(":") / rsplit(":", 1)
    r"""|\.partition\(\s*["']:["']"""
    r"""|removeprefix\(\s*["'][a-z_]+:"""  # data.removeprefix("app:county:")
    r"""|callback_data\s*=\s*f?["']"""  # a literal or f-string wire format
    r"""|pattern\s*=\s*[rf]?["']"""  # a retyped regex
    r"""|startswith\(\s*["'][a-z_]+:"""
)
INTERFACE = ("conversations", "handlers", "office")


def _sources() -> list[Path]:
    return sorted(p for folder in INTERFACE for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_callback_data_is_parsed_or_written_by_hand(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = [
        line.strip()
        for line in source.splitlines()
        if HAND_PARSING.search(line) and "actor" not in line  # auth.py parses audit strings
    ]
    assert not found, f"use a kind of texts/buttons.py (pack/pattern/unpack): {found}"


def test_the_check_finds_what_it_forbids() -> None:
    for old in (
        '_off, _to, raw_id, raw_status = query.data.split(":", 3)',
        'int(query.data.rsplit(":", 1)[1])',
        'code = data_of(update).removeprefix("app:county:")',
        'InlineKeyboardButton(text, callback_data=f"off:open:{app.id}")',
        'CallbackQueryHandler(new, pattern=r"^exa:new$")',
    ):
        assert HAND_PARSING.search(old), old
    assert not HAND_PARSING.search("pattern=buttons.ExaOpen.pattern()")
    assert not HAND_PARSING.search("callback_data=buttons.OpenApplication(app.id).pack()")
