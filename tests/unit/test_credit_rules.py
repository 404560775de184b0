"""The serious-dishonesty grounds, the listing workflow and the default credit grade, as pure rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.access.model import Actor, Role
from domain.credit.model import (
    DEFAULT_SCHEME,
    GROUNDS,
    TRANSITIONS,
    Accident,
    AccidentGrade,
    Execution,
    GradeInput,
    Listing,
    ListingAction,
    ListingInputInvalid,
    ListingNotAllowed,
    ListingStatus,
    ListingStep,
    NotDecidingDepartment,
    Penalty,
    PenaltyKind,
    Record,
    Violation,
    add_months,
    advance,
    allowed_actions,
    basis_of,
    candidates,
    check_authority,
    check_penalty,
    due_to_expire,
    expiry_of,
    is_listed,
    within_months,
)
from domain.errors import Forbidden, InvalidInput

DAY = date(2026, 3, 15)


def accident(id: str = "A1", on: date = DAY, grade: AccidentGrade = AccidentGrade.GENERAL, **facts) -> Accident:
    return Accident(id=id, occurred_on=on, grade=grade, **facts)


def penalty(
    id: str = "P1",
    on: date = DAY,
    violation: Violation = Violation.OTHER,
    accident_id: str | None = None,
    kind: PenaltyKind = PenaltyKind.FINE,
    execution: Execution = Execution.EXECUTED,
) -> Penalty:
    return Penalty(
        id=id,
        decided_on=on,
        kind=kind,
        violation=violation,
        execution=execution,
        accident_id=accident_id,
        amount=Decimal("10000"),
    )


def for_accident(a: Accident, on: date = DAY, violation: Violation = Violation.ACCIDENT) -> Penalty:
    return penalty(id=f"P-{a.id}", on=on, violation=violation, accident_id=a.id)


def grounds(p: Penalty, record: Record) -> tuple[str, ...]:
    basis = basis_of(p, record)
    return basis.grounds if basis else ()


# --- dates ---------------------------------------------------------------------------------------------------------


def test_months_are_added_on_the_calendar_and_clamped_to_the_months_last_day():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 15), -12) == date(2025, 3, 15)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    # a listing decided on a 29 February ends on the 28th three years on
    assert expiry_of(date(2024, 2, 29)) == date(2027, 2, 28)


def test_a_12_month_period_ends_the_day_before_the_same_date_a_year_on():
    assert within_months(date(2025, 3, 15), date(2026, 3, 14), 12)
    assert not within_months(date(2025, 3, 15), date(2026, 3, 15), 12)
    assert not within_months(date(2025, 3, 15), date(2025, 3, 14), 12)


# --- every ground holds and does not hold --------------------------------------------------------------------------


@pytest.mark.parametrize("grade", [AccidentGrade.MAJOR, AccidentGrade.ESPECIALLY_MAJOR])
def test_a_major_or_especially_major_accident_is_a_ground(grade):
    a = accident(grade=grade)
    basis = basis_of(for_accident(a), Record("machinery", accidents=(a,)))
    assert basis is not None and basis.grounds == ("major_accident",) and basis.accident_ids == ("A1",)


@pytest.mark.parametrize("grade", [AccidentGrade.GENERAL, AccidentGrade.LARGE])
def test_a_general_or_single_large_accident_is_no_ground(grade):
    a = accident(grade=grade)
    assert basis_of(for_accident(a), Record("machinery", accidents=(a,))) is None


def test_a_second_large_accident_within_12_months_is_a_ground_on_the_later_accidents_penalty():
    first = accident("A1", date(2025, 3, 16), AccidentGrade.LARGE)
    second = accident("A2", DAY, AccidentGrade.LARGE)
    record = Record("machinery", accidents=(first, second))
    basis = basis_of(for_accident(second), record)
    assert basis is not None and basis.grounds == ("repeated_large_accidents",)
    assert basis.accident_ids == ("A1", "A2")
    # the earlier accident's own penalty is not a second candidate for the same pair
    assert basis_of(for_accident(first, on=date(2025, 4, 1)), record) is None


def test_two_large_accidents_exactly_12_months_apart_are_no_ground():
    first = accident("A1", date(2025, 3, 15), AccidentGrade.LARGE)
    second = accident("A2", DAY, AccidentGrade.LARGE)
    assert basis_of(for_accident(second), Record("machinery", accidents=(first, second))) is None


def test_a_large_and_a_general_accident_within_12_months_are_no_ground():
    first = accident("A1", date(2025, 12, 1), AccidentGrade.GENERAL)
    second = accident("A2", DAY, AccidentGrade.LARGE)
    assert basis_of(for_accident(second), Record("machinery", accidents=(first, second))) is None


def test_an_aggravated_accident_fine_is_a_ground_and_a_plain_accident_fine_is_not():
    a = accident()
    record = Record("machinery", accidents=(a,))
    assert grounds(for_accident(a, violation=Violation.ACCIDENT_AGGRAVATED), record) == ("aggravated_accident",)
    assert grounds(for_accident(a), record) == ()


def test_concealing_an_accident_is_a_ground_and_reporting_it_is_not():
    hidden, reported = accident("A1", concealed=True), accident("A2")
    record = Record("machinery", accidents=(hidden, reported))
    assert grounds(for_accident(hidden), record) == ("accident_concealed",)
    assert grounds(for_accident(reported), record) == ()


def test_a_principal_who_fled_is_a_ground():
    fled, stayed = accident("A1", principal_fled=True), accident("A2")
    record = Record("machinery", accidents=(fled, stayed))
    assert grounds(for_accident(fled), record) == ("principal_fled",)
    assert grounds(for_accident(stayed), record) == ()


def test_accident_grounds_need_a_penalty_for_that_accident():
    hidden = accident(concealed=True, grade=AccidentGrade.MAJOR)
    record = Record("machinery", accidents=(hidden,))
    # a penalty for something else does not carry the accident's grounds
    assert grounds(penalty(violation=Violation.OTHER), record) == ()
    assert candidates(record) == []


@pytest.mark.parametrize("violation", [Violation.UNLICENSED, Violation.LICENCE_SUSPENDED])
def test_operating_without_or_during_a_suspended_licence_is_a_ground(violation):
    assert grounds(penalty(violation=violation), Record("mining")) == ("unlicensed_operation",)


def test_a_false_report_is_a_ground_for_evaluation_bodies_only():
    p = penalty(violation=Violation.FALSE_REPORT)
    assert grounds(p, Record("safety_evaluation")) == ("false_report",)
    assert grounds(p, Record("machinery")) == ()
    with pytest.raises(InvalidInput):
        check_penalty(p, Record("machinery"), today=DAY)


def test_refusing_to_execute_a_penalty_is_a_ground_and_executing_or_pending_is_not():
    assert grounds(penalty(execution=Execution.REFUSED), Record("trade")) == ("penalty_refused",)
    assert grounds(penalty(execution=Execution.EXECUTED), Record("trade")) == ()
    assert grounds(penalty(execution=Execution.PENDING), Record("trade")) == ()


def test_a_serious_violation_is_a_ground_and_another_violation_is_not():
    assert grounds(penalty(violation=Violation.SERIOUS_VIOLATION), Record("trade")) == ("serious_violation",)
    assert grounds(penalty(violation=Violation.OTHER), Record("trade")) == ()


def test_several_grounds_of_one_penalty_make_one_basis():
    a = accident(grade=AccidentGrade.MAJOR, concealed=True, principal_fled=True)
    p = Penalty(
        id="P1",
        decided_on=DAY,
        kind=PenaltyKind.FINE,
        violation=Violation.ACCIDENT,
        execution=Execution.REFUSED,
        accident_id="A1",
    )
    basis = basis_of(p, Record("machinery", penalties=(p,), accidents=(a,)))
    assert basis is not None
    assert basis.grounds == ("major_accident", "accident_concealed", "principal_fled", "penalty_refused")
    assert basis.to_json() == {"grounds": list(basis.grounds), "penalty_ids": ["P1"], "accident_ids": ["A1"]}


def test_penalties_before_the_order_took_effect_start_no_listing():
    assert grounds(penalty(on=date(2023, 9, 30), violation=Violation.UNLICENSED), Record("trade")) == ()
    assert grounds(penalty(on=date(2023, 10, 1), violation=Violation.UNLICENSED), Record("trade")) == (
        "unlicensed_operation",
    )


def test_every_ground_cites_an_article_and_has_a_unique_code():
    assert len({g.code for g in GROUNDS}) == len(GROUNDS) == 9
    assert all(g.article.startswith(("第六条", "第七条")) and g.text for g in GROUNDS)


def test_a_penalty_for_an_accident_must_name_an_accident_of_the_enterprise_before_it():
    a = accident(on=DAY)
    with pytest.raises(InvalidInput):
        check_penalty(
            penalty(violation=Violation.ACCIDENT, accident_id="nope"), Record("trade", accidents=(a,)), today=DAY
        )
    with pytest.raises(InvalidInput):
        check_penalty(for_accident(a, on=date(2026, 3, 14)), Record("trade", accidents=(a,)), today=DAY)
    with pytest.raises(InvalidInput):
        check_penalty(penalty(accident_id="A1"), Record("trade", accidents=(a,)), today=DAY)
    with pytest.raises(InvalidInput):
        check_penalty(penalty(on=date(2026, 3, 16)), Record("trade"), today=DAY)
    check_penalty(for_accident(a), Record("trade", accidents=(a,)), today=DAY)


# --- the workflow --------------------------------------------------------------------------------------------------


DISTRICT = "330902"
DECIDER = Actor("u-dinghai", Role.REGULATOR, region_path="/330900/330902/")
CITY = Actor("u-city", Role.REGULATOR, region_path="/330900/")
SIBLING = Actor("u-putuo", Role.REGULATOR, region_path="/330900/330903/")
TOWN = Actor("u-town", Role.REGULATOR, region_path="/330900/330902/330902007/")
SYSTEM = Actor("system", Role.ADMIN)


def actor_of(role: Role) -> Actor:
    """An actor of the role who passes every scope rule: the deciding department's regulator for a regulator."""
    return DECIDER if role is Role.REGULATOR else Actor(f"u-{role}", role, enterprise_id="E1")


