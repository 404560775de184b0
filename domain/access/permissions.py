"""Who may do what: one table of role × action, each action with the scope rule its target must pass.

`PERMISSIONS` has a row per role listing the actions that role may take; adding a role is adding its row (and the
role to `Role`), nothing else. `SCOPE_RULES` says, for each action, which scope check the service applies to the
thing acted on (scope.py and `domain.org.scope` hold those checks). The services call `require(actor, Action.X)`;
`allowed(actor, Action.X)` answers the same question without raising, for reads that only narrow what is shown and for
the `allowedActions` the phone is sent.

Workflows whose moves carry their own roles (the hazard transition table in `domain.hazards.model`) keep them in
their table: there the role is a property of the move (who approves a plan is law, per level and status), not of
an action on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from domain.access.model import Actor, Role
from domain.errors import Forbidden


class Action(StrEnum):
    """Every action a service checks the caller's role for."""

    # accounts, organisation, reference data, operations: administrators
    MANAGE_USERS = "manage_users"
    MANAGE_ORGANISATION = "manage_organisation"  # regions, grids, enterprises, their outlines
    ADD_CRITERIA_EDITION = "add_criteria_edition"
    READ_JOB_FAILURES = "read_job_failures"
    # an enterprise's own safety work
    SET_POSTS = "set_posts"  # who holds which post in an enterprise
    HOLD_POSTS = "hold_posts"  # holding posts, and so tasks of one's own ("mine")
    MANAGE_RISK_POINTS = "manage_risk_points"  # risk points, assessments, checklist items, the site plan
    ROTATE_RISK_POINT_CODE = "rotate_risk_point_code"
    ROTATE_ENTERPRISE_CODE = "rotate_enterprise_code"
    SIGN_STATISTICS_SNAPSHOT = "sign_statistics_snapshot"
    # hazards and inspections
    REPORT_HAZARD = "report_hazard"
    RECORD_INSPECTION = "record_inspection"
    # supervision
    READ_REGION_MAP = "read_region_map"
    RECORD_STANDARDISATION_GRADE = "record_standardisation_grade"  # record and revoke
    FREEZE_STANDARDISATION_SCOPE = "freeze_standardisation_scope"
    READ_STANDARDISATION = "read_standardisation"  # scope lists and compliance rates
    RECORD_PENALTY = "record_penalty"
    RECORD_ACCIDENT = "record_accident"
    REVIEW_BLACKLIST_CANDIDATES = "review_blacklist_candidates"  # see listings the party was not told of yet
    DECIDE_BLACKLIST_LISTING = "decide_blacklist_listing"  # notify, confirm, dismiss, remove early, reinstate
    RESPOND_TO_BLACKLIST_NOTICE = "respond_to_blacklist_notice"  # the party's statement (陈述、申辩)
    EXPIRE_BLACKLIST_LISTING = "expire_blacklist_listing"  # the system, when the period ends
    MANAGE_WEBHOOKS = "manage_webhooks"
    READ_NOTIFICATIONS = "read_notifications"
    READ_PUBLIC_REPORTS = "read_public_reports"
    HANDLE_PUBLIC_REPORT = "handle_public_report"  # accept, dismiss, forward, reply
    MANAGE_RANDOM_CHECKS = "manage_random_checks"  # 双随机: create, approve, draw, close plans
    READ_RANDOM_CHECKS = "read_random_checks"
    RECORD_RANDOM_CHECK_RESULT = "record_random_check_result"  # the drawn officers, a regulator of the region
    # the push to the provincial platform
    READ_PLATFORM_PUSH = "read_platform_push"  # an enterprise's push ledger
    READ_PLATFORM_PUSH_REJECTIONS = "read_platform_push_rejections"  # every refused record, across enterprises


class ScopeRule(StrEnum):
    """What the thing acted on must pass besides the role."""

    NONE = "none"  # not scoped: the whole system, or reference data everyone reads
    OWN = "own"  # the caller's own records
    ENTERPRISE = "enterprise"  # an enterprise in the caller's scope (`require_enterprise`, `enterprise_in_scope`)
    PLACE = "place"  # a grid or region in the caller's scope (an inspector's grids, a regulator's subtree)
    REGION = "region"  # a region wholly the caller's (`require_region`)


