"""The shipped data files load, and a broken file is refused with the file, place and problem."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domain.catalogue import (
    DEFAULT_DATA_DIR,
    Catalogue,
    CatalogueError,
    DocumentCondition,
    FileKind,
    SignOff,
    load_catalogue,
)
from tests.catalogues import parsed_catalogue
from tests.unit.data_files import edit_yaml

LORESTAN_COUNTIES = {
    "ازنا",
    "الیگودرز",
    "بروجرد",
    "پلدختر",
    "خرم‌آباد",
    "دلفان",
    "دورود",
    "دوره",
    "رومشکان",
    "سلسله",
    "کوهدشت",
    "معمولان",
}
DOCUMENT_CODES = {
    "national_card",
    "birth_certificate",
    "photo",
    "skills_certificate",
    "military_service_card",
    "residence_proof",
    "lease",
    "owner_consent",
    "health_certificate",
    "no_criminal_record",
    "experience_proof",
    "covered_workers_list",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parsed_catalogue()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped files that a test may break."""
    target = tmp_path / "data"
    target.mkdir()
    for name in (
        "counties.yaml",
        "activities.yaml",
        "rules.yaml",
        "documents.yaml",
        "faq.yaml",
        "canned_replies.yaml",
        "holidays.yaml",
    ):
        shutil.copy(DEFAULT_DATA_DIR / name, target / name)
    return target


def _edit(path: Path, change: Callable[[Any], object]) -> None:
    """Load a YAML file, let `change` mutate it, write it back."""
    edit_yaml(path, change)


def _problems(data_dir: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(data_dir)
    return caught.value.problems


# --- the shipped files ----------------------------------------------------------------------


def test_lorestan_and_its_twelve_counties(catalogue: Catalogue) -> None:
    assert catalogue.province.name == "لرستان"
    assert {c.name for c in catalogue.counties} == LORESTAN_COUNTIES
    assert catalogue.county("delfan") is not None
    assert catalogue.county("delfan").centre == "نورآباد"  # type: ignore[union-attr]
    assert all(c.centre for c in catalogue.counties)


def test_seven_groups_each_with_activities(catalogue: Catalogue) -> None:
    assert [g.code for g in catalogue.groups] == [
        "livestock",
        "handicrafts",
        "fisheries",
        "agri_processing",
        "plant_production",
        "manufacturing_services",
        "cultural_artistic",
    ]
    for group in catalogue.groups:
        assert len(catalogue.activities_in(group.code)) >= 5, group.code


def test_at_least_sixty_activities_with_product_examples(catalogue: Catalogue) -> None:
    assert len(catalogue.activities) >= 60
    names = {a.name for a in catalogue.activities}
    for example in ("گلیم‌بافی", "قالیبافی", "قلم‌زنی", "ماشته‌بافی", "چرم دست‌دوز", "خیاطی"):
        assert example in names
    for example in ("برنامه‌نویسی", "ترجمه", "آموزش مجازی", "تجارت الکترونیک", "تولید عسل"):
        assert example in names


def test_flags_are_consistent(catalogue: Catalogue) -> None:
    for activity in catalogue.activities:
        assert activity.starred == (activity.sign_off is not None), activity.code
        if activity.needs_health_certificate:
            assert activity.sign_off is SignOff.HEALTH, activity.code
    assert catalogue.activity("tailoring").closed_to_new_loans  # type: ignore[union-attr]
    assert catalogue.activity("carpet").closed_to_new_loans  # type: ignore[union-attr]
    assert catalogue.activity("kilim").closed_to_new_loans is False  # type: ignore[union-attr]


def test_rules_hold_the_1404_figures(catalogue: Catalogue) -> None:
    rules = catalogue.rules
    assert rules.budget_year == 1404
    assert (rules.age.minimum, rules.age.supporter_minimum, rules.age.maximum) == (18, 20, None)
    assert rules.loans.independent.cap_rials == 2_000_000_000
    assert rules.loans.repayment_months == 60
    assert rules.loans.interest_rate_percent == 4
    assert rules.loans.supporting.cap_for(25) == 50_000_000_000
    assert "بنیاد برکت" in rules.other_support_bodies
    assert len(rules.agent_banks) == 9


def test_supporting_cap_grows_with_jobs_and_stops_at_the_maximum(catalogue: Catalogue) -> None:
    loan = catalogue.rules.loans.supporting
    assert loan.cap_for(0) == loan.base_rials
    assert loan.cap_for(5) == loan.base_rials + 5 * loan.per_job_rials
    assert loan.cap_for(1000) == loan.max_rials
    assert loan.cap_for(None) == loan.max_rials


def test_documents_cover_every_required_code(catalogue: Catalogue) -> None:
    assert {d.code for d in catalogue.documents} == DOCUMENT_CODES
    assert catalogue.document("photo").kinds == (FileKind.PHOTO,)  # type: ignore[union-attr]
    lease = catalogue.document("lease")
    assert lease is not None and lease.when == (DocumentCondition.RENTED_HOME,)


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["قالی", "قالي", "قالی بافی", "قالی\u200cبافی", "  قالیبافی ", "فرش"]
)
def test_search_finds_carpet_weaving_however_typed(catalogue: Catalogue, query: str) -> None:
    assert "carpet" in [a.code for a in catalogue.search_activities(query)]


