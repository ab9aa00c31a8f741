"""The event loop the bot's processes run on: uvloop where it is installed.

The bot's work is many small steps (an update stored, handled, its reply sent), so the loop's
own bookkeeping is a large part of its CPU; uvloop's, in C, costs about half. The tests run
on the same loop (tests/conftest.py) as the service they test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new loop: uvloop's, or the standard one where uvloop is not installed (Windows)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the bot's loop."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)