def walk(*steps: tuple[ListingAction, date, str | None], actor: Actor = DECIDER, today: date = DAY) -> Listing:
    listing = Listing(
        status=ListingStatus.CANDIDATE, penalty_decided_on=date(2023, 1, 10), authority_region_code=DISTRICT
    )
    for action, on, text in steps:
        listing = advance(listing, ListingStep(action, on, text), actor, today=today)
    return listing


CONFIRMED = ((ListingAction.NOTIFY, date(2023, 1, 20), None), (ListingAction.CONFIRM, date(2023, 2, 1), None))


def test_a_confirmed_listing_lasts_exactly_3_years_from_the_decision():
    listing = walk(*CONFIRMED)
    assert listing.status == ListingStatus.CONFIRMED and listing.expires_on == date(2026, 2, 1)
    assert is_listed(listing, date(2023, 2, 1)) and is_listed(listing, date(2026, 1, 31))
    assert not is_listed(listing, date(2023, 1, 31)) and not is_listed(listing, date(2026, 2, 1))
    assert not due_to_expire(listing, date(2026, 1, 31)) and due_to_expire(listing, date(2026, 2, 1))


def test_expiry_lifts_on_the_last_day_and_not_before():
    listing = walk(*CONFIRMED)
    with pytest.raises(ListingNotAllowed):
        advance(listing, ListingStep(ListingAction.EXPIRE, date(2026, 1, 31)), SYSTEM, today=date(2026, 1, 31))
    expired = advance(listing, ListingStep(ListingAction.EXPIRE, date(2026, 2, 1)), SYSTEM, today=date(2026, 2, 1))
    assert expired.status == ListingStatus.EXPIRED and expired.ended_on == date(2026, 2, 1)
    assert is_listed(expired, date(2026, 1, 31)) and not is_listed(expired, date(2026, 2, 1))
    assert not due_to_expire(expired, date(2026, 2, 2))


