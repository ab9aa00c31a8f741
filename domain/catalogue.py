"""The officer-editable catalogue from data/: counties, activities, rules, documents, the FAQ,
the canned replies officers send in tickets and the office's holidays.

A bad file stops start-up with a ``CatalogueError`` naming the file, the place and the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.faq import FAQ_FILE, FaqBook, FaqFile, faq_problems
from domain.office_hours import HOLIDAYS_FILE, Holiday, HolidaysFile, holiday_problems
from domain.persian import normalize_for_search
from domain.tickets import (
    CANNED_REPLIES_FILE,
    CannedRepliesFile,
    CannedReply,
    canned_problems,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

COUNTIES_FILE = "counties.yaml"
ACTIVITIES_FILE = "activities.yaml"
RULES_FILE = "rules.yaml"
DOCUMENTS_FILE = "documents.yaml"


class CatalogueError(Exception):
    """One or more data files are wrong; the message has one readable line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class _Record(BaseModel):
    """Immutable record that refuses unknown keys, so an officer's typo is reported."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


Code = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
Name = Field(min_length=1, max_length=120)


# --- counties -------------------------------------------------------------------------------


class County(_Record):
    """A county (شهرستان) and its seat."""

    code: str = Code
    name: str = Name
    centre: str = Name
    aliases: tuple[str, ...] = ()


class Province(_Record):
    """A province (استان) and its counties."""

    code: str = Code
    name: str = Name
    counties: tuple[County, ...] = Field(min_length=1)


class _CountiesFile(_Record):
    provinces: tuple[Province, ...] = Field(min_length=1)


# --- activities -----------------------------------------------------------------------------


class SignOff(StrEnum):
    """The second authority a starred activity needs."""

    HEALTH = "health"  # the Ministry of Health
    VETERINARY = "veterinary"  # the Veterinary Organisation
    CULTURE = "culture"  # the Ministry of Culture (Ershad)


class ActivityGroup(_Record):
    """One of the seven groups of the national activity list."""

    code: str = Code
    name: str = Name


class Activity(_Record):
    """An approved home-business activity and its flags."""

    code: str = Code
    name: str = Name
    group: str = Code
    aliases: tuple[str, ...] = ()
    starred: bool = False
    sign_off: SignOff | None = None
    needs_skills_certificate: bool = False
    needs_health_certificate: bool = False
    closed_to_new_loans: bool = False

    @model_validator(mode="after")
    def _sign_off_iff_starred(self) -> Activity:
        if self.starred and self.sign_off is None:
            raise ValueError("a starred activity needs sign_off: health, veterinary or culture")
        if not self.starred and self.sign_off is not None:
            raise ValueError("sign_off is only for starred activities (set starred: true)")
        return self

    @property
    def is_food(self) -> bool:
        """Food activities need a health certificate."""
        return self.needs_health_certificate


class _ActivitiesFile(_Record):
    groups: tuple[ActivityGroup, ...] = Field(min_length=1)
    activities: tuple[Activity, ...] = Field(min_length=1)


# --- rules ----------------------------------------------------------------------------------


class AgeRules(_Record):
    """Age limits in whole years."""

    minimum: int = Field(ge=0, le=100)
    supporter_minimum: int = Field(ge=0, le=100)
    maximum: int | None = Field(default=None, ge=1, le=120)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRules:
        if self.supporter_minimum < self.minimum:
            raise ValueError("supporter_minimum must not be below minimum")
        if self.maximum is not None and self.maximum < self.supporter_minimum:
            raise ValueError("maximum must not be below the minimum ages")
        return self


class IndependentLoan(_Record):
    """Loan terms of an independent plan ("tarh-e mostaghel")."""

    cap_rials: int = Field(gt=0)


class SupportingLoan(_Record):
    """Loan terms of a supporting plan: a base plus an amount per covered job, capped."""

    base_rials: int = Field(ge=0)
    per_job_rials: int = Field(ge=0)
    max_jobs: int = Field(gt=0)
    max_rials: int = Field(gt=0)

    @model_validator(mode="after")
    def _base_within_max(self) -> SupportingLoan:
        if self.base_rials > self.max_rials:
            raise ValueError("base_rials must not exceed max_rials")
        return self

    def cap_for(self, covered_workers: int | None) -> int:
        """The cap for a plan covering this many workers; the maximum when not yet known."""
        if covered_workers is None:
            return self.max_rials
        jobs = min(max(covered_workers, 0), self.max_jobs)
        return min(self.base_rials + self.per_job_rials * jobs, self.max_rials)


class LoanRules(_Record):
    """Loan terms shared by both plan types, and each plan's caps."""

    repayment_months: int = Field(gt=0, le=240)
    interest_rate_percent: float = Field(ge=0, le=100)
    independent: IndependentLoan
    supporting: SupportingLoan


