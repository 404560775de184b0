"""The permissions table: every action has a role and a scope rule, and each role's actions are the ones listed."""

import pytest

from domain.access.model import Actor, Role
from domain.access.permissions import PERMISSIONS, SCOPE_RULES, Action, actions_of, allowed, require, roles_of
from domain.errors import Forbidden

A = Action

# What each role may do, spelled out once more: a change to the table must change this too, on purpose.
EXPECTED = {
    Role.OFFICER: {
        A.HOLD_POSTS,
        A.MANAGE_RISK_POINTS,
        A.ROTATE_RISK_POINT_CODE,
        A.ROTATE_ENTERPRISE_CODE,
        A.REPORT_HAZARD,
        A.RECORD_INSPECTION,
        A.RESPOND_TO_BLACKLIST_NOTICE,
        A.READ_NOTIFICATIONS,
    },
    Role.PRINCIPAL: {
        A.SET_POSTS,
        A.HOLD_POSTS,
        A.MANAGE_RISK_POINTS,
        A.ROTATE_RISK_POINT_CODE,
        A.ROTATE_ENTERPRISE_CODE,
        A.SIGN_STATISTICS_SNAPSHOT,
        A.REPORT_HAZARD,
        A.RECORD_INSPECTION,
        A.RESPOND_TO_BLACKLIST_NOTICE,
        A.READ_NOTIFICATIONS,
    },
    Role.INSPECTOR: {
        A.REPORT_HAZARD,
        A.RECORD_INSPECTION,
        A.READ_REGION_MAP,
        A.READ_PUBLIC_REPORTS,
        A.READ_RANDOM_CHECKS,  # the plans naming them
        A.RECORD_RANDOM_CHECK_RESULT,  # when drawn for the enterprise
    },
    Role.REGULATOR: {
        A.REPORT_HAZARD,
        A.RECORD_INSPECTION,
        A.READ_REGION_MAP,
        A.RECORD_STANDARDISATION_GRADE,
        A.FREEZE_STANDARDISATION_SCOPE,
        A.READ_STANDARDISATION,
        A.RECORD_PENALTY,
        A.RECORD_ACCIDENT,
        A.REVIEW_BLACKLIST_CANDIDATES,
        A.DECIDE_BLACKLIST_LISTING,
        A.RESPOND_TO_BLACKLIST_NOTICE,
        A.MANAGE_WEBHOOKS,
        A.READ_NOTIFICATIONS,
        A.READ_PUBLIC_REPORTS,
        A.HANDLE_PUBLIC_REPORT,
        A.MANAGE_RANDOM_CHECKS,
        A.READ_RANDOM_CHECKS,
        A.RECORD_RANDOM_CHECK_RESULT,
        A.READ_PLATFORM_PUSH,
    },
    Role.ADMIN: {
        A.MANAGE_USERS,
        A.MANAGE_ORGANISATION,
        A.ADD_CRITERIA_EDITION,
        A.READ_JOB_FAILURES,
        A.SET_POSTS,
        A.MANAGE_RISK_POINTS,
        A.ROTATE_RISK_POINT_CODE,
        A.ROTATE_ENTERPRISE_CODE,
        A.READ_REGION_MAP,
        A.RECORD_STANDARDISATION_GRADE,
        A.FREEZE_STANDARDISATION_SCOPE,
        A.READ_STANDARDISATION,
        A.RECORD_PENALTY,
        A.RECORD_ACCIDENT,
        A.REVIEW_BLACKLIST_CANDIDATES,
        A.EXPIRE_BLACKLIST_LISTING,
        A.MANAGE_WEBHOOKS,
        A.READ_NOTIFICATIONS,
        A.READ_PUBLIC_REPORTS,
        A.MANAGE_RANDOM_CHECKS,
        A.READ_RANDOM_CHECKS,
        A.READ_PLATFORM_PUSH,
        A.READ_PLATFORM_PUSH_REJECTIONS,
    },
}
ADMIN_ONLY = {A.MANAGE_USERS, A.MANAGE_ORGANISATION, A.ADD_CRITERIA_EDITION, A.READ_JOB_FAILURES}


def test_every_role_has_a_row_and_every_action_a_role_and_a_scope_rule() -> None:
    assert set(PERMISSIONS) == set(Role)
    assert all(roles_of(action) for action in Action), [action for action in Action if not roles_of(action)]
    assert set(SCOPE_RULES) == set(Action)


@pytest.mark.parametrize("role", list(Role))
def test_each_roles_actions_are_the_ones_listed(role: Role) -> None:
    assert actions_of(role) == EXPECTED[role]


def test_the_administrators_alone_manage_users_organisation_criteria_and_read_job_failures() -> None:
    assert {action for action in Action if roles_of(action) == {Role.ADMIN}} == ADMIN_ONLY | {
        A.EXPIRE_BLACKLIST_LISTING,
        A.READ_PLATFORM_PUSH_REJECTIONS,
    }


def test_an_administrator_is_no_department_and_takes_no_decision_of_one() -> None:
    admin = Actor(user_id="a", role=Role.ADMIN)
    assert not allowed(admin, A.DECIDE_BLACKLIST_LISTING)
    assert not allowed(admin, A.HANDLE_PUBLIC_REPORT)
    assert not allowed(admin, A.REPORT_HAZARD)


def test_require_refuses_with_the_callers_role_and_the_roles_allowed() -> None:
    with pytest.raises(Forbidden) as refused:
        require(Actor(user_id="r", role=Role.REGULATOR), A.MANAGE_USERS)
    assert refused.value.code == "FORBIDDEN"
    assert refused.value.detail == "this role may not do this"
    assert refused.value.params == {"role": "regulator", "allowed": ["admin"]}
    with pytest.raises(Forbidden) as refused:
        require(Actor(user_id="i", role=Role.INSPECTOR), A.MANAGE_RISK_POINTS)
    assert refused.value.params == {"role": "inspector", "allowed": ["officer", "principal", "admin"]}


@pytest.mark.parametrize("role", list(Role))
def test_allowed_and_require_agree_on_every_pair(role: Role) -> None:
    actor = Actor(user_id="u", role=role)
    for action in Action:
        if allowed(actor, action):
            require(actor, action)
        else:
            with pytest.raises(Forbidden):
                require(actor, action)