def test_early_removal_needs_12_months_after_the_decision():
    with pytest.raises(ListingInputInvalid):
        walk(*CONFIRMED, (ListingAction.REMOVE_EARLY, date(2024, 1, 31), "信用修复"))
    removed = walk(*CONFIRMED, (ListingAction.REMOVE_EARLY, date(2024, 2, 1), "信用修复"))
    assert removed.status == ListingStatus.REMOVED_EARLY and removed.ended_on == date(2024, 2, 1)
    assert is_listed(removed, date(2024, 1, 31)) and not is_listed(removed, date(2024, 2, 1))


def test_a_reinstated_listing_stands_again_until_its_original_expiry():
    listing = walk(
        *CONFIRMED,
        (ListingAction.REMOVE_EARLY, date(2024, 6, 1), "信用修复"),
        (ListingAction.REINSTATE, date(2024, 9, 1), "隐瞒真实情况"),
    )
    assert listing.status == ListingStatus.CONFIRMED and listing.expires_on == date(2026, 2, 1)
    assert is_listed(listing, date(2025, 1, 1)) and listing.reason == "隐瞒真实情况"


def test_confirming_needs_a_notice_first_and_not_before_it():
    with pytest.raises(ListingNotAllowed):
        walk((ListingAction.CONFIRM, date(2023, 2, 1), None))
    with pytest.raises(ListingInputInvalid):
        walk((ListingAction.NOTIFY, date(2023, 1, 20), None), (ListingAction.CONFIRM, date(2023, 1, 19), None))
    with pytest.raises(ListingInputInvalid):
        walk((ListingAction.NOTIFY, date(2023, 1, 9), None))  # before the penalty


