"""The hazard workflow: every row of the table, every pair outside it, each guard, and random walks through it."""

import contextlib
import dataclasses
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.access.model import Actor, Role
from domain.errors import DomainError
from domain.hazards.model import (
    COMMANDS,
    GUARDS,
    TERMINAL_STATUSES,
    TRANSITIONS,
    Accept,
    Action,
    ApplyResume,
    ApprovePlan,
    Assign,
    ConfirmLevel,
    DecideExtension,
    GuardFailed,
    HazardLevel,
    HazardState,
    OrderContinue,
    RectifyOnSpot,
    Reject,
    ReportToRegulator,
    RequestExtension,
    RoleNotAllowed,
    Side,
    Source,
    Status,
    SubmitEvaluation,
    SubmitPlan,
    SubmitRectification,
    Supervise,
    TransitionNotAllowed,
    Void,
    WriteOff,
    allowed_actions,
    apply,
    is_overdue,
    open_hazard,
    side_of_role,
    side_of_source,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=365)
MAJOR_ONLY = {
    Status.REPORTED_TO_REGULATOR,
    Status.PLAN_SUBMITTED,
    Status.PLAN_APPROVED,
    Status.EVALUATED,
    Status.RESUME_APPLIED,
    Status.WRITTEN_OFF,
}
GENERAL_ONLY = {Status.RECTIFYING, Status.AWAITING_ACCEPTANCE, Status.CLOSED}


def actor(role: Role, n: int = 1) -> Actor:
    enterprise = "ent-1" if role in (Role.OFFICER, Role.PRINCIPAL) else None
    return Actor(user_id=f"{role}-{n}", role=Role(role), enterprise_id=enterprise)


def good_command(action: Action, state: HazardState | None = None):
    """A command whose own data passes every guard, whatever the state."""
    current = state.deadline if state is not None and state.deadline is not None else NOW
    return {
        Action.ASSIGN: Assign("officer-2", "加装防护罩并培训", NOW + timedelta(days=7)),
        Action.RECTIFY_ON_SPOT: RectifyOnSpot(("ph-after-1",), "当场整改"),
        Action.SUBMIT_RECTIFICATION: SubmitRectification(("ph-after-1", "ph-after-2"), "已整改"),
        Action.ACCEPT: Accept("复查合格"),
        Action.REJECT: Reject("整改不到位"),
        Action.VOID: Void("重复登记"),
        Action.REPORT_TO_REGULATOR: ReportToRegulator(
            "储罐区无紧急切断", "可能引发泄漏火灾，需局部停产", "加装紧急切断阀", NOW - timedelta(hours=1)
        ),
        Action.SUBMIT_PLAN: SubmitPlan(
            "消除隐患",
            "加装切断阀",
            "资金20万已落实",
            "设备部张三",
            "60日内完成",
            "停用储罐并制定应急预案",
            "罐区局部停产",
            NOW + timedelta(days=60),
        ),
        Action.APPROVE_PLAN: ApprovePlan("同意"),
        Action.SUPERVISE: Supervise(NOW + timedelta(days=30), "挂牌督办"),
        Action.REQUEST_EXTENSION: RequestExtension(max(current, NOW) + timedelta(days=30), "设备到货延迟"),
        Action.DECIDE_EXTENSION: DecideExtension(True, "同意延期", "设备到货延迟属实"),
        Action.SUBMIT_EVALUATION: SubmitEvaluation("qualified_firm", "某安全评价公司", ("doc-1",), "已消除"),
        Action.APPLY_RESUME: ApplyResume("申请恢复生产"),
        Action.WRITE_OFF: WriteOff("复查合格，予以核销"),
        Action.ORDER_CONTINUE: OrderContinue("切断阀未联锁"),
        Action.CONFIRM_LEVEL: ConfirmLevel(HazardLevel.MAJOR, "MH-GEN-01"),
    }[action]


def base_state(status: Status, level: HazardLevel, **changes) -> HazardState:
    fields = {
        "id": "hz-1",
        "level": level,
        "status": status,
        "side": Side.ENTERPRISE,
        "enterprise_id": "ent-1",
        "reporter_id": "officer-9",
        "version": 3,
        "rectifier_id": "someone-else",
        "deadline": NOW + timedelta(days=10),
    }
    return HazardState(**(fields | changes))