A = Action
# The table: a row per role. Adding a role is adding a row here.
PERMISSIONS: Mapping[Role, frozenset[Action]] = {
    Role.OFFICER: frozenset(
        {
            A.HOLD_POSTS,
            A.MANAGE_RISK_POINTS,
            A.ROTATE_RISK_POINT_CODE,
            A.ROTATE_ENTERPRISE_CODE,
            A.REPORT_HAZARD,
            A.RECORD_INSPECTION,
            A.RESPOND_TO_BLACKLIST_NOTICE,
            A.READ_NOTIFICATIONS,
        }
    ),
    Role.PRINCIPAL: frozenset(
        {
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
        }
    ),
    Role.INSPECTOR: frozenset(
        {
            A.REPORT_HAZARD,
            A.RECORD_INSPECTION,
            A.READ_REGION_MAP,
            A.READ_PUBLIC_REPORTS,
            A.READ_RANDOM_CHECKS,
            A.RECORD_RANDOM_CHECK_RESULT,
        }
    ),
    Role.REGULATOR: frozenset(
        {
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
            A.RESPOND_TO_BLACKLIST_NOTICE,  # records a written statement the party sent in
            A.MANAGE_WEBHOOKS,
            A.READ_NOTIFICATIONS,
            A.READ_PUBLIC_REPORTS,
            A.HANDLE_PUBLIC_REPORT,
            A.MANAGE_RANDOM_CHECKS,
            A.READ_RANDOM_CHECKS,
            A.RECORD_RANDOM_CHECK_RESULT,
            A.READ_PLATFORM_PUSH,
        }
    ),
    # An administrator runs the system and is no department: no listing decision, no public-report handling.
    Role.ADMIN: frozenset(
        {
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
        }
    ),
}

SCOPE_RULES: Mapping[Action, ScopeRule] = {
    A.MANAGE_USERS: ScopeRule.NONE,
    A.MANAGE_ORGANISATION: ScopeRule.NONE,
    A.ADD_CRITERIA_EDITION: ScopeRule.NONE,
    A.READ_JOB_FAILURES: ScopeRule.NONE,
    A.SET_POSTS: ScopeRule.ENTERPRISE,
    A.HOLD_POSTS: ScopeRule.OWN,
    A.MANAGE_RISK_POINTS: ScopeRule.ENTERPRISE,
    A.ROTATE_RISK_POINT_CODE: ScopeRule.ENTERPRISE,
    A.ROTATE_ENTERPRISE_CODE: ScopeRule.ENTERPRISE,
    A.SIGN_STATISTICS_SNAPSHOT: ScopeRule.ENTERPRISE,
    A.REPORT_HAZARD: ScopeRule.ENTERPRISE,
    A.RECORD_INSPECTION: ScopeRule.ENTERPRISE,
    A.READ_REGION_MAP: ScopeRule.PLACE,
    A.RECORD_STANDARDISATION_GRADE: ScopeRule.ENTERPRISE,
    A.FREEZE_STANDARDISATION_SCOPE: ScopeRule.REGION,
    A.READ_STANDARDISATION: ScopeRule.REGION,
    A.RECORD_PENALTY: ScopeRule.ENTERPRISE,
    A.RECORD_ACCIDENT: ScopeRule.ENTERPRISE,
    A.REVIEW_BLACKLIST_CANDIDATES: ScopeRule.REGION,
    A.DECIDE_BLACKLIST_LISTING: ScopeRule.ENTERPRISE,
    A.RESPOND_TO_BLACKLIST_NOTICE: ScopeRule.ENTERPRISE,
    A.EXPIRE_BLACKLIST_LISTING: ScopeRule.NONE,
    A.MANAGE_WEBHOOKS: ScopeRule.REGION,
    A.READ_NOTIFICATIONS: ScopeRule.ENTERPRISE,
    A.READ_PUBLIC_REPORTS: ScopeRule.PLACE,
    A.HANDLE_PUBLIC_REPORT: ScopeRule.PLACE,
    A.MANAGE_RANDOM_CHECKS: ScopeRule.REGION,
    A.READ_RANDOM_CHECKS: ScopeRule.PLACE,  # a regulator's subtree; an inspector, the plans naming them
    A.RECORD_RANDOM_CHECK_RESULT: ScopeRule.ENTERPRISE,  # or drawn for it
    A.READ_PLATFORM_PUSH: ScopeRule.ENTERPRISE,
    A.READ_PLATFORM_PUSH_REJECTIONS: ScopeRule.NONE,
}
del A


def roles_of(action: Action) -> frozenset[Role]:
    """The roles the table lets take the action."""
    return _ROLES_OF[action]


def actions_of(role: Role) -> frozenset[Action]:
    """The actions the table lets the role take."""
    return PERMISSIONS.get(role, frozenset())


def allowed(actor: Actor, action: Action) -> bool:
    """True when the actor's role may take the action."""
    return action in PERMISSIONS.get(actor.role, ())


def require(actor: Actor, action: Action) -> None:
    """Refuse (`Forbidden`, naming the caller's role and the roles allowed) unless the actor's role may act."""
    if not allowed(actor, action):
        raise Forbidden(
            "this role may not do this",
            role=actor.role.value,
            allowed=[role.value for role in Role if role in _ROLES_OF[action]],
        )


_ROLES_OF: Mapping[Action, frozenset[Role]] = {
    action: frozenset(role for role, actions in PERMISSIONS.items() if action in actions) for action in Action
}