class SupportingRules(_Record):
    """Extra requirements of a supporting plan."""

    minimum_experience_years: int = Field(ge=0, le=60)
    minimum_covered_workers: int = Field(ge=0)


class Rules(_Record):
    """The programme's figures for one budget year."""

    budget_year: int = Field(ge=1390, le=1500)
    age: AgeRules
    loans: LoanRules
    supporting: SupportingRules
    other_support_bodies: tuple[str, ...] = Field(min_length=1)
    agent_banks: tuple[str, ...] = Field(min_length=1)


# --- documents ------------------------------------------------------------------------------


class FileKind(StrEnum):
    """What a citizen may send for a document."""

    PHOTO = "photo"
    PDF = "pdf"


class DocumentCondition(StrEnum):
    """The closed vocabulary of conditions that make a document required."""

    ALWAYS = "always"
    MAN = "man"
    RENTED_HOME = "rented_home"
    FOOD_ACTIVITY = "food_activity"
    SKILLS_CERTIFICATE_NEEDED = "skills_certificate_needed"
    SUPPORTING_PLAN = "supporting_plan"
    INDEPENDENT_PLAN = "independent_plan"
    STARRED_ACTIVITY = "starred_activity"


class DocumentRequirement(_Record):
    """A document, what an acceptable scan looks like, and when it is required (all_of)."""

    code: str = Code
    name: str = Name
    hint: str = Field(min_length=1, max_length=300)
    kinds: tuple[FileKind, ...] = Field(min_length=1)
    when: tuple[DocumentCondition, ...]

    @field_validator("when", mode="before")
    @classmethod
    def _condition_forms(cls, value: object) -> object:
        # `when: man` or `when: {all_of: [man, rented_home]}` in the file.
        if isinstance(value, str):
            return (value,)
        if isinstance(value, Mapping):
            if set(value) != {"all_of"}:
                raise ValueError("use one condition, or {all_of: [condition, ...]}")
            value = value["all_of"]
        if isinstance(value, list | tuple) and not value:
            raise ValueError("name at least one condition, e.g. always")
        return value


class _DocumentsFile(_Record):
    documents: tuple[DocumentRequirement, ...] = Field(min_length=1)


# --- the catalogue --------------------------------------------------------------------------