def other_side(role: Role) -> Side:
    return next(side for side in Side if side != side_of_role(role))


# How to satisfy, and how to break, each guard that reads the state (None: this actor cannot break it).
SATISFY_STATE = {
    "acceptor_is_not_rectifier": lambda s, a: dataclasses.replace(s, rectifier_id="someone-else"),
    "acceptor_is_on_raising_side": lambda s, a: dataclasses.replace(s, side=side_of_role(a.role)),
    "has_after_photos": lambda s, a: dataclasses.replace(s, has_after_photos=True),
    "is_supervised": lambda s, a: dataclasses.replace(s, supervised=True),
    "not_yet_supervised": lambda s, a: dataclasses.replace(s, supervised=False),
    "no_extension_pending": lambda s, a: dataclasses.replace(s, requested_deadline=None),
    "extension_pending": lambda s, a: dataclasses.replace(s, requested_deadline=LATER),
    "voider_is_on_raising_side_or_admin": lambda s, a: dataclasses.replace(
        s, side=side_of_role(a.role) or Side.ENTERPRISE
    ),
    "supervised_hazard_voided_by_regulator": lambda s, a: dataclasses.replace(s, supervised=False),
    "level_awaits_confirmation": lambda s, a: dataclasses.replace(s, level_confirmed=False),
    "level_is_confirmed": lambda s, a: dataclasses.replace(s, level_confirmed=True),
    "decider_is_neither_requester_nor_assignee": lambda s, a: dataclasses.replace(
        s, extension_requester_id="someone-who-asked", assignee_id="someone-who-fixes"
    ),
}
BREAK_STATE = {
    "acceptor_is_not_rectifier": lambda s, a: dataclasses.replace(s, rectifier_id=a.user_id),
    "acceptor_is_on_raising_side": lambda s, a: dataclasses.replace(s, side=other_side(a.role)),
    "has_after_photos": lambda s, a: dataclasses.replace(s, has_after_photos=False),
    "is_supervised": lambda s, a: dataclasses.replace(s, supervised=False),
    "not_yet_supervised": lambda s, a: dataclasses.replace(s, supervised=True),
    "no_extension_pending": lambda s, a: dataclasses.replace(s, requested_deadline=LATER),
    "extension_pending": lambda s, a: dataclasses.replace(s, requested_deadline=None),
    "voider_is_on_raising_side_or_admin": lambda s, a: (
        None if a.role is Role.ADMIN else dataclasses.replace(s, side=other_side(a.role))
    ),
    "supervised_hazard_voided_by_regulator": lambda s, a: (
        None if a.role in (Role.REGULATOR, Role.ADMIN) else dataclasses.replace(s, supervised=True)
    ),
    "level_awaits_confirmation": lambda s, a: dataclasses.replace(s, level_confirmed=True),
    "level_is_confirmed": lambda s, a: dataclasses.replace(s, level_confirmed=False),
    "decider_is_neither_requester_nor_assignee": lambda s, a: dataclasses.replace(s, extension_requester_id=a.user_id),
}
# How to spoil a command so that one guard on its data refuses it.
BREAK_COMMAND = {
    "after_photos_attached": lambda c: dataclasses.replace(c, after_photo_ids=()),
    "assignee_and_measures_given": lambda c: dataclasses.replace(c, measures="  "),
    "deadline_in_future": lambda c: dataclasses.replace(c, deadline=NOW - timedelta(minutes=1)),
    "reason_given": lambda c: dataclasses.replace(c, reason=""),
    "report_has_three_contents": lambda c: dataclasses.replace(c, harm_and_difficulty=""),
    "workers_assembly_notified": lambda c: dataclasses.replace(c, workers_assembly_notified_at=None),
    "plan_has_six_elements": lambda c: dataclasses.replace(c, funds_and_materials=""),
    "stoppage_scope_stated": lambda c: dataclasses.replace(c, stoppage_scope=""),
    "new_deadline_extends_current": lambda c: dataclasses.replace(c, new_deadline=NOW),
    "evaluator_is_experts_or_qualified_firm": lambda c: dataclasses.replace(c, evaluator_kind="a_friend"),
    "evaluation_report_attached": lambda c: dataclasses.replace(c, report_document_ids=()),
    "major_has_criterion_or_reason": lambda c: dataclasses.replace(
        c, level=HazardLevel.MAJOR, major_criterion_id=None, expert_reason=" "
    ),
}


