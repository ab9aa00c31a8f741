"""Who does something: the actor every service takes and the audit log records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Actor:
    """A citizen (row id), an officer (user id), the system or an import (file name)."""

    kind: Literal["citizen", "officer", "system", "import"]
    id: int | str

    def __str__(self) -> str:
        """The audit string, as today: ``officer:<user id>``, ``citizen:<id>``, ``system``."""
        return "system" if self.kind == "system" else f"{self.kind}:{self.id}"
