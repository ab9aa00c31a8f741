"""Every kind of inline button the bot sends, with its callback data (texts/callback_data.py).

The wire strings are the ones buttons already in citizens' chats carry: change none of them.
Record ids and codes only, never a person's data. Grouped by the conversation that answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from domain.answers import Gender
from domain.statuses import ApplicationStatus, PlanType
from texts.callback_data import CallbackData, Fixed, Match


def inline_keyboard(*rows: list[tuple[str, str]]) -> dict[str, Any]:
    """An inline keyboard as Bot API JSON, rows of (label, callback data): what the outbox
    stores and sends. No PTB objects, so the office's commands that render these texts load
    no python-telegram-bot."""
    return {
        "inline_keyboard": [
            [{"text": text, "callback_data": data} for text, data in row] for row in rows
        ]
    }


# A code, or «*» for all of them (announcements' audience, subscriptions).
CodeOrAll = Annotated[str, Match(r"[a-z0-9_]{1,40}|\*")]
# A code, or «-» for none or skip (exhibition editing).
CodeOrSkip = Annotated[str, Match(r"[a-z0-9_]{1,40}|-")]
YesNo = Literal["yes", "no"]

# --- every conversation (conversations/common.py) -------------------------------------------
BACK = Fixed("nav:back")
CANCEL = Fixed("nav:cancel")

# --- the main menu and workers ------------------------------------------------------------
RESUME_DRAFT = Fixed("apply:resume")  # /start, the draft reminder: the application's entry
APPLY_FROM_CHECK = Fixed("apply:from_check")  # after an eligibility verdict
UNSUBSCRIBE = Fixed("unsub")  # under every announcement


@dataclass(frozen=True)
class ContactWrite(CallbackData, prefix="contact:write"):
    """«Leave a message»; from the FAQ, with the stored question the ticket opens with."""

    question_id: int | None = None


# --- eligibility (conversations/eligibility.py) -------------------------------------------
ELIGIBILITY_GROUPS = Fixed("elg:gs")
ELIGIBILITY_MENU = Fixed("elg:menu")
ELIGIBILITY_OTHER_PLAN = Fixed("elg:other")


@dataclass(frozen=True)
class EligibilityAnswer(CallbackData, prefix="elg:a"):
    """One question (its short number) answered with one value."""

    question: int
    value: str


@dataclass(frozen=True)
class EligibilityBack(CallbackData, prefix="elg:b"):
    """Back, from the question with this short number."""

    question: int


@dataclass(frozen=True)
class EligibilityGroup(CallbackData, prefix="elg:g"):
    """One page of an activity group."""

    group: str
    page: int


# --- the application (conversations/application/) ------------------------------------------
APP_KEEP = Fixed("app:keep")
APP_CHANGE = Fixed("app:change")
APP_REVIEW = Fixed("app:review")
APP_SUBMIT = Fixed("app:submit")


@dataclass(frozen=True)
class AppConsent(CallbackData, prefix="app:consent"):
    answer: YesNo


@dataclass(frozen=True)
class AppGender(CallbackData, prefix="app:gender"):
    gender: Gender


@dataclass(frozen=True)
class AppCounty(CallbackData, prefix="app:county"):
    code: str


@dataclass(frozen=True)
class AppRented(CallbackData, prefix="app:rented"):
    answer: YesNo


@dataclass(frozen=True)
class AppGroup(CallbackData, prefix="app:group"):
    code: str


@dataclass(frozen=True)
class AppActivity(CallbackData, prefix="app:act"):
    code: str


@dataclass(frozen=True)
class AppPlan(CallbackData, prefix="app:plan"):
    plan: PlanType


@dataclass(frozen=True)
class AppDocument(CallbackData, prefix="app:doc"):
    code: str


# --- tracking (conversations/tracking.py, tracking_fix.py) -----------------------------------
TRACKING_LOOKUP = Fixed("trk:lookup")


@dataclass(frozen=True)
class SendAgain(CallbackData, prefix="fix"):
    """«Send again» one document an officer asked to be corrected."""

    app_id: int
    code: str


# --- exhibitions and booths (conversations/exhibitions.py, booth_requests.py) ---------------
EXHIBITION_LIST = Fixed("exh:list")


@dataclass(frozen=True)
class ExhibitionDetails(CallbackData, prefix="exh"):
    exhibition_id: int


@dataclass(frozen=True)
class AskForBooth(CallbackData, prefix="booth"):
    exhibition_id: int


# --- subscriptions (conversations/subscriptions.py) ---------------------------------------
SUB_HOME = Fixed("sub:home")
SUB_ON = Fixed("sub:on")
SUB_OFF = Fixed("sub:off")
SUB_COUNTIES = Fixed("sub:c")
SUB_GROUPS = Fixed("sub:g")


@dataclass(frozen=True)
class SubChoice(CallbackData, prefix="sub"):
    """Tick or untick one county («c») or group («g»), or «*»: all of them."""

    dimension: Literal["c", "g"]
    code: CodeOrAll


# --- the officer desk (handlers/officer_menu.py, conversations/officer/) --------------------
OFFICER_MENU = Fixed("off:menu")
OFFICER_STATS = Fixed("off:stats")
OFFICER_EXHIBITIONS = Fixed("off:exhibitions")
OFFICER_ANNOUNCE = Fixed("off:announce")
OFFICER_TICKETS = Fixed("off:tickets")
OFFICER_WEB = Fixed("off:web")  # a single-use sign-in link to the web desk
NO_REASON = Fixed("off:noreason")


@dataclass(frozen=True)
class Find(CallbackData, prefix="off:find"):
    by: Literal["code", "nc", "phone", "name"]


@dataclass(frozen=True)
class OpenApplication(CallbackData, prefix="off:open"):
    app_id: int


@dataclass(frozen=True)
class ShowDocuments(CallbackData, prefix="off:docs"):
    app_id: int


@dataclass(frozen=True)
class Move(CallbackData, prefix="off:to"):
    """Move an application to this status (the card's buttons)."""

    app_id: int
    status: ApplicationStatus


@dataclass(frozen=True)
class FixDocument(CallbackData, prefix="off:fx"):
    """Tick or untick one document to ask a correction of."""

    app_id: int
    code: str


@dataclass(frozen=True)
class FixConfirm(CallbackData, prefix="off:fxok"):
    app_id: int


@dataclass(frozen=True)
class ChooseBank(CallbackData, prefix="off:bk"):
    app_id: int
    bank: Annotated[int, Match(r"\d{1,3}")]  # its index in the settings' list


@dataclass(frozen=True)
class AskPermit(CallbackData, prefix="off:permit"):
    app_id: int


@dataclass(frozen=True)
class AcceptDocuments(CallbackData, prefix="off:acc"):
    app_id: int


@dataclass(frozen=True)
class AcceptToggle(CallbackData, prefix="off:ac"):
    app_id: int
    document_id: int


@dataclass(frozen=True)
class AcceptTicked(CallbackData, prefix="off:acok"):
    app_id: int


@dataclass(frozen=True)
class AcceptAll(CallbackData, prefix="off:acall"):
    app_id: int


# --- officers' admin (conversations/officer/admin.py) -------------------------------------
ADD_OFFICER = Fixed("adm:add")


@dataclass(frozen=True)
class RemoveOfficer(CallbackData, prefix="adm:rm"):
    officer_id: int


# --- exhibition admin (conversations/exhibition_admin.py, booth_requests.py) ----------------
EXA_MENU = Fixed("exa:menu")
EXA_NEW = Fixed("exa:new")
EXA_BOOTHS = Fixed("exa:booths")


@dataclass(frozen=True)
class ExaOpen(CallbackData, prefix="exa:open"):
    exhibition_id: int


@dataclass(frozen=True)
class ExaEdit(CallbackData, prefix="exa:edit"):
    exhibition_id: int
    field: Annotated[str, Match(r"[a-z_]{1,24}")]


@dataclass(frozen=True)
class ExaCancel(CallbackData, prefix="exa:cancel"):
    exhibition_id: int


@dataclass(frozen=True)
class ExaCancelConfirm(CallbackData, prefix="exa:cancelok"):
    exhibition_id: int


@dataclass(frozen=True)
class ExaValue(CallbackData, prefix="exa:v"):
    """A button answering the current field: a kind, a county, or «-» (none, skip)."""

    value: CodeOrSkip


@dataclass(frozen=True)
class BoothDecision(CallbackData, prefix="exa"):
    """Approve («ok») or refuse («no») one booth request."""

    verb: Literal["ok", "no"]
    request_id: int


# --- announcements (conversations/announce.py) --------------------------------------------
ANN_TEXT = Fixed("ann:text")
ANN_SEND = Fixed("ann:send")


@dataclass(frozen=True)
class AnnExhibition(CallbackData, prefix="ann:ex"):
    exhibition_id: int


@dataclass(frozen=True)
class AnnCounty(CallbackData, prefix="ann:c"):
    code: CodeOrAll


@dataclass(frozen=True)
class AnnGroup(CallbackData, prefix="ann:g"):
    code: CodeOrAll


# --- tickets: the citizen's (conversations/tickets.py) ------------------------------------
TICKET_DONE = Fixed("tk:done")  # stop writing


@dataclass(frozen=True)
class TicketWrite(CallbackData, prefix="tk:w"):
    """Write into this ticket (or a new one, if it is closed)."""

    ticket_id: int


@dataclass(frozen=True)
class TicketView(CallbackData, prefix="tk:v"):
    """Read the conversation so far."""

    ticket_id: int


@dataclass(frozen=True)
class TicketRate(CallbackData, prefix="tk:r"):
    ticket_id: int
    stars: Annotated[int, Match(r"[1-5]")]


# --- tickets: the officers' (conversations/officer/tickets.py) -----------------------------
TICKET_INBOX = Fixed("tko:in")
TICKET_CLOSED_LIST = Fixed("tko:cl")
CannedCode = Annotated[str, Match(r"[a-z][a-z0-9_]{0,31}")]


@dataclass(frozen=True)
class OnTicket(CallbackData):
    """An officer's button on one ticket (the kinds below)."""

    ticket_id: int


@dataclass(frozen=True)
class TicketOpen(OnTicket, prefix="tko:o"):
    """Open the ticket's card (also under an officer's notification)."""


@dataclass(frozen=True)
class TicketTake(OnTicket, prefix="tko:t"):
    pass


@dataclass(frozen=True)
class TicketReply(OnTicket, prefix="tko:re"):
    pass


@dataclass(frozen=True)
class TicketCanned(OnTicket, prefix="tko:cn"):
    pass


@dataclass(frozen=True)
class TicketNote(OnTicket, prefix="tko:no"):
    pass


@dataclass(frozen=True)
class TicketClose(OnTicket, prefix="tko:x"):
    pass


@dataclass(frozen=True)
class TicketReopen(OnTicket, prefix="tko:ro"):
    pass


@dataclass(frozen=True)
class TicketFiles(OnTicket, prefix="tko:f"):
    pass


@dataclass(frozen=True)
class CannedPreview(CallbackData, prefix="tko:cp"):
    ticket_id: int
    code: CannedCode


@dataclass(frozen=True)
class CannedSend(CallbackData, prefix="tko:cs"):
    ticket_id: int
    code: CannedCode


# --- the FAQ (handlers/faq.py) ------------------------------------------------------------
FAQ_TOPICS = Fixed("faq:topics")  # the list of topics, as a new message
FAQ_BACK = Fixed("faq:back")  # the list of topics, in place of a topic's questions
FaqCode = Annotated[str, Match(r"[a-z][a-z0-9_]*")]


@dataclass(frozen=True)
class FaqTopic(CallbackData, prefix="faq:t"):
    """A topic's questions."""

    topic: FaqCode


@dataclass(frozen=True)
class FaqEntry(CallbackData, prefix="faq:e"):
    """An answer opened from the list."""

    entry: FaqCode


@dataclass(frozen=True)
class FaqPick(CallbackData, prefix="faq:p"):
    """A «Did you mean?» button: the stored question, the entry."""

    question_id: int
    entry: FaqCode


@dataclass(frozen=True)
class FaqVote(CallbackData, prefix="faq:v"):
    """👍 / 👎 on the answer a stored question got."""

    question_id: int
    helpful: Literal["y", "n"]