def satisfying_state(row, status, level, who) -> HazardState:
    state = base_state(status, level)
    for name in row.guards:
        if not GUARDS[name].on_command:
            state = SATISFY_STATE[name](state, who)
    return state


def rows_covering(action, status, level):
    return [r for r in TRANSITIONS if r.action is action and status in r.from_statuses and level in r.levels]


ROW_CASES = [
    pytest.param(row, status, level, role, id=f"{row.action}-{status}-{level}-{role}")
    for row in TRANSITIONS
    for status in sorted(row.from_statuses)
    for level in sorted(row.levels)
    for role in sorted(row.roles)
]
ROLE_CASES = [
    pytest.param(row, status, level, role, id=f"{row.action}-{status}-{level}-{role}")
    for row in TRANSITIONS
    for status in sorted(row.from_statuses)
    for level in sorted(row.levels)
    for role in sorted(set(Role) - row.roles)
]
OUTSIDE_CASES = [
    pytest.param(action, status, level, id=f"{action}-{status}-{level}")
    for action, status, level in itertools.product(Action, Status, HazardLevel)
    if not rows_covering(action, status, level)
]
GUARD_CASES = [
    pytest.param(row, name, id=f"{row.action}-{sorted(row.from_statuses)[0]}-{name}")
    for row in TRANSITIONS
    for name in row.guards
]


# ---------------------------------------------------------------------------------------------- the table itself


def test_no_two_rows_claim_the_same_action_status_and_level():
    for action, status, level in itertools.product(Action, Status, HazardLevel):
        assert len(rows_covering(action, status, level)) <= 1, (action, status, level)


def test_every_action_has_a_command_and_a_row_and_every_guard_is_declared():
    assert set(COMMANDS) == set(Action) == {row.action for row in TRANSITIONS}
    assert {name for row in TRANSITIONS for name in row.guards} == set(GUARDS)
    assert len({cls.event for cls in COMMANDS.values()}) == len(COMMANDS)


def test_terminal_statuses_have_no_way_out_and_every_other_status_has_one():
    sources = {status for row in TRANSITIONS for status in row.from_statuses}
    assert sources == set(Status) - TERMINAL_STATUSES


def test_general_and_major_hazards_never_share_a_workflow_status_beyond_reported_and_voided():
    for row in TRANSITIONS:
        reachable = row.to_status or next(iter(row.from_statuses))
        if row.levels == {HazardLevel.GENERAL}:
            assert not (row.from_statuses | {reachable}) & MAJOR_ONLY
        if row.levels == {HazardLevel.MAJOR}:
            assert not (row.from_statuses | {reachable}) & GENERAL_ONLY


def test_only_a_regulator_writes_off_supervises_decides_major_extensions_or_orders_governing_to_continue():
    for row in TRANSITIONS:
        if row.action in (Action.WRITE_OFF, Action.SUPERVISE, Action.DECIDE_EXTENSION, Action.ORDER_CONTINUE) and (
            row.levels == {HazardLevel.MAJOR}
        ):
            assert row.roles == {Role.REGULATOR}
        if row.action is Action.APPROVE_PLAN:
            assert row.roles == {Role.PRINCIPAL}


def test_every_state_guard_and_every_command_guard_has_a_way_to_be_satisfied_and_broken_in_these_tests():
    state_guards = {name for name, g in GUARDS.items() if not g.on_command}
    assert state_guards == set(SATISFY_STATE) == set(BREAK_STATE)
    assert {name for name, g in GUARDS.items() if g.on_command} == set(BREAK_COMMAND)


# ---------------------------------------------------------------------------------------------- every pair


