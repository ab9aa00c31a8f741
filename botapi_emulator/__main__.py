"""Run the emulator as a process: python -m botapi_emulator --port 8081 --mode bale."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .server import Emulator


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m botapi_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--mode", choices=["telegram", "bale"], default="telegram")
    parser.add_argument("--token", action="append", default=[], help="pre-register a bot")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    emu = Emulator(mode=args.mode, tokens=args.token)
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