def test_dismissing_and_removing_need_a_reason_and_dates_are_not_in_the_future():
    with pytest.raises(ListingInputInvalid):
        walk((ListingAction.DISMISS, date(2023, 2, 1), "  "))
    with pytest.raises(ListingInputInvalid):
        walk((ListingAction.NOTIFY, date(2026, 3, 16), None))
    assert walk((ListingAction.DISMISS, date(2023, 2, 1), "事实不清")).status == ListingStatus.DISMISSED


def test_every_pair_outside_the_table_is_refused_and_every_pair_inside_is_offered():
    for status in ListingStatus:
        for action, move in TRANSITIONS.items():
            # a listing whose term ends today for the expiry, a running one for everything else
            expires_on = DAY if action == ListingAction.EXPIRE else date(2027, 2, 1)
            listing = Listing(
                status=status,
                penalty_decided_on=date(2024, 1, 1),
                notified_on=date(2024, 1, 2),
                decided_on=date(2024, 2, 1),
                expires_on=expires_on,
                removed_on=date(2025, 3, 1),
                authority_region_code=DISTRICT,
            )
            role = actor_of(next(iter(move.roles)))
            step = ListingStep(action, DAY, "理由")
            if status in move.source:
                assert advance(listing, step, role, today=DAY).status == (move.target or status)
                assert (str(action) in allowed_actions(listing, role)) == (action != ListingAction.EXPIRE)
            else:
                with pytest.raises(ListingNotAllowed):
                    advance(listing, step, role, today=DAY)