@pytest.mark.parametrize(("row", "status", "level", "role"), ROW_CASES)
def test_an_allowed_role_moves_the_hazard_when_the_guards_are_satisfied(row, status, level, role):
    who = actor(role)
    state = satisfying_state(row, status, level, who)
    command = good_command(row.action, state)
    assert str(row.action) in allowed_actions(state, who)
    new, event = apply(state, command, who, NOW)
    assert new.status is (row.to_status or status)
    assert new.version == state.version + 1 == event.version
    assert (event.action, event.name, event.actor_id, event.role, event.at) == (
        row.action,
        type(command).event,
        who.user_id,
        role,
        NOW,
    )
    assert (event.from_status, event.to_status) == (status, new.status)
    assert event.payload == dataclasses.asdict(command)


@pytest.mark.parametrize(("row", "status", "level", "role"), ROLE_CASES)
def test_a_role_outside_the_row_is_refused_as_a_role_not_allowed(row, status, level, role):
    who = actor(role)
    state = satisfying_state(row, status, level, actor(next(iter(row.roles))))
    assert str(row.action) not in allowed_actions(state, who)
    with pytest.raises(RoleNotAllowed) as caught:
        apply(state, good_command(row.action, state), who, NOW)
    assert caught.value.code == "HAZARD_ROLE_NOT_ALLOWED"


@pytest.mark.parametrize(("action", "status", "level"), OUTSIDE_CASES)
def test_an_action_in_a_status_or_level_outside_the_table_is_not_allowed_for_anyone(action, status, level):
    for role in Role:
        who = actor(role)
        state = base_state(status, level, side=side_of_role(role) or Side.ENTERPRISE, has_after_photos=True)
        assert str(action) not in allowed_actions(state, who)
        with pytest.raises(TransitionNotAllowed) as caught:
            apply(state, good_command(action, state), who, NOW)
        assert caught.value.code == "HAZARD_TRANSITION_NOT_ALLOWED"
        assert caught.value.params["action"] == action


@pytest.mark.parametrize(("row", "name"), GUARD_CASES)
def test_each_guard_refuses_when_unsatisfied(row, name):
    status, level = sorted(row.from_statuses)[0], sorted(row.levels)[0]
    refused_for = []
    for role in sorted(row.roles):
        who = actor(role)
        state = satisfying_state(row, status, level, who)
        command = good_command(row.action, state)
        if GUARDS[name].on_command:
            command = BREAK_COMMAND[name](command)
        else:
            state = BREAK_STATE[name](state, who)
            if state is None:
                continue
            assert str(row.action) not in allowed_actions(state, who)
        with pytest.raises(GuardFailed) as caught:
            apply(state, command, who, NOW)
        assert caught.value.code == "HAZARD_GUARD_FAILED"
        assert caught.value.params["guard"] == name
        refused_for.append(role)
    assert refused_for, f"no role in the row can be refused by {name}"


STATE_VARIANTS = [
    {
        "supervised": sup,
        "has_after_photos": photos,
        "requested_deadline": pending,
        "side": side,
        "rectifier_id": rectifier,
        "level_confirmed": confirmed,
    }
    for sup, photos, pending, side, rectifier, confirmed in itertools.product(
        (False, True), (False, True), (None, LATER), Side, ("someone-else", None, "SELF"), (True, False)
    )
]


@pytest.mark.parametrize("level", list(HazardLevel))
@pytest.mark.parametrize("status", list(Status))
def test_allowed_actions_agrees_with_apply_for_every_role_and_state(status, level):
    for role, variant in itertools.product(Role, STATE_VARIANTS):
        who = actor(role)
        rectifier = who.user_id if variant["rectifier_id"] == "SELF" else variant["rectifier_id"]
        state = base_state(status, level, **(variant | {"rectifier_id": rectifier}))
        allowed = allowed_actions(state, who)
        for action in Action:
            try:
                apply(state, good_command(action, state), who, NOW)
                succeeded = True
            except DomainError:
                succeeded = False
            assert succeeded == (str(action) in allowed), (action, state, role)


