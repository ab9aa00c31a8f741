"""The words of a question: Persian normalisation, words that carry no subject, synonyms.

Pure text functions for the FAQ matcher (domain/faq_match.py) and the FAQ data checks. The
words here are input forms citizens type, not texts the bot shows.
"""

from __future__ import annotations

import re
from functools import lru_cache

from domain.persian import ZWNJ, fold_letter_variants, normalize_input


def word_set(text: str) -> frozenset[str]:
    """A set of words written one after another (long Persian lists read better so)."""
    return frozenset(text.split())


_NOT_WORD = re.compile(r"[^\w]+")
_REPEATS = re.compile(r"(\w)\1{2,}")  # «سلاااام» → «سلام»
# Verb prefixes typed as separate words («می خوام») and suffixes typed apart («مدرک ها»).
_PREFIXES = frozenset({"می", "نمی"})
_SUFFIXES = frozenset({"ها", "های", "هایی", "ای", "ایه", "ام", "ایم", "اید", "اند", "تر", "ترین"})

# Words that carry no meaning of their own in a question: greetings, pronouns, particles and
# the verbs of asking. A text made only of these is not a question (e.g. «سلام، ممنون»).
STOPWORDS = word_set(
    """
    آیا اگر اما ولی را رو به با از در تو توی داخل که و یا هم نیز من ما شما تو او اون آن این اینو
    اونو آنرا اینرا همین همون است هست هستم هستیم هستید هستند هستن بود بودم باشد باشه باشم باشیم
    شد شده شدم میشه میشود میشد میشن کنم کنیم کنید کنند کن کرد کردم کردیم کردن کردند بکنم بکنیم
    داره دارد دارم داریم دارید دارند داشتم داشتیم برای واسه بهم بهش ازش ازم یه یک یکی لطفا لطفاً
    سلام درود علیک ممنون مرسی متشکرم تشکر سپاس خسته نباشید نباشین خدا قوت وقت بخیر صبح عصر شب
    روز بخیر جان عزیز سوال سوالی سؤال پرسش پرسیدم بپرسم میخواستم بدونم بدانم بگید بگویید بگین
    بفرمایید بفرمائید راهنمایی کنید میخوام میخواهم میتونم میتوانم باید بایست میخواد خب خوب حالا
    الان دیگه دیگر ی ها های چیزی همه ام ای نه آره اره نخیر اوکی ok تا اگه اگر داشته داشتن
    """
)
# Short replies that are words of an entry too («بله» is also the messenger Bale): alone, a
# text of them is an answer to nothing, not a question.
_REPLIES = frozenset({"بله", "باشه", "چشم"})


# Each text is normalised more than once: an entry's texts by the file check, the schema and the
# matcher's index; a typed question by is_question, the ranking and the stored record.
@lru_cache(maxsize=4096)
def normalize_question(text: str) -> str:
    """A typed text in one comparable form: letters and digits folded, punctuation removed,
    half-spaces joined, «می خوام» written as one word, lower case."""
    text = fold_letter_variants(normalize_input(text)).casefold()
    text = text.replace(ZWNJ, "")  # «می‌خواهم», «میخواهم»: one word either way
    text = _NOT_WORD.sub(" ", text).replace("_", " ")
    text = _REPEATS.sub(r"\1", text)
    words: list[str] = []
    for word in text.split():
        if words and (word in _SUFFIXES or words[-1] in _PREFIXES):
            words[-1] += word
        else:
            words.append(word)
    return " ".join(words)


def content_words(text: str) -> list[str]:
    """The normalised words of a text that carry meaning, in order, each once."""
    seen: list[str] = []
    for word in normalize_question(text).split():
        if word not in STOPWORDS and word not in seen:
            seen.append(word)
    return seen


def is_question(text: str) -> bool:
    """Whether a text has a word worth matching (not only greetings, digits or emoji)."""
    return any(not word.isdigit() and word not in _REPLIES for word in content_words(text))


# Question words and everyday verbs: they shape a question but say little about its subject.
LIGHT_WORDS = word_set(
    """
    چه چی چیه چیست چیا چیان چطور چطوری چگونه چجوری چجور کی کیه کجا کجاست کجان چند چنده چندتا
    چقدر چقدره چقد چرا کدام کدوم کدومه کدومان کدوما یعنی لازم لازمه لازمست میدن میده میدهند
    میدید میدین میدهید بدم بدن بده بدیم بدهم بگیرم بگیرن بگیره بگیریم بگیرد میگیرن میگیرم
    میگیرند میگیره گرفتن گرفتم گرفت بشم بشه بشن میشم میشن کنه کنن بکنم کار داد دادم دادن چیکار
    چکار میکنن میکنید میکنین
    """
)


# Words citizens use for the same thing (input forms, not texts the bot shows): each is read
# as the first word of its line. Colloquial «و» for «ا» (خونه, خونگی) is folded here too.
SYNONYMS = {
    variant: line.split()[0]
    for line in """
    وام تسهیلات
    گرفتن دریافت
    مجوز پروانه
    درگاه سایت
    خانه خونه منزل
    خانگی خونگی
    سود بهره
    ضامن کفیل
    اقساط قسطا قسطها
    چطور چطوری چجوری چجور چگونه
    چقدر چقد چقدره چنده
    """.strip().splitlines()
    for variant in line.split()[1:]
}


def stem(word: str) -> str:
    """Synonyms to one word; a verb's «می»/«نمی» dropped so «میفروشم» meets «فروش»."""
    word = SYNONYMS.get(word, word)
    for prefix in ("نمی", "می"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word


def terms(text: str) -> list[tuple[str, bool]]:
    """(stemmed word, whether it is light) for each content word of a text."""
    return [(stem(w), w in LIGHT_WORDS) for w in content_words(text)]