def test_enterprise_staff_may_only_state_their_case():
    notified = walk((ListingAction.NOTIFY, date(2023, 1, 20), None))
    assert allowed_actions(notified, actor_of(Role.OFFICER)) == ["respond"]
    with pytest.raises(Forbidden):
        advance(notified, ListingStep(ListingAction.CONFIRM, DAY), actor_of(Role.PRINCIPAL), today=DAY)
    with pytest.raises(Forbidden):
        advance(notified, ListingStep(ListingAction.CONFIRM, DAY), actor_of(Role.INSPECTOR), today=DAY)
    stated = advance(notified, ListingStep(ListingAction.RESPOND, DAY, "已整改"), actor_of(Role.PRINCIPAL), today=DAY)
    assert stated.status == ListingStatus.NOTIFIED and stated.statement == "已整改"


# --- who decides: the department that imposed the penalty -------------------------------------------------------------


STATES_OF = {  # a listing where each regulator action is possible, and the step taking it
    ListingAction.NOTIFY: (walk(), ListingStep(ListingAction.NOTIFY, DAY)),
    ListingAction.RESPOND: (walk(CONFIRMED[0]), ListingStep(ListingAction.RESPOND, DAY, "书面陈述")),
    ListingAction.CONFIRM: (walk(CONFIRMED[0]), ListingStep(ListingAction.CONFIRM, DAY)),
    ListingAction.DISMISS: (walk(CONFIRMED[0]), ListingStep(ListingAction.DISMISS, DAY, "事实不清")),
    ListingAction.REMOVE_EARLY: (
        walk(*CONFIRMED),
        ListingStep(ListingAction.REMOVE_EARLY, date(2025, 3, 1), "信用修复"),
    ),
    ListingAction.REINSTATE: (
        walk(*CONFIRMED, (ListingAction.REMOVE_EARLY, date(2025, 3, 1), "信用修复")),
        ListingStep(ListingAction.REINSTATE, DAY, "隐瞒事实"),
    ),
}


def test_every_regulator_action_is_tabled_for_the_authority_rule():
    assert set(STATES_OF) == {action for action, move in TRANSITIONS.items() if Role.REGULATOR in move.roles}


@pytest.mark.parametrize("action", list(STATES_OF), ids=str)
def test_only_the_deciding_department_acts_not_the_city_above_a_sibling_or_a_town_below(action):
    listing, step = STATES_OF[action]
    assert advance(listing, step, DECIDER, today=DAY).status == (TRANSITIONS[action].target or listing.status)
    assert str(action) in allowed_actions(listing, DECIDER)
    for other in (CITY, SIBLING, TOWN, Actor("u-lost", Role.REGULATOR)):
        with pytest.raises(NotDecidingDepartment) as refused:
            advance(listing, step, other, today=DAY)
        assert refused.value.code == "CREDIT_NOT_DECIDING_DEPARTMENT"
        assert refused.value.params == {"action": str(action), "authorityRegionCode": DISTRICT}
        assert allowed_actions(listing, other) == []


def test_a_listing_whose_deciding_department_is_unknown_is_decided_by_no_regulator():
    listing = Listing(status=ListingStatus.CANDIDATE, penalty_decided_on=date(2023, 1, 10))
    with pytest.raises(NotDecidingDepartment):
        advance(listing, ListingStep(ListingAction.NOTIFY, DAY), DECIDER, today=DAY)
    assert allowed_actions(listing, DECIDER) == []


def test_an_administrator_is_no_department_and_only_the_system_expiry_is_theirs():
    listing, step = STATES_OF[ListingAction.CONFIRM]
    with pytest.raises(Forbidden) as refused:
        advance(listing, step, SYSTEM, today=DAY)
    assert refused.value.code == "FORBIDDEN" and allowed_actions(listing, SYSTEM) == []


def test_the_party_still_states_its_case_whatever_the_department():
    listing, _ = STATES_OF[ListingAction.RESPOND]
    stated = advance(listing, ListingStep(ListingAction.RESPOND, DAY, "已整改"), actor_of(Role.OFFICER), today=DAY)
    assert stated.statement == "已整改"


