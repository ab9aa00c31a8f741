"""Fault injection: 429s, 500s, HTML 502s and delays on chosen Bot API methods and chats."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FaultKind = Literal["429", "500", "502", "delay"]

# What a reverse proxy in front of the Bot API answers when the API behind it is down:
# an HTML page, not Telegram's JSON.
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class FaultConfig:
    """Rates (0..1) of injected faults; methods=None means every method except getUpdates."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_502: float = 0.0  # an HTML body, as a proxy answers, not JSON
    rate_delay: float = 0.0
    delay_seconds: float = 0.2
    retry_after: int = 1
    count: int | None = None  # at most this many faults in all, then none (None: no limit)
    methods: frozenset[str] | None = None
    seed: int | None = None
    # Only calls addressed to these chats (chat_id) are hit; None: every call.
    chats: frozenset[int] | None = None
    # A delay after the call took effect: the platform accepted it but answers late.
    answer_late: bool = False
    _lower: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.chats is not None:
            object.__setattr__(self, "chats", frozenset(int(c) for c in self.chats))
        if self.methods is not None:
            object.__setattr__(self, "methods", frozenset(self.methods))
            object.__setattr__(self, "_lower", frozenset(m.lower() for m in self.methods))

    def applies_to(self, method: str, chat_id: object = None) -> bool:
        """Whether faults may hit this call (method names compared case-insensitively)."""
        if self.chats is not None:
            try:
                if int(str(chat_id)) not in self.chats:
                    return False
            except ValueError:
                return False
        if self._lower is None:
            return method.lower() != "getupdates"
        return method.lower() in self._lower

    def to_json(self) -> dict[str, Any]:
        """JSON form used by the client API."""
        out = asdict(self)
        out.pop("_lower", None)
        out["methods"] = sorted(self.methods) if self.methods is not None else None
        out["chats"] = sorted(self.chats) if self.chats is not None else None
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultConfig:
        """Build from the client API's JSON (unknown keys rejected)."""
        known = {
            "rate_429",
            "rate_500",
            "rate_502",
            "rate_delay",
            "delay_seconds",
            "retry_after",
            "count",
            "seed",
            "answer_late",
        }
        extra = set(data) - known - {"methods", "chats"}
        if extra:
            raise ValueError(f"unknown fault fields: {sorted(extra)}")
        kwargs: dict[str, Any] = {k: data[k] for k in known if k in data}
        methods: Iterable[str] | None = data.get("methods")
        chats: Iterable[int] | None = data.get("chats")
        return cls(
            methods=frozenset(methods) if methods is not None else None,
            chats=frozenset(chats) if chats is not None else None,
            **kwargs,
        )


class FaultInjector:
    """Rolls the dice for each call according to the current FaultConfig."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._config = config or FaultConfig()
        self._rng = random.Random(self._config.seed)
        self._injected = 0

    @property
    def config(self) -> FaultConfig:
        """The active configuration."""
        return self._config

    @config.setter
    def config(self, value: FaultConfig) -> None:
        self._config = value
        self._rng = random.Random(value.seed)
        self._injected = 0

    def roll(self, method: str, chat_id: object = None) -> FaultKind | None:
        """Pick the fault (if any) for one call; 429 wins over 500 over 502 over delay."""
        cfg = self._config
        if not cfg.applies_to(method, chat_id):
            return None
        if cfg.count is not None and self._injected >= cfg.count:
            return None
        fault = self._pick(cfg)
        self._injected += fault is not None
        return fault

    def _pick(self, cfg: FaultConfig) -> FaultKind | None:
        if cfg.rate_429 > 0 and self._rng.random() < cfg.rate_429:
            return "429"
        if cfg.rate_500 > 0 and self._rng.random() < cfg.rate_500:
            return "500"
        if cfg.rate_502 > 0 and self._rng.random() < cfg.rate_502:
            return "502"
        if cfg.rate_delay > 0 and self._rng.random() < cfg.rate_delay:
            return "delay"
        return None