def test_search_folds_arabic_kaf_and_finds_aliases(catalogue: Catalogue) -> None:
    assert [a.code for a in catalogue.search_activities("كشك")] == ["dairy"]
    assert [a.code for a in catalogue.search_activities("زنبورداری")] == ["honey"]


def test_search_ranks_prefix_matches_first(catalogue: Catalogue) -> None:
    codes = [a.code for a in catalogue.search_activities("گل")]
    assert codes[0] == "kilim"  # «گلیم‌بافی» starts with it
    assert codes.index("flowers_plants") < codes.index("herbal_distillates")  # word vs inside


def test_search_with_nothing_typed_finds_nothing(catalogue: Catalogue) -> None:
    assert catalogue.search_activities("") == []
    assert catalogue.search_activities(" \u200c ") == []
    assert catalogue.search_activities("ناموجود") == []


def test_search_limit(catalogue: Catalogue) -> None:
    assert len(catalogue.search_activities("پرورش", limit=3)) == 3


# --- edits and broken files -----------------------------------------------------------------


def test_editing_a_cap_or_closing_an_activity_needs_no_code(data_dir: Path) -> None:
    def raise_cap(rules: dict) -> None:  # type: ignore[type-arg]
        rules["loans"]["independent"]["cap_rials"] = 3_000_000_000

    def close_kilim(content: dict) -> None:  # type: ignore[type-arg]
        next(a for a in content["activities"] if a["code"] == "kilim")["closed_to_new_loans"] = True

    _edit(data_dir / "rules.yaml", raise_cap)
    _edit(data_dir / "activities.yaml", close_kilim)
    catalogue = load_catalogue(data_dir)
    assert catalogue.rules.loans.independent.cap_rials == 3_000_000_000
    assert catalogue.activity("kilim").closed_to_new_loans  # type: ignore[union-attr]


def test_unknown_group_names_file_place_and_problem(data_dir: Path) -> None:
    _edit(data_dir / "activities.yaml", lambda c: c["activities"][12].update(group="knitting"))
    (problem,) = _problems(data_dir)
    assert problem.startswith("activities.yaml: activities[12].group: unknown group 'knitting'")


def test_starred_without_sign_off_is_refused(data_dir: Path) -> None:
    _edit(data_dir / "activities.yaml", lambda c: c["activities"][0].pop("sign_off"))
    (problem,) = _problems(data_dir)
    assert problem.startswith("activities.yaml: activities[0]: a starred activity needs sign_off")


def test_unknown_document_condition_is_refused(data_dir: Path) -> None:
    _edit(data_dir / "documents.yaml", lambda c: c["documents"][4].update(when="woman"))
    (problem,) = _problems(data_dir)
    assert problem.startswith("documents.yaml: documents[4].when[0]: Input should be")
    assert "'rented_home'" in problem


def test_all_of_conditions_are_read(data_dir: Path) -> None:
    _edit(
        data_dir / "documents.yaml",
        lambda c: c["documents"][4].update(when={"all_of": ["man", "supporting_plan"]}),
    )
    doc = load_catalogue(data_dir).documents[4]
    assert doc.when == (DocumentCondition.MAN, DocumentCondition.SUPPORTING_PLAN)