@pytest.mark.parametrize(
    ("authority", "recorder", "holds"),
    [
        ("/330900/330902/", DECIDER, True),  # its own department
        ("/330900/330902/330902007/", DECIDER, True),  # a town department under it, holding the enterprise
        ("/330900/", CITY, True),  # the city decides a penalty on a district's enterprise
        ("/330900/330902/", CITY, True),  # the city records the district's decision
        ("/330900/", DECIDER, False),  # a district cannot name the city above it
        ("/330900/330903/", CITY, False),  # a region that does not hold the enterprise
        ("/330900/330902/330902001/", DECIDER, False),  # a town of the district, but not the enterprise's
        (None, DECIDER, False),  # an unknown region answers the same
        ("/330900/330903/", SYSTEM, False),
        ("/330900/330902/", SYSTEM, True),
    ],
)
def test_the_deciding_department_holds_the_enterprise_and_lies_within_the_recorder(authority, recorder, holds):
    enterprise_path = "/330900/330902/330902007/"
    if holds:
        check_authority(authority_path=authority, enterprise_path=enterprise_path, recorder=recorder)
        return
    with pytest.raises(InvalidInput) as refused:
        check_authority(authority_path=authority, enterprise_path=enterprise_path, recorder=recorder)
    assert refused.value.code == "CREDIT_AUTHORITY_REGION_INVALID"
    assert refused.value.params == {"field": "authorityRegionCode", "reason": "not_a_deciding_region"}


# --- the default grade ---------------------------------------------------------------------------------------------


def test_a_clean_enterprise_is_a_and_a_listed_one_is_d_whatever_its_points():
    clean = DEFAULT_SCHEME.grade(GradeInput(Record("trade"), listed=False), DAY)
    assert (clean.grade, clean.points, clean.basis) == ("A", 100, ())
    assert clean.scheme_version == "points-2026.1"
    listed = DEFAULT_SCHEME.grade(GradeInput(Record("trade"), listed=True), DAY)
    assert listed.grade == "D" and listed.points == 100 and "listed" in listed.basis[-1]


def test_penalties_count_for_24_months_and_not_a_day_longer():
    inside = penalty(
        on=add_months(DAY, -24).fromordinal(add_months(DAY, -24).toordinal() + 1), kind=PenaltyKind.SUSPENSION
    )
    outside = penalty(id="P2", on=add_months(DAY, -24), kind=PenaltyKind.SUSPENSION)
    assert DEFAULT_SCHEME.grade(GradeInput(Record("trade", penalties=(inside,)), False), DAY).points == 80
    assert DEFAULT_SCHEME.grade(GradeInput(Record("trade", penalties=(outside,)), False), DAY).points == 100


def test_points_cut_into_grades_at_90_75_and_60():
    def graded(*penalties: Penalty, overdue: int = 0) -> tuple[str, int]:
        result = DEFAULT_SCHEME.grade(GradeInput(Record("trade", penalties=penalties), False, overdue), DAY)
        return result.grade, result.points

    warning = penalty(kind=PenaltyKind.WARNING)
    fine = penalty(id="P2", kind=PenaltyKind.FINE)
    revoked = penalty(id="P3", kind=PenaltyKind.LICENCE_REVOKED)
    assert graded(fine) == ("A", 90)
    assert graded(fine, warning) == ("B", 85)
    assert graded(revoked) == ("C", 70)
    assert graded(revoked, fine, warning) == ("D", 55)
    assert graded(overdue=5) == ("C", 70)  # overdue major hazards are capped at 30


def test_accidents_cost_by_grade_and_concealment_and_flight_cost_more():
    a = accident(grade=AccidentGrade.LARGE, concealed=True, principal_fled=True)
    result = DEFAULT_SCHEME.grade(GradeInput(Record("trade", accidents=(a,)), False), DAY)
    assert result.points == 100 - 25 - 15 - 15 and result.grade == "D" and len(result.basis) == 3
