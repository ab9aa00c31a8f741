"""The `homebiz` command: run the bot, the sandbox, and the office's tools."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable, Sequence

from bot import event_loop, ops_commands
from config.logging_setup import configure_logging, log_file_path
from config.settings import LogFormat, Settings, SettingsError, load_settings
from domain.catalogue import CatalogueError
from office import export as office_export
from office import faq_report as office_faq
from office import import_bank_report as office_import
from office import import_exhibitions as office_exhibitions
from office import stats_command as office_stats
from texts.i18n import _

LOGGER = logging.getLogger("homebiz")

Command = Callable[[argparse.Namespace, Settings], int]
# Long-running services: their stderr is their log. The other commands are the office's tools,
# whose output an officer reads: Persian on stdout, log lines in the log file (see _logging).
SERVICES = frozenset({"run", "sandbox"})


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Long polling against the configured platform, or the sandbox when there is no token."""
    if all(bot.token is None for bot in settings.platforms):
        from bot.sandbox import run_sandbox

        return event_loop.run(run_sandbox(settings))
    from bot.runtime import run_polling

    if settings.profile_to is None:
        event_loop.run(run_polling(settings))
        return 0
    import cProfile

    # A developer's measurement (PROFILE_TO): the whole run, written when the bot stops.
    profiler = cProfile.Profile()
    try:
        profiler.runcall(event_loop.run, run_polling(settings))
    finally:
        profiler.dump_stats(settings.profile_to)
        LOGGER.info("Profile written to %s", settings.profile_to)
    return 0


def _cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    """The local sandbox, even when a token is configured."""
    from bot.sandbox import run_sandbox

    return event_loop.run(run_sandbox(settings))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="homebiz", description="Home-business assistant bot for Bale and Telegram."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (the local sandbox when BOT_TOKEN is not set)")
    sub.add_parser("sandbox", help="chat with the bot in this terminal through the local emulator")
    office_import.add_parser(sub)
    office_exhibitions.add_parser(sub)
    office_export.add_parser(sub)
    office_stats.add_parser(sub)
    office_faq.add_parser(sub)
    ops_commands.add_parsers(sub)  # backup, restore, webhook
    for command in sub.choices.values():  # `homebiz stats --verbose` works as well
        command.add_argument(
            "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging"
        )
    return parser


COMMANDS: dict[str, Command] = {
    "run": _cmd_run,
    "sandbox": _cmd_sandbox,
    "import-bank-report": office_import.command,
    "import-exhibitions": office_exhibitions.command,
    "export": office_export.command,
    "stats": office_stats.command,
    "faq-report": office_faq.command,
    "backup": ops_commands.backup_command,
    "restore": ops_commands.restore_command,
    "webhook": ops_commands.webhook_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    _logging(args, settings)
    try:
        return COMMANDS[args.command](args, settings)
    except CatalogueError as exc:  # an officer's edit broke a data file: say where
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:
        if args.command in SERVICES or args.verbose:
            raise
        # The officer reads one Persian line; the traceback is in the log file.
        LOGGER.exception("homebiz %s failed", args.command)
        print(
            _("The command failed. The details are in the log file: {file}").format(
                file=log_file_path(settings.data_dir)
            ),
            file=sys.stderr,
        )
        return 1


def _logging(args: argparse.Namespace, settings: Settings) -> None:
    """The bot logs to stderr; an office command to its log file (and stderr with -v)."""
    secrets = (settings.bot_token.get_secret_value(),) if settings.bot_token else ()
    level = logging.DEBUG if args.verbose else logging.INFO
    json_lines = settings.log_format is LogFormat.JSON
    if args.command in SERVICES:
        configure_logging(level, secrets, json_lines=json_lines)
        return
    configure_logging(
        level,
        secrets,
        stderr=args.verbose,
        log_file=log_file_path(settings.data_dir),
        json_lines=json_lines,
    )
    # Library warnings (openpyxl, matplotlib) and a worker thread's crash are log lines too,
    # not text for the officer.
    logging.captureWarnings(True)
    threading.excepthook = _log_thread_crash


def _log_thread_crash(crash: threading.ExceptHookArgs) -> None:
    if crash.exc_type is SystemExit:
        return
    LOGGER.error(
        "thread %s failed",
        crash.thread.name if crash.thread else "?",
        exc_info=(crash.exc_type, crash.exc_value, crash.exc_traceback)
        if crash.exc_value is not None
        else None,
    )


if __name__ == "__main__":
    sys.exit(main())