class Catalogue:
    """Everything the eligibility check, the application and the FAQ read from data/, indexed."""

    def __init__(
        self,
        provinces: Sequence[Province],
        groups: Sequence[ActivityGroup],
        activities: Sequence[Activity],
        rules: Rules,
        documents: Sequence[DocumentRequirement],
        faq: FaqBook | None = None,
        canned_replies: Sequence[CannedReply] = (),
        holidays: Sequence[Holiday] = (),
    ) -> None:
        self.provinces: tuple[Province, ...] = tuple(provinces)
        self.groups: tuple[ActivityGroup, ...] = tuple(groups)
        self.activities: tuple[Activity, ...] = tuple(activities)
        self.rules = rules
        self.documents: tuple[DocumentRequirement, ...] = tuple(documents)
        self.faq = faq if faq is not None else FaqBook()
        self.canned_replies: tuple[CannedReply, ...] = tuple(canned_replies)
        self.holidays: tuple[Holiday, ...] = tuple(holidays)
        self._canned = {reply.code: reply for reply in self.canned_replies}
        self.counties: tuple[County, ...] = tuple(c for p in self.provinces for c in p.counties)
        self._counties = {c.code: c for c in self.counties}
        self._groups = {g.code: g for g in self.groups}
        self._activities = {a.code: a for a in self.activities}
        self._documents = {d.code: d for d in self.documents}
        self._search_keys = {a.code: _search_keys(a) for a in self.activities}

    @property
    def province(self) -> Province:
        """The province this deployment serves (the first in counties.yaml)."""
        return self.provinces[0]

    def county(self, code: str) -> County | None:
        """A county by code, or None."""
        return self._counties.get(code)

    def group(self, code: str) -> ActivityGroup | None:
        """An activity group by code, or None."""
        return self._groups.get(code)

    def activity(self, code: str) -> Activity | None:
        """An activity by code, or None."""
        return self._activities.get(code)

    def activities_in(self, group_code: str) -> list[Activity]:
        """The activities of one group, in file order."""
        return [a for a in self.activities if a.group == group_code]

    def document(self, code: str) -> DocumentRequirement | None:
        """A document requirement by code, or None."""
        return self._documents.get(code)

    def canned_reply(self, code: str) -> CannedReply | None:
        """A canned reply by code, or None."""
        return self._canned.get(code)

    def search_activities(self, query: str, limit: int | None = None) -> list[Activity]:
        """Activities whose name or alias contains the typed text; prefix matches first."""
        needle = normalize_for_search(query)
        if not needle:
            return []
        ranked: list[tuple[int, int, Activity]] = []
        for order, activity in enumerate(self.activities):
            rank = _match_rank(needle, self._search_keys[activity.code])
            if rank is not None:
                ranked.append((rank, order, activity))
        ranked.sort(key=lambda item: (item[0], item[1]))
        found = [activity for _, _, activity in ranked]
        return found if limit is None else found[:limit]


def _word_suffixes(text: str) -> tuple[str, ...]:
    """Search forms of the text starting at each word: "ornamental fish farming" → 3 forms."""
    words = text.replace("\u200c", " ").split()
    return tuple(normalize_for_search(" ".join(words[i:])) for i in range(len(words)))


def _search_keys(activity: Activity) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    return _word_suffixes(activity.name), tuple(_word_suffixes(a) for a in activity.aliases)


def _match_rank(
    needle: str, keys: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]
) -> int | None:
    """0 name prefix, 1 name word prefix, 2 alias prefix, 3 alias word, 4 name, 5 alias."""
    name, aliases = keys
    if name and name[0].startswith(needle):
        return 0
    if any(s.startswith(needle) for s in name):
        return 1
    if any(a and a[0].startswith(needle) for a in aliases):
        return 2
    if any(s.startswith(needle) for a in aliases for s in a):
        return 3
    if name and needle in name[0]:
        return 4
    if any(a and needle in a[0] for a in aliases):
        return 5
    return None


M = TypeVar("M", bound=BaseModel)


# --- loading --------------------------------------------------------------------------------


def error_place(loc: Iterable[int | str]) -> str:
    """pydantic's error location ('activities', 12, 'group') as activities[12].group."""
    place = ""
    for part in loc:
        if isinstance(part, int):
            place += f"[{part}]"
        else:
            place += f".{part}" if place else str(part)
    return place or "(top level)"


# libyaml's parser when PyYAML was built with it (the wheels are): the same documents, read
# about ten times faster than by the pure-Python one (faq.yaml alone took ~0.1 s).
FAST_YAML_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.append(f"{path.name}: cannot read the file ({exc.strerror or exc})")
        return None
    try:
        return yaml.load(text, Loader=FAST_YAML_LOADER)
    except yaml.YAMLError:
        pass
    # A bad file: read it again with PyYAML's own parser, whose messages are the clearer
    # ("found character '\t' that cannot start any token" where libyaml leaves the '\t' out).
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(f"{path.name}: {where}: not valid YAML ({reason})")
        return None