# ---------------------------------------------------------------------------------------------- whole journeys


def test_a_general_hazard_raised_by_an_inspector_is_fixed_by_the_enterprise_and_accepted_by_the_inspector():
    state = open_hazard(
        "hz-7",
        level=HazardLevel.GENERAL,
        side=side_of_source(Source.GRID_INSPECTION),
        enterprise_id="ent-1",
        reporter_id="inspector-1",
    )
    officer, inspector = actor(Role.OFFICER), actor(Role.INSPECTOR)
    state, _ = apply(state, good_command(Action.ASSIGN), officer, NOW)
    state, _ = apply(state, good_command(Action.SUBMIT_RECTIFICATION), officer, NOW)
    assert allowed_actions(state, officer) == []
    with pytest.raises(GuardFailed):
        apply(state, Accept(), officer, NOW)
    state, event = apply(state, Accept("复查合格"), inspector, NOW)
    assert (state.status, state.version, event.name) == (Status.CLOSED, 4, "HazardAccepted")


def test_an_on_the_spot_fix_goes_straight_to_acceptance_and_a_rejection_needs_new_photos():
    state = open_hazard(
        "hz-8", level=HazardLevel.GENERAL, side=Side.ENTERPRISE, enterprise_id="ent-1", reporter_id="officer-1"
    )
    officer, principal = actor(Role.OFFICER), actor(Role.PRINCIPAL)
    state, _ = apply(state, good_command(Action.RECTIFY_ON_SPOT), officer, NOW)
    assert state.status is Status.AWAITING_ACCEPTANCE and state.governance_type == "on_the_spot"
    state, _ = apply(state, Reject("照片不清"), principal, NOW)
    assert state.status is Status.RECTIFYING and not state.has_after_photos
    state, _ = apply(state, good_command(Action.SUBMIT_RECTIFICATION), principal, NOW)
    state, _ = apply(state, Accept(), officer, NOW)
    assert state.status is Status.CLOSED


def test_a_supervised_major_hazard_walks_to_write_off_through_extension_evaluation_and_review():
    state = open_hazard(
        "hz-9", level=HazardLevel.MAJOR, side=Side.ENTERPRISE, enterprise_id="ent-1", reporter_id="officer-1"
    )
    officer, principal, regulator = actor(Role.OFFICER), actor(Role.PRINCIPAL), actor(Role.REGULATOR)
    with pytest.raises(TransitionNotAllowed):
        apply(state, good_command(Action.RECTIFY_ON_SPOT), officer, NOW)
    for who, action in [
        (officer, Action.REPORT_TO_REGULATOR),
        (regulator, Action.SUPERVISE),
        (officer, Action.SUBMIT_PLAN),
        (principal, Action.APPROVE_PLAN),
        (officer, Action.REQUEST_EXTENSION),
        (regulator, Action.DECIDE_EXTENSION),
        (officer, Action.SUBMIT_RECTIFICATION),
        (officer, Action.SUBMIT_EVALUATION),
        (principal, Action.APPLY_RESUME),
        (regulator, Action.ORDER_CONTINUE),
        (officer, Action.SUBMIT_RECTIFICATION),
        (officer, Action.SUBMIT_EVALUATION),
        (principal, Action.APPLY_RESUME),
        (regulator, Action.WRITE_OFF),
    ]:
        assert str(action) in allowed_actions(state, who), (action, state.status)
        state, _ = apply(state, good_command(action, state), who, NOW)
    assert state.status is Status.WRITTEN_OFF and state.supervised
    assert state.deadline == NOW + timedelta(days=60)  # supervision's 30 days, extended by 30
    assert state.version == 15


def test_a_supervised_hazard_is_voided_only_by_the_regulator_or_an_administrator():
    state = base_state(Status.PLAN_APPROVED, HazardLevel.MAJOR, supervised=True)
    assert "void" not in allowed_actions(state, actor(Role.OFFICER))
    assert "void" in allowed_actions(dataclasses.replace(state, side=Side.REGULATOR), actor(Role.REGULATOR))
    assert "void" in allowed_actions(state, actor(Role.ADMIN))


