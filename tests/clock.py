"""A clock tests move by hand instead of sleeping."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    """Callable like ``datetime.now(UTC)``; ``advance(hours=2)`` moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
