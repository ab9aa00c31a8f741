"""Run the emulator as a process: python -m botapi_emulator --port 8081 --mode bale.

``--mode`` is the flavour of a bot first seen; ``--telegram-token``/``--bale-token`` put
given bots on Telegram or Bale, so one emulator serves both platforms at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .server import Emulator
from .state import Mode


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m botapi_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--mode", choices=["telegram", "bale"], default="telegram")
    parser.add_argument("--token", action="append", default=[], help="pre-register a bot")
    parser.add_argument(
        "--telegram-token", action="append", default=[], help="pre-register a Telegram bot"
    )
    parser.add_argument("--bale-token", action="append", default=[], help="pre-register a Bale bot")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    modes: dict[str, Mode] = {token: "telegram" for token in args.telegram_token}
    modes.update({token: "bale" for token in args.bale_token})
    emu = Emulator(mode=args.mode, tokens=args.token, modes=modes)
    await emu.start(host=args.host, port=args.port)
    print(f"botapi_emulator listening on {emu.url} mode={emu.mode}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(_serve(_args(argv)))


if __name__ == "__main__":
    main()