def test_an_extension_refused_keeps_the_old_deadline():
    state = base_state(Status.PLAN_APPROVED, HazardLevel.MAJOR, supervised=True, requested_deadline=LATER)
    new, _ = apply(state, DecideExtension(False, "理由不充分"), actor(Role.REGULATOR), NOW)
    assert new.deadline == state.deadline and new.requested_deadline is None


def _rectifying_general(side: Side = Side.ENTERPRISE) -> HazardState:
    """A general hazard assigned to officer-2 by principal-1 with a 7-day deadline, as the table leaves it."""
    state = open_hazard("hz-10", level=HazardLevel.GENERAL, side=side, enterprise_id="ent-1", reporter_id="officer-9")
    state, _ = apply(state, good_command(Action.ASSIGN), actor(Role.PRINCIPAL), NOW)
    return state


def test_a_general_hazard_overdue_gets_a_later_deadline_asked_by_the_assignee_and_approved_by_the_principal():
    state = _rectifying_general()
    assignee, principal = actor(Role.OFFICER, 2), actor(Role.PRINCIPAL)
    overdue_at = NOW + timedelta(days=8)
    assert is_overdue(state, overdue_at) and "extendDeadline" in allowed_actions(state, assignee)
    wanted = NOW + timedelta(days=20)
    state, asked = apply(state, RequestExtension(wanted, "备件到货延迟"), assignee, overdue_at)
    assert (state.status, state.requested_deadline, state.extension_requester_id) == (
        Status.RECTIFYING,
        wanted,
        "officer-2",
    )
    assert state.deadline == NOW + timedelta(days=7) and asked.name == "HazardExtensionRequested"
    # the asker and the assignee see nothing to decide; the principal does, and a second request is not offered
    assert "decideExtension" not in allowed_actions(state, assignee)
    assert "extendDeadline" not in allowed_actions(state, principal)
    assert "decideExtension" in allowed_actions(state, principal)
    state, decided = apply(state, DecideExtension(True, "", "到货单已核实"), principal, overdue_at)
    assert (state.deadline, state.requested_deadline, state.extension_requester_id) == (wanted, None, None)
    assert not is_overdue(state, overdue_at) and decided.to_status is Status.RECTIFYING and state.version == 4


def test_a_general_extension_refused_keeps_the_deadline_and_a_new_request_may_follow():
    state = _rectifying_general()
    officer, principal = actor(Role.OFFICER, 2), actor(Role.PRINCIPAL)
    state, _ = apply(state, RequestExtension(NOW + timedelta(days=30), "人手不足"), officer, NOW)
    state, _ = apply(state, DecideExtension(False, reason="人手不足不是延期理由"), principal, NOW)
    assert state.deadline == NOW + timedelta(days=7) and state.requested_deadline is None
    assert "extendDeadline" in allowed_actions(state, officer)


def test_a_pending_general_extension_blocks_a_second_request():
    state = _rectifying_general()
    officer = actor(Role.OFFICER, 2)
    state, _ = apply(state, RequestExtension(NOW + timedelta(days=30), "备件到货延迟"), officer, NOW)
    with pytest.raises(GuardFailed) as refused:
        apply(state, RequestExtension(NOW + timedelta(days=40), "再延十天"), actor(Role.PRINCIPAL), NOW)
    assert refused.value.params["guard"] == "no_extension_pending"


@pytest.mark.parametrize(
    ("command", "guard"),
    [
        (RequestExtension(NOW + timedelta(days=6), "提前"), "new_deadline_extends_current"),  # before the deadline
        (RequestExtension(NOW + timedelta(days=30), "  "), "reason_given"),
    ],
)
def test_a_general_extension_request_needs_a_later_date_and_a_reason(command, guard):
    with pytest.raises(GuardFailed) as refused:
        apply(_rectifying_general(), command, actor(Role.OFFICER, 2), NOW)
    assert refused.value.params["guard"] == guard