def _validate(model: type[M], path: Path, problems: list[str]) -> M | None:
    before = len(problems)
    raw = _read_yaml(path, problems)
    if raw is None:
        if len(problems) == before:
            problems.append(f"{path.name}: the file is empty")
        return None
    if not isinstance(raw, dict):
        problems.append(f"{path.name}: (top level): expected a mapping of keys")
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{path.name}: {error_place(error['loc'])}: {message}")
        return None


def _duplicates(file: str, section: str, codes: Sequence[str], problems: list[str]) -> None:
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code in seen:
            problems.append(f"{file}: {section}[{index}].code: duplicate code {code!r}")
        seen.add(code)


def _cross_check(
    counties: _CountiesFile | None,
    activities: _ActivitiesFile | None,
    documents: _DocumentsFile | None,
    problems: list[str],
) -> None:
    """What one file's schema cannot see: unique codes and references between records."""
    if counties is not None:
        _duplicates(COUNTIES_FILE, "provinces", [p.code for p in counties.provinces], problems)
        seen: set[str] = set()
        for p_index, province in enumerate(counties.provinces):
            for c_index, county in enumerate(province.counties):
                if county.code in seen:
                    problems.append(
                        f"{COUNTIES_FILE}: provinces[{p_index}].counties[{c_index}].code: "
                        f"duplicate county code {county.code!r}"
                    )
                seen.add(county.code)
    if activities is not None:
        _duplicates(ACTIVITIES_FILE, "groups", [g.code for g in activities.groups], problems)
        _duplicates(
            ACTIVITIES_FILE, "activities", [a.code for a in activities.activities], problems
        )
        groups = {g.code for g in activities.groups}
        for index, activity in enumerate(activities.activities):
            if activity.group not in groups:
                problems.append(
                    f"{ACTIVITIES_FILE}: activities[{index}].group: unknown group "
                    f"{activity.group!r} (activity {activity.code!r}); "
                    f"known groups: {', '.join(sorted(groups))}"
                )
    if documents is not None:
        _duplicates(DOCUMENTS_FILE, "documents", [d.code for d in documents.documents], problems)


def load_catalogue(data_dir: Path = DEFAULT_DATA_DIR) -> Catalogue:
    """Read and check the data files; raise CatalogueError listing every problem."""
    problems: list[str] = []
    counties = _validate(_CountiesFile, data_dir / COUNTIES_FILE, problems)
    activities = _validate(_ActivitiesFile, data_dir / ACTIVITIES_FILE, problems)
    rules = _validate(Rules, data_dir / RULES_FILE, problems)
    documents = _validate(_DocumentsFile, data_dir / DOCUMENTS_FILE, problems)
    faq = _validate(FaqFile, data_dir / FAQ_FILE, problems)
    canned = _validate(CannedRepliesFile, data_dir / CANNED_REPLIES_FILE, problems)
    holidays = _validate(HolidaysFile, data_dir / HOLIDAYS_FILE, problems)
    _cross_check(counties, activities, documents, problems)
    if faq is not None:
        problems += [f"{FAQ_FILE}: {problem}" for problem in faq_problems(faq)]
    if canned is not None:
        problems += [f"{CANNED_REPLIES_FILE}: {problem}" for problem in canned_problems(canned)]
    if holidays is not None:
        problems += [f"{HOLIDAYS_FILE}: {problem}" for problem in holiday_problems(holidays)]
    if (
        problems
        or counties is None
        or activities is None
        or rules is None
        or documents is None
        or faq is None
        or canned is None
        or holidays is None
    ):
        raise CatalogueError(problems or ["data files could not be read"])
    return Catalogue(
        provinces=counties.provinces,
        groups=activities.groups,
        activities=activities.activities,
        rules=rules,
        documents=documents.documents,
        faq=FaqBook(faq.topics, faq.entries),
        canned_replies=canned.replies,
        holidays=holidays.holidays,
    )
