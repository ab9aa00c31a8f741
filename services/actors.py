"""Who does something: the actor every service takes, and its audit string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Actor:
    """A citizen (citizen row id), an officer (platform user id), the system or an import."""

    kind: Literal["citizen", "officer", "system", "import"]
    id: int | str

    def __str__(self) -> str:
        """The audit string: ``officer:<user id>``, ``citizen:<id>``, ``system``, ``import:<file>``.

        The same strings status events and the audit log have always stored.
        """
        return "system" if self.kind == "system" else f"{self.kind}:{self.id}"