def test_a_general_extension_decision_needs_a_request_a_reason_and_someone_other_than_the_asker_or_assignee():
    state = _rectifying_general()
    officer, other_officer, principal = actor(Role.OFFICER, 2), actor(Role.OFFICER, 3), actor(Role.PRINCIPAL)
    with pytest.raises(GuardFailed) as refused:
        apply(state, DecideExtension(True, reason="同意"), principal, NOW)
    assert refused.value.params["guard"] == "extension_pending"
    assert "decideExtension" not in allowed_actions(state, principal)
    state, _ = apply(state, RequestExtension(NOW + timedelta(days=30), "备件到货延迟"), principal, NOW)
    for who, guard in [
        (principal, "decider_is_neither_requester_nor_assignee"),
        (officer, "decider_is_neither_requester_nor_assignee"),
    ]:
        with pytest.raises(GuardFailed) as refused:
            apply(state, DecideExtension(True, reason="同意"), who, NOW)
        assert refused.value.params["guard"] == guard
    with pytest.raises(GuardFailed) as refused:
        apply(state, DecideExtension(True, note="同意"), other_officer, NOW)
    assert refused.value.params["guard"] == "reason_given"
    new, _ = apply(state, DecideExtension(True, reason="属实"), other_officer, NOW)
    assert new.deadline == NOW + timedelta(days=30)


def test_a_general_hazard_raised_by_an_inspector_has_its_extension_decided_by_the_inspector_not_the_enterprise():
    state = _rectifying_general(side=Side.INSPECTOR)
    officer, principal, inspector = actor(Role.OFFICER, 2), actor(Role.PRINCIPAL), actor(Role.INSPECTOR)
    state, _ = apply(state, RequestExtension(NOW + timedelta(days=30), "备件到货延迟"), officer, NOW)
    assert "decideExtension" not in allowed_actions(state, principal)
    assert "decideExtension" in allowed_actions(state, inspector)
    with pytest.raises(RoleNotAllowed):
        apply(state, DecideExtension(True, reason="同意"), actor(Role.ADMIN), NOW)
    with pytest.raises(GuardFailed):
        apply(state, DecideExtension(True, reason="同意"), principal, NOW)
    state, _ = apply(state, DecideExtension(True, reason="同意"), inspector, NOW)
    assert state.deadline == NOW + timedelta(days=30)


def test_handing_in_the_fix_ends_a_general_extension_still_asked_for():
    state = _rectifying_general()
    officer = actor(Role.OFFICER, 2)
    state, _ = apply(state, RequestExtension(NOW + timedelta(days=30), "备件到货延迟"), officer, NOW)
    state, _ = apply(state, good_command(Action.SUBMIT_RECTIFICATION), officer, NOW)
    assert state.status is Status.AWAITING_ACCEPTANCE and state.requested_deadline is None
    assert state.extension_requester_id is None and state.deadline == NOW + timedelta(days=7)


def test_a_general_extension_replays_from_its_event_payloads_alone():
    # what `verify` does: rebuild each command from the recorded payload, apply it again as the recorded actor
    start = _rectifying_general()
    steps = [
        (actor(Role.OFFICER, 2), RequestExtension(NOW + timedelta(days=30), "备件到货延迟")),
        (actor(Role.PRINCIPAL), DecideExtension(True, "", "属实")),
    ]
    state, events = start, []
    for who, command in steps:
        state, event = apply(state, command, who, NOW)
        events.append(event)
    replayed = start
    for event in events:
        command = COMMANDS[event.action](**event.payload)
        replayed, _ = apply(replayed, command, Actor(user_id=event.actor_id, role=event.role), event.at)
    assert replayed == state


# ---------------------------------------------------------------------------------------------- derived facts


def test_a_hazard_is_overdue_only_while_rectification_is_owed_after_its_deadline():
    late = NOW + timedelta(days=11)
    assert is_overdue(base_state(Status.RECTIFYING, HazardLevel.GENERAL), late)
    assert not is_overdue(base_state(Status.RECTIFYING, HazardLevel.GENERAL), NOW)
    assert is_overdue(base_state(Status.PLAN_APPROVED, HazardLevel.MAJOR), late)
    for status in (Status.REPORTED, Status.AWAITING_ACCEPTANCE, Status.CLOSED, Status.VOIDED, Status.WRITTEN_OFF):
        assert not is_overdue(base_state(status, HazardLevel.GENERAL), late)
    assert not is_overdue(base_state(Status.RECTIFYING, HazardLevel.GENERAL, deadline=None), late)


