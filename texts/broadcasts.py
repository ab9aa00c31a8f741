"""An announcement's texts for the officer: the live progress line and the final report."""

from __future__ import annotations

from domain.exhibitions import BroadcastProgress
from texts.formatting import format_number
from texts.i18n import _


def progress_text(progress: BroadcastProgress, total: int) -> str:
    """E.g. "Announcement: 1,200 of 5,000 sent", with the undelivered counts once there are any."""
    text = _("Announcement: {sent} of {total} sent").format(
        sent=format_number(progress.sent), total=format_number(total)
    )
    if progress.blocked or progress.failed:
        text += "\n" + _("Not delivered: {blocked} blocked the bot, {failed} failed").format(
            blocked=format_number(progress.blocked), failed=format_number(progress.failed)
        )
    return text


def report_text(progress: BroadcastProgress) -> str:
    """The officer's final report."""
    return _(
        "The announcement is finished.\n"
        "Delivered: {sent}\nBlocked the bot: {blocked}\nFailed: {failed}\nRecipients: {total}"
    ).format(
        sent=format_number(progress.sent),
        blocked=format_number(progress.blocked),
        failed=format_number(progress.failed),
        total=format_number(progress.total),
    )
