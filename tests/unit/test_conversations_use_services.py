"""The conversations moved onto the services touch no transaction, read or repository.

They pass ``services.store`` to a service and turn its result into messages; anything more
(a ``db.transaction()``, a ``db.read()``, ``store.applications`` …, an import from
``storage``) belongs in ``services/``. Issue 10 widens this to every conversation and handler.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MOVED = sorted(
    [
        *(ROOT / "conversations" / "application").glob("*.py"),
        ROOT / "conversations" / "tracking.py",
        ROOT / "conversations" / "tracking_view.py",
        ROOT / "conversations" / "tracking_fix.py",
        *(
            ROOT / "conversations" / "officer" / name
            for name in ("desk.py", "view.py", "actions.py", "accept.py")
        ),
    ]
)
FORBIDDEN = {
    "a transaction": re.compile(r"\.db\.(transaction|read|writing|reading)\("),
    "a repository": re.compile(
        r"\bstore\.(db|citizens|applications|documents|status_events|audit|outbox|officers"
        r"|lookups|exhibitions|subscriptions|broadcasts)\b"
    ),
    "SQL": re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b"),
    "the storage package": re.compile(r"^\s*(from|import) storage\b", re.MULTILINE),
}


@pytest.mark.parametrize("path", MOVED, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_moved_conversation_calls_services_only(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = [what for what, pattern in FORBIDDEN.items() if pattern.search(source)]
    assert not found, f"{path.relative_to(ROOT)} uses {', '.join(found)}: call a service instead"