def test_grid_inspections_are_the_inspectors_and_enforcement_and_public_reports_the_regulators():
    assert side_of_source(Source.GRID_INSPECTION) is Side.INSPECTOR
    assert side_of_source(Source.ENFORCEMENT) is Side.REGULATOR
    assert side_of_source(Source.PUBLIC_REPORT) is Side.REGULATOR
    assert side_of_source(Source.DAILY) is Side.ENTERPRISE
    assert side_of_role(Role.ADMIN) is None


# ---------------------------------------------------------------------------------------------- random walks

ACTORS = st.builds(actor, st.sampled_from(list(Role)), st.integers(1, 2))


class HazardWalk(RuleBasedStateMachine):
    """Random actions by random people; the invariants must hold after every step."""

    @initialize(level=st.sampled_from(list(HazardLevel)), side=st.sampled_from(list(Side)))
    def open(self, level, side):
        self.state = open_hazard("hz-r", level=level, side=side, enterprise_id="ent-1", reporter_id="officer-1")
        self.last_event = None

    def attempt(self, command, who):
        before = self.state
        allowed = allowed_actions(before, who)
        try:
            after, event = apply(before, command, who, NOW)
        except (TransitionNotAllowed, RoleNotAllowed) as refused:
            assert str(type(command).action) not in allowed
            assert before.status not in TERMINAL_STATUSES or isinstance(refused, TransitionNotAllowed)
            return
        except GuardFailed as refused:
            assert GUARDS[refused.params["guard"]].on_command or str(type(command).action) not in allowed
            return
        assert str(event.action) in allowed
        assert after.version == before.version + 1 == event.version
        if after.status is Status.CLOSED:
            assert before.has_after_photos and event.action is Action.ACCEPT
            assert event.actor_id != before.rectifier_id
        if after.status is Status.WRITTEN_OFF:
            assert after.level is HazardLevel.MAJOR and event.role is Role.REGULATOR
        self.state, self.last_event = after, event

    @rule(data=st.data())
    def someone_takes_an_allowed_action(self, data):
        # voiding ends a walk at once, so it is left to try_any_action and the walk can reach the far statuses
        choices = [
            (who, action)
            for who in (actor(role, n) for role in Role for n in (1, 2))
            for action in allowed_actions(self.state, who)
            if action != Action.VOID
        ]
        if choices:
            who, action = data.draw(st.sampled_from(choices))
            version = self.state.version
            self.attempt(good_command(Action(action), self.state), who)
            assert self.state.version == version + 1, "an allowed action with good data must succeed"

    @rule(action=st.sampled_from(list(Action)), who=ACTORS, spoil=st.none() | st.sampled_from(sorted(BREAK_COMMAND)))
    def try_any_action(self, action, who, spoil):
        command = good_command(action, self.state)
        if spoil is not None:
            with contextlib.suppress(TypeError):  # that guard does not look at this command
                command = BREAK_COMMAND[spoil](command)
        self.attempt(command, who)

    @invariant()
    def terminal_statuses_offer_nothing(self):
        if self.state.status in TERMINAL_STATUSES:
            assert all(allowed_actions(self.state, actor(role)) == [] for role in Role)

    @invariant()
    def the_status_belongs_to_the_level(self):
        forbidden = MAJOR_ONLY if self.state.level is HazardLevel.GENERAL else GENERAL_ONLY
        assert self.state.status not in forbidden

    @invariant()
    def closed_needs_photos_and_written_off_needs_the_regulator(self):
        if self.state.status is Status.CLOSED:
            assert self.state.has_after_photos
        if self.state.status is Status.WRITTEN_OFF:
            assert self.last_event.action is Action.WRITE_OFF and self.last_event.role is Role.REGULATOR


HazardWalk.TestCase.settings = settings(
    max_examples=150, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_random_walks_keep_the_invariants = HazardWalk.TestCase
