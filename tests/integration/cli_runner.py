"""`homebiz ARGS` run as a process of its own, forked from a process that imported the command's
modules once (multiprocessing's fork server) instead of a new interpreter importing them again.

The child is a separate process as the officer's command is: its own environment, working
folder, stdout and stderr (files here), logging set up by ``bot.cli.main`` from nothing, and its
exit status. What it does not repeat is the imports (about 1.3 s of CPU a command), so what
importing prints is not in its output: a test that checks the screen runs one command with
``python -m bot.cli`` too.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

# The fork server is started by the first command of the worker; it imports these once.
_FORKS = multiprocessing.get_context("forkserver")
_FORKS.set_forkserver_preload(["bot.cli"])


def _command(argv: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """In the forked child: become `homebiz ARGV`, run from ``cwd`` with this environment."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, path in ((1, out), (2, err)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    from bot.cli import main

    sys.exit(main(argv))


def run_forked(target: Callable[..., object], *args: object, timeout: float = 300) -> int | None:
    """``target(*args)`` in a child of the fork server (a process of its own that starts with
    `bot.cli`'s modules imported); its exit status (negative: the signal that ended it)."""
    child = _FORKS.Process(target=target, args=args)
    child.start()
    child.join(timeout)
    if child.exitcode is None:
        child.kill()
        child.join()
    return child.exitcode


def _write_loaded_modules(path: str) -> None:
    """In the forked child: the top-level packages loaded, one a line (what `bot.cli` and
    this module imported, since the fork server imported nothing else)."""
    Path(path).write_text("\n".join(sorted({m.split(".")[0] for m in sys.modules})))


def modules_of_homebiz() -> set[str]:
    """The top-level packages a process that imported `bot.cli` (the `homebiz` command) holds
    before it runs a command: a child of the fork server, which imported only that."""
    with tempfile.TemporaryDirectory(prefix="homebiz-cli-") as folder:
        listing = Path(folder) / "modules"
        exitcode = run_forked(_write_loaded_modules, str(listing), timeout=120)
        assert exitcode == 0, exitcode
        return set(listing.read_text().split())


def run_homebiz(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `homebiz ARGV` in a process of its own; its exit status, stdout and stderr."""
    with tempfile.TemporaryDirectory(prefix="homebiz-cli-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        child = _FORKS.Process(
            target=_command, args=(list(argv), dict(env), str(cwd), str(out), str(err))
        )
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(["homebiz", *argv], timeout)
        return subprocess.CompletedProcess(
            ["homebiz", *argv],
            child.exitcode,
            out.read_text(encoding="utf-8") if out.exists() else "",
            err.read_text(encoding="utf-8") if err.exists() else "",
        )
