"""Who does something: the actor every service takes and the audit log records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Actor:
    """A citizen (row id), an officer (user id), the system or an import (file name)."""

    kind: Literal["citizen", "officer", "system", "import"]
    id: int | str
    # An officer's platform (telegram | bale): the account is (platform, id). None: the
    # store's default platform, the first bot's (so its officers' audit strings stay
    # ``officer:<user id>``, as before two platforms).
    platform: str | None = None

    def __str__(self) -> str:
        """The audit string: ``officer:<platform>:<user id>`` (``officer:<user id>`` without a
        platform), ``citizen:<id>``, ``system``."""
        if self.kind == "system":
            return "system"
        if self.kind == "officer" and self.platform is not None:
            return f"officer:{self.platform}:{self.id}"
        return f"{self.kind}:{self.id}"
