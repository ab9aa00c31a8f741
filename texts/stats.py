"""The office's statistics in Persian: the seed-style paragraph and the full text report."""

from __future__ import annotations

from datetime import date

from domain.stats import LoanTotals, Stats, Tally, round_down_count, round_down_rials
from domain.statuses import ApplicationStatus, PlanType
from texts.formatting import (
    format_jalali_date,
    format_number,
    format_toman_short,
    to_persian_digits,
)
from texts.i18n import _
from texts.labels import not_given, plan_type_label
from texts.notifications import status_label


def _year(stats: Stats) -> str:
    return to_persian_digits(stats.year)


def more_than_amount(rials: int) -> str:
    """E.g. "more than 98 billion toman" (or the exact amount when nothing was rounded off)."""
    rounded = round_down_rials(rials)
    amount = format_toman_short(rounded.value)
    return amount if rounded.exact else _("more than {amount}").format(amount=amount)


def more_than_count(n: int) -> str:
    """E.g. "more than 4,700" (or the exact count when nothing was rounded off)."""
    rounded = round_down_count(n)
    count = format_number(rounded.value)
    return count if rounded.exact else _("more than {count}").format(count=count)


def render_stats_paragraph(stats: Stats) -> str:
    """The seed article's two sentences, computed from the data: permits, then paid loans."""
    year = _year(stats)
    current = stats.is_current_year
    if current:
        permits_text = _(
            "Since the beginning of {year}, {permits} home-business permits have been issued "
            "in the province."
        )
        loans_text = _(
            "Since the beginning of {year}, {independent} independent plans and {supporting} "
            "supporting plans, introduced to the province's agent banks, have received "
            "{amount} of home-business interest-free loans."
        )
    else:
        permits_text = _("In {year}, {permits} home-business permits were issued in the province.")
        loans_text = _(
            "In {year}, {independent} independent plans and {supporting} supporting plans, "
            "introduced to the province's agent banks, received {amount} of home-business "
            "interest-free loans."
        )
    permits = permits_text.format(year=year, permits=more_than_count(stats.permits_issued))
    loans = loans_text.format(
        year=year,
        independent=format_number(stats.paid_for(PlanType.INDEPENDENT).count),
        supporting=format_number(stats.paid_for(PlanType.SUPPORTING).count),
        amount=more_than_amount(stats.paid_total.rials),
    )
    return f"{permits} {loans}"


def _line(label: str, count: int) -> str:
    return _("• {label}: {count}").format(label=label, count=format_number(count))


def _tally_lines(tallies: list[Tally]) -> list[str]:
    return [_line(t.name or (t.code or not_given()), t.count) for t in tallies]


def _loan_line(label: str, totals: LoanTotals) -> str:
    return _("• {label}: {count} plans, {amount}").format(
        label=label, count=format_number(totals.count), amount=format_toman_short(totals.rials)
    )


def render_stats_text(stats: Stats) -> str:
    """The officer's full report: counts by status, plan type, county and group, loans."""
    lines = [
        _("Home-business statistics for {year}").format(year=_year(stats)),
        _("From {start} to {end}").format(
            start=format_jalali_date(stats.start),
            end=format_jalali_date(min(stats.today, _last_day(stats))),
        ),
        "",
        _("Applications submitted: {count}").format(count=format_number(stats.submitted)),
        _("Unfinished drafts: {count}").format(count=format_number(stats.drafts)),
    ]
    if stats.by_status:
        lines += ["", _("By status:")]
        lines += [_line(status_label(ApplicationStatus(s)), n) for s, n in stats.by_status.items()]
    if stats.by_plan_type:
        lines += ["", _("By plan type:")]
        lines += [_line(plan_type_label(p), n) for p, n in stats.by_plan_type.items()]
    if stats.by_county:
        lines += ["", _("By county:")]
        lines += _tally_lines(stats.by_county)
    if stats.by_group:
        lines += ["", _("By activity group:")]
        lines += _tally_lines(stats.by_group)
    lines += ["", _("Loans:")]
    for plan in PlanType:
        lines.append(
            _loan_line(
                _("introduced to banks, {plan}").format(plan=plan_type_label(plan)),
                stats.introduced_for(plan),
            )
        )
    for plan in PlanType:
        lines.append(
            _loan_line(_("paid, {plan}").format(plan=plan_type_label(plan)), stats.paid_for(plan))
        )
    lines.append(_loan_line(_("paid in total"), stats.paid_total))
    lines.append(_("Permits issued: {count}").format(count=format_number(stats.permits_issued)))
    lines += ["", render_stats_paragraph(stats)]
    return "\n".join(lines)


def _last_day(stats: Stats) -> date:
    return date.fromordinal(stats.end.toordinal() - 1)
