"""The operator's `homebiz` subcommands: `backup DIR`, `restore DIR`, `webhook set|delete|info`.

Backups run while the bot runs (storage/backup.py); a restore goes only into an empty data
dir. `webhook` acts on each configured platform: `set` registers WEBHOOK_BASE_URL's endpoint
as the running bot would at start, `delete` returns the bot to long polling at its next start
(kept updates are not dropped), `info` prints what the platform reports. A Bale webhook's
secret path segment is never printed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC
from pathlib import Path

from bot import event_loop
from config.settings import Settings
from storage.backup import BackupError, make_backup, restore_backup
from texts.formatting import format_number
from texts.i18n import _


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser("backup", help="copy the database and the documents into DIR")
    backup.add_argument("folder", metavar="DIR", type=Path, help="a new or empty folder")
    restore = sub.add_parser("restore", help="put a backup from DIR into an empty DATA_DIR")
    restore.add_argument("folder", metavar="DIR", type=Path, help="a folder `homebiz backup` wrote")
    webhook = sub.add_parser("webhook", help="set, delete or show the platforms' webhooks")
    webhook.add_argument("action", choices=("set", "delete", "info"))


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        summary = make_backup(settings.data_dir, settings.database_path, args.folder)
    except BackupError as exc:
        print(_("Backup failed: {reason}").format(reason=exc), file=sys.stderr)
        return 2
    print(
        _("Backup written to {folder}: the database and {files} document files.").format(
            folder=summary.folder, files=format_number(summary.files)
        )
    )
    return 0


def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        summary = restore_backup(args.folder, settings.data_dir, settings.database_path)
    except BackupError as exc:
        print(_("Restore failed: {reason}").format(reason=exc), file=sys.stderr)
        return 2
    print(
        _("Restored into {folder}: the database and {files} document files.").format(
            folder=summary.folder, files=format_number(summary.files)
        )
    )
    return 0


def webhook_command(args: argparse.Namespace, settings: Settings) -> int:
    return event_loop.run(_webhook(args.action, settings))


async def _webhook(action: str, settings: Settings) -> int:
    # The bot's modules (PTB, the HTTP client) load only for this command: the office's other
    # commands (`homebiz export`, `stats`, ...) start without them.
    from bot.app import make_bot
    from bot.webhooks import WebhookAddress

    if action == "set" and settings.webhook_base_url is None:
        message = _("Set {setting} to this server's public address first.")
        print(message.format(setting="WEBHOOK_BASE_URL"), file=sys.stderr)
        return 2
    for platform in settings.platforms:  # each configured bot, Telegram first
        async with make_bot(settings, platform=platform) as bot:
            if action == "set":
                address = WebhookAddress.from_settings(settings, platform)
                await address.register(bot)
            elif action == "delete":
                await bot.delete_webhook(drop_pending_updates=False)
            info = await bot.get_webhook_info()
        error = ""
        if info.last_error_date is not None:
            when = info.last_error_date.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            error = f"{when} UTC {info.last_error_message or ''}".strip()
        print(
            _("{platform}: webhook {url}; updates waiting: {pending}; last error: {error}").format(
                platform=platform.platform.value,
                url=_shown(info.url) or "-",
                pending=format_number(info.pending_update_count),
                error=error or "-",
            )
        )
    return 0


def _shown(url: str) -> str:
    """The URL without a secret path segment (Bale's), which is as good as a password."""
    head, sep, last = url.rpartition("/")
    if sep and "/webhook/bale" in head and len(last) >= 32:
        return f"{head}/<secret>"
    return url
