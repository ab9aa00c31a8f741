"""FAQ answers as a citizen reads them: figures from the data files filled in, in Persian digits."""

from __future__ import annotations

from domain.catalogue import Catalogue
from domain.faq import Count, FaqEntry, Figure, Money, Names, Percent, Year, figures
from texts.formatting import DECIMAL_SEPARATOR, format_number, format_toman_short, to_persian_digits
from texts.i18n import _


def format_figure(figure: Figure) -> str:
    """One figure as the answer shows it: «۲۰۰ میلیون تومان», «۶۰», «۱۴۰۴», «ملت، تجارت»."""
    match figure:
        case Money(rials=rials):
            return format_toman_short(rials)
        case Count(value=value):
            return format_number(value)
        case Year(value=value):
            return to_persian_digits(value)
        case Percent(value=value):
            if float(value).is_integer():
                return format_number(int(value))
            return to_persian_digits(f"{value:g}").replace(".", DECIMAL_SEPARATOR)
        case Names(items=items):
            return "، ".join(items)


def render_answer(entry: FaqEntry, catalogue: Catalogue) -> str:
    """The entry's answer with its {placeholders} filled from rules, activities and documents."""
    values = {name: format_figure(value) for name, value in figures(catalogue).items()}
    return entry.answer.format_map(values)


def answer_text(entry: FaqEntry, catalogue: Catalogue) -> str:
    """The message: the question, its answer, and «Did this answer help you?»."""
    return "\n\n".join(
        (
            _("💬 {question}").format(question=entry.question),
            render_answer(entry, catalogue),
            _("Did this answer help you?"),
        )
    )
