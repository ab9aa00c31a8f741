"""The conversations and handlers moved onto services/ touch no database and no repository.

Issue 10: they turn updates into service calls and results into messages. This list grows as
the others move; once every module of conversations/ and handlers/ is on it, it can be a glob.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MOVED = (
    "conversations/application/answers.py",
    "conversations/application/checklist.py",
    "conversations/application/conversation.py",
    "conversations/application/documents.py",
    "conversations/application/drafts.py",
    "conversations/application/flow.py",
    "conversations/application/form.py",
    "conversations/application/questions.py",
    "conversations/application/steps.py",
    "conversations/application/submit.py",
    "conversations/tracking.py",
    "conversations/tracking_fix.py",
    "conversations/tracking_view.py",
    "conversations/officer/accept.py",
    "conversations/officer/actions.py",
    "conversations/officer/desk.py",
    "conversations/officer/view.py",
    "conversations/announce.py",
    "conversations/booth_requests.py",
    "conversations/exhibition_admin.py",
    "conversations/exhibitions.py",
    "conversations/officer/admin.py",
    "conversations/subscriptions.py",
    "conversations/contact.py",
    "handlers/start.py",
    "handlers/officer_menu.py",
)
FORBIDDEN = {
    "a transaction": re.compile(r"\.db\.(transaction|writing)\("),
    "a read": re.compile(r"\.db\.(read|reading)\("),
    "a repository": re.compile(r"\bstore\.[a-z_]+"),  # passing `services.store` on is fine
    "SQL": re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b"),
    "the storage package": re.compile(r"^\s*(from|import) storage\b", re.MULTILINE),
}


@pytest.mark.parametrize("module", MOVED)
def test_no_store_access(module: str) -> None:
    source = (ROOT / module).read_text(encoding="utf-8")
    found = [what for what, pattern in FORBIDDEN.items() if pattern.search(source)]
    assert not found, f"{module} uses {', '.join(found)}: call a function of services/ instead"


def test_the_check_finds_what_it_forbids() -> None:
    old = "    async with services.store.db.transaction() as c:\n        await store.audit.record()"
    assert FORBIDDEN["a transaction"].search(old) and FORBIDDEN["a repository"].search(old)
    assert not FORBIDDEN["a repository"].search("await booths.ask_booth(services.store, actor)")