def test_duplicate_codes_are_refused(data_dir: Path) -> None:
    def duplicate(content: dict) -> None:  # type: ignore[type-arg]
        content["activities"][3]["code"] = content["activities"][1]["code"]

    _edit(data_dir / "activities.yaml", duplicate)
    (problem,) = _problems(data_dir)
    assert problem == "activities.yaml: activities[3].code: duplicate code 'native_poultry'"


def test_a_typo_in_a_key_is_refused(data_dir: Path) -> None:
    _edit(data_dir / "rules.yaml", lambda c: c.update(budget_yaer=1405))
    (problem,) = _problems(data_dir)
    assert problem == "rules.yaml: budget_yaer: Extra inputs are not permitted"


def test_every_problem_in_every_file_is_listed_one_per_line(data_dir: Path) -> None:
    _edit(data_dir / "rules.yaml", lambda c: c["loans"]["independent"].update(cap_rials=-5))
    _edit(data_dir / "counties.yaml", lambda c: c["provinces"][0]["counties"][2].pop("centre"))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(data_dir)
    lines = str(caught.value).splitlines()
    assert lines == caught.value.problems
    assert "counties.yaml: provinces[0].counties[2].centre: Field required" in lines
    assert any(line.startswith("rules.yaml: loans.independent.cap_rials:") for line in lines)


def test_invalid_yaml_names_the_line(data_dir: Path) -> None:
    (data_dir / "counties.yaml").write_text("provinces:\n  - code: [lorestan\n", encoding="utf-8")
    (problem,) = _problems(data_dir)
    assert problem.startswith("counties.yaml: line ")
    assert "not valid YAML" in problem


def test_missing_and_empty_files_are_reported(data_dir: Path) -> None:
    (data_dir / "documents.yaml").unlink()
    (data_dir / "rules.yaml").write_text("", encoding="utf-8")
    problems = _problems(data_dir)
    assert problems[0] == "rules.yaml: the file is empty"
    assert problems[1].startswith("documents.yaml: cannot read the file")


def test_an_empty_condition_list_is_refused(data_dir: Path) -> None:
    _edit(data_dir / "documents.yaml", lambda c: c["documents"][0].update(when={"all_of": []}))
    (problem,) = _problems(data_dir)
    assert problem == "documents.yaml: documents[0].when: name at least one condition, e.g. always"


def test_a_canned_reply_code_used_twice_is_refused(data_dir: Path) -> None:
    def duplicate(content: dict) -> None:  # type: ignore[type-arg]
        content["replies"][2]["code"] = content["replies"][0]["code"]

    _edit(data_dir / "canned_replies.yaml", duplicate)
    (problem,) = _problems(data_dir)
    assert problem == "canned_replies.yaml: replies[2].code: duplicate code 'received'"


def test_a_canned_reply_title_too_long_for_a_button_is_refused(data_dir: Path) -> None:
    _edit(data_dir / "canned_replies.yaml", lambda c: c["replies"][1].update(title="ب" * 41))
    (problem,) = _problems(data_dir)
    assert problem.startswith("canned_replies.yaml: replies[1].title: String should have at most")


def test_a_holiday_that_is_no_jalali_day_is_refused(data_dir: Path) -> None:
    _edit(data_dir / "holidays.yaml", lambda c: c["holidays"][3].update(date="1404/12/31"))
    (problem,) = _problems(data_dir)
    assert problem == (
        "holidays.yaml: holidays[3].date: 1404/12/31 is not a day of the Jalali calendar"
    )


def test_a_holiday_listed_twice_is_refused(data_dir: Path) -> None:
    _edit(data_dir / "holidays.yaml", lambda c: c["holidays"][1].update(date="۱۴۰۴/۰۱/۰۱"))
    (problem,) = _problems(data_dir)
    assert problem == "holidays.yaml: holidays[1].date: ۱۴۰۴/۰۱/۰۱ is listed twice"


def test_the_shipped_canned_replies_and_holidays_load(catalogue: Catalogue) -> None:
    assert catalogue.canned_reply("received") is not None
    assert len({h.day for h in catalogue.holidays}) == len(catalogue.holidays)
    nowruz = [h.day.isoformat() for h in catalogue.holidays if h.date.startswith("1404/01/0")]
    assert nowruz[:4] == ["2025-03-21", "2025-03-22", "2025-03-23", "2025-03-24"]
