"""Which documents an application needs follows from the answers and the plan type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.catalogue import Catalogue, DocumentCondition, DocumentRequirement
from domain.documents import application_documents, conditions_met, required_documents
from domain.eligibility import EligibilityAnswers, Gender
from domain.models import Application
from domain.statuses import PlanType
from tests.catalogues import parsed_catalogue

CATALOGUE = parsed_catalogue()
BASE = {"national_card", "birth_certificate", "photo", "residence_proof"}


def answers(**changes: Any) -> EligibilityAnswers:
    """A woman in her own home doing an activity that needs no certificate."""
    base: dict[str, Any] = {"gender": Gender.WOMAN, "home_rented": False, "activity": "programming"}
    return EligibilityAnswers.model_validate({**base, **changes})


def needed(a: EligibilityAnswers, plan: PlanType | None = PlanType.INDEPENDENT) -> set[str]:
    return {d.code for d in required_documents(a, plan, CATALOGUE)}


def test_everyone_needs_the_basic_documents() -> None:
    assert needed(answers()) == BASE


def test_a_man_adds_the_military_service_card() -> None:
    assert needed(answers(gender=Gender.MAN)) == BASE | {"military_service_card"}


def test_a_rented_home_adds_lease_and_owner_consent() -> None:
    assert needed(answers(home_rented=True)) == BASE | {"lease", "owner_consent"}


def test_a_food_activity_adds_the_health_certificate() -> None:
    assert needed(answers(activity="legume_packing")) == BASE | {"health_certificate"}


def test_an_activity_needing_skills_adds_the_skills_certificate() -> None:
    assert needed(answers(activity="kilim")) == BASE | {"skills_certificate"}


def test_a_supporting_plan_adds_its_three_documents() -> None:
    extra = {"no_criminal_record", "experience_proof", "covered_workers_list"}
    assert needed(answers(), PlanType.SUPPORTING) == BASE | extra


def test_the_permit_alone_needs_no_plan_documents() -> None:
    assert needed(answers(), None) == BASE


def test_unknown_answers_add_nothing_conditional() -> None:
    assert needed(EligibilityAnswers()) == BASE


def test_documents_keep_the_file_order() -> None:
    docs = required_documents(answers(gender=Gender.MAN, home_rented=True), None, CATALOGUE)
    order = [d.code for d in CATALOGUE.documents]
    assert [d.code for d in docs] == sorted((d.code for d in docs), key=order.index)


def test_conditions_combine_with_all_of() -> None:
    both = DocumentRequirement(
        code="shop_sign_consent",
        name="رضایت همسایگان",
        hint="نامه امضاشده",
        kinds=("pdf",),
        when={"all_of": ["man", "rented_home"]},
    )
    catalogue = Catalogue(
        CATALOGUE.provinces,
        CATALOGUE.groups,
        CATALOGUE.activities,
        CATALOGUE.rules,
        (*CATALOGUE.documents, both),
    )

    def has(a: EligibilityAnswers) -> bool:
        return "shop_sign_consent" in {d.code for d in required_documents(a, None, catalogue)}

    assert has(answers(gender=Gender.MAN, home_rented=True))
    assert not has(answers(gender=Gender.MAN))
    assert not has(answers(home_rented=True))


def test_starred_activity_condition_is_met_for_starred_activities() -> None:
    assert DocumentCondition.STARRED_ACTIVITY in conditions_met(
        answers(activity="honey"), None, CATALOGUE
    )
    assert DocumentCondition.STARRED_ACTIVITY not in conditions_met(answers(), None, CATALOGUE)


# --- a stored application's documents (the officer's correction tick list) --------------------


def stored(
    answers: dict[str, Any], plan: PlanType = PlanType.INDEPENDENT, **fields: Any
) -> Application:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    return Application(
        id=1,
        citizen_id=1,
        plan_type=plan,
        answers=answers,
        created_at=now,
        updated_at=now,
        **fields,
    )


def test_an_application_requires_what_its_own_answers_require() -> None:
    woman = stored({"gender": "woman", "home_rented": False, "activity": "programming"})
    assert {d.code for d in application_documents(woman, CATALOGUE)} == BASE
    man = stored({"gender": "man", "home_rented": True}, activity_code="legume_packing")
    assert {d.code for d in application_documents(man, CATALOGUE)} == BASE | {
        "military_service_card",
        "lease",
        "owner_consent",
        "health_certificate",
    }
    supporter = stored({"gender": "woman", "covered_workers": 8}, plan=PlanType.SUPPORTING)
    codes = [d.code for d in application_documents(supporter, CATALOGUE)]
    assert {"no_criminal_record", "experience_proof", "covered_workers_list"} <= set(codes)
    assert codes == [d.code for d in CATALOGUE.documents if d.code in codes]  # yaml order


def test_unreadable_answers_leave_only_their_own_condition_unknown() -> None:
    odd = stored({"gender": "robot", "home_rented": True})
    assert {d.code for d in application_documents(odd, CATALOGUE)} == BASE | {
        "lease",
        "owner_consent",
    }
    # An uploaded kind stays correctable even when the answers no longer ask for it.
    uploaded = application_documents(odd, CATALOGUE, uploaded=["military_service_card"])
    assert "military_service_card" in {d.code for d in uploaded}
