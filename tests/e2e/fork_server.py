"""A pre-imported parent that forks each bot process life, so a life does not pay the imports.

Run as ``python -m tests.e2e.fork_server SOCKET``. It imports what ``tests.e2e.bot_process``
imports (python-telegram-bot, the project), then listens on the Unix socket ``SOCKET``. Each
connection asks for one bot process with one JSON line ``{"env": {...}, "log": path|null}``;
the server forks, and the child replaces its environment with ``env``, points stdout to
/dev/null and stderr to ``log`` (appended) or /dev/null, and runs ``bot_process.main()``
exactly as ``python -m tests.e2e.bot_process`` would. The server answers ``pid N`` on the
connection at once and ``exit RC`` when the child ends (RC negative: killed by that signal,
as asyncio reports it). The child is a separate process: SIGKILL kills it as it would an
``exec``'d bot. What every life would otherwise repeat is done once here: the TLS context
(bot.app.tls_context), the compiled message catalogue (texts.i18n), the regexes of every
handler's callback pattern and every desk route's path (built once, see _rehearse), the
parsed catalogue of an unchanged data folder
(tests.catalogues) and the modules a life imports lazily on its way to its first poll.
When its stdin closes (the test session ended) the server SIGKILLs the children still alive
and exits.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import selectors
import signal
import socket
import sys
from types import SimpleNamespace

from bot import runtime
from bot.app import register_handlers, tls_context
from config.settings import Settings
from desk import Desk
from desk.pages import all_routes
from tests.catalogues import parsed_catalogue
from tests.e2e import bot_process  # the imports every life would otherwise repeat
from texts.i18n import translations

# What a life imports lazily on its way to its first poll (found by diffing sys.modules at
# a life's end against this server's): imported here once, each fork inherits it.
_LAZY_IMPORTS = (
    "anyio._backends._asyncio",
    "anyio.streams.memory",
    "anyio.streams.stapled",
    "anyio.streams.tls",
    "apscheduler.triggers.interval",
    "concurrent.futures.thread",
    "desk.pages",
    "h11",
    "httpcore",
    "httptools",
    "jinja2.ext",
    "storage.migrations",
    "uvicorn.lifespan.off",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.auto",
    "uvloop",
    "xml.sax.saxutils",
)


def _child(request: dict[str, object], inherited: list[socket.socket | int]) -> None:
    """In the forked child: become a fresh bot process; never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for item in inherited:  # the server's sockets and pipe are none of the bot's business
            if isinstance(item, int):
                os.close(item)
            else:
                item.close()
        env = request["env"]
        assert isinstance(env, dict)
        os.environ.clear()
        os.environ.update({str(key): str(value) for key, value in env.items()})
        null = os.open(os.devnull, os.O_RDWR)
        log = request.get("log")
        err = os.open(str(log), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if log else null
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(err, 2)
        code = bot_process.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # reported on the child's stderr, as a crash would be
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class _Discarded:
    """An Application that keeps no handler: register_handlers only builds them here."""

    def add_handler(self, *_args: object, **_kwargs: object) -> None:
        pass

    def add_handlers(self, *_args: object, **_kwargs: object) -> None:
        pass

    def add_error_handler(self, *_args: object, **_kwargs: object) -> None:
        pass


def _rehearse() -> None:
    """Build once, and throw away, what every life builds the same way: the handlers (PTB
    compiles each callback pattern) and the desk's routes (starlette compiles each path). The
    compiled regexes stay in re's cache, which each fork inherits: ~50 ms of CPU a life."""
    register_handlers(_Discarded())  # type: ignore[arg-type]
    all_routes(Desk(SimpleNamespace(settings=Settings.model_construct())))  # type: ignore[arg-type]


def _returncode(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def serve(path: str) -> None:
    """Fork a bot process per request until stdin closes."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    os.set_blocking(wake_read, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # the wakeup fd is what matters
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    children: dict[int, socket.socket] = {}
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_read, selectors.EVENT_READ, "child")
    selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
    for name in _LAZY_IMPORTS:
        with contextlib.suppress(ImportError):  # an optional accelerator may be missing
            importlib.import_module(name)
    translations()  # bot.po compiled once, not in every life
    _rehearse()
    tls_context()  # the CA bundle loaded once; each life's Bots share the inherited context
    # data/ parsed once: a life whose catalogue folder is unchanged takes it from memory.
    runtime.load_catalogue = parsed_catalogue
    parsed_catalogue()
    print("ready", flush=True)
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "stdin":
                    if not sys.stdin.readline():
                        return
                elif key.data == "accept":
                    conn, _ = listener.accept()
                    request = json.loads(conn.makefile("rb").readline())
                    pid = os.fork()
                    if pid == 0:
                        _child(request, [listener, conn, wake_read, wake_write, *children.values()])
                    children[pid] = conn
                    conn.sendall(f"pid {pid}\n".encode())
                else:
                    while True:
                        try:
                            os.read(wake_read, 4096)
                        except BlockingIOError:
                            break
                    _reap(children)
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in list(children):
            os.waitpid(pid, 0)
        os.unlink(path)


def _reap(children: dict[int, socket.socket]) -> None:
    """Tell each ended child's requester its return code."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is not None:
            with contextlib.suppress(OSError):  # the requester is gone (its test ended)
                conn.sendall(f"exit {_returncode(status)}\n".encode())
            conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
