"""The hazard workflow (一般 and 重大 隐患) as one declared transition table, with pure guards and commands."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from types import UnionType
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

from domain.access.model import Actor, Role
from domain.errors import Conflict, DomainError, Forbidden
from domain.history.chain import Event, bound, parse_time, replay_error


class TransitionNotAllowed(Conflict):
    """The action is not possible for a hazard of this level in this status."""

    code = "HAZARD_TRANSITION_NOT_ALLOWED"


class RoleNotAllowed(Forbidden):
    """The status allows the action, but not for the caller's role."""

    code = "HAZARD_ROLE_NOT_ALLOWED"


class GuardFailed(DomainError):
    """The move is in the table for this role, but one of its guards refused; `params["guard"]` names it."""

    code = "HAZARD_GUARD_FAILED"


# ---------------------------------------------------------------------------------------------- vocabularies


class HazardLevel(StrEnum):
    """The two statutory levels (安全生产事故隐患排查治理暂行规定)."""

    GENERAL = "general"  # 一般事故隐患
    MAJOR = "major"  # 重大事故隐患


class Status(StrEnum):
    """Where a hazard stands; the major-only statuses follow the regulator's path to write-off."""

    REPORTED = "reported"  # 已上报
    RECTIFYING = "rectifying"  # 整改中
    AWAITING_ACCEPTANCE = "awaiting_acceptance"  # 待验收
    CLOSED = "closed"  # 已销号
    VOIDED = "voided"  # 已作废
    REPORTED_TO_REGULATOR = "reported_to_regulator"  # 已报告监管部门及职代会
    PLAN_SUBMITTED = "plan_submitted"  # 治理方案待批
    PLAN_APPROVED = "plan_approved"  # 方案已批, 治理中
    EVALUATED = "evaluated"  # 治理效果已评估
    RESUME_APPLIED = "resume_applied"  # 已申请恢复生产, 待监管复查
    WRITTEN_OFF = "written_off"  # 已核销


TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.VOIDED, Status.WRITTEN_OFF})
# Statuses in which the work of rectification is still owed, so a passed deadline makes the hazard overdue.
OWING_STATUSES = frozenset(
    {Status.RECTIFYING, Status.REPORTED_TO_REGULATOR, Status.PLAN_SUBMITTED, Status.PLAN_APPROVED}
)


class Source(StrEnum):
    """Where a hazard was found (the vocabulary of RULES.md)."""

    DAILY = "daily"  # 日常排查
    COMPREHENSIVE = "comprehensive"  # 综合性排查
    SPECIALIST = "specialist"  # 专业性排查
    SEASONAL = "seasonal"  # 季节性排查
    HOLIDAY = "holiday"  # 重点时段及节假日前排查
    ACCIDENT_ANALOGY = "accident_analogy"  # 事故类比排查
    BEFORE_RESUMPTION = "before_resumption"  # 复产复工前排查
    EXTERNAL_EXPERTS = "external_experts"  # 外聘专家诊断式排查
    CONTROL_FAILURE = "control_failure"  # 管控措施失效
    GRID_INSPECTION = "grid_inspection"  # 网格员检查
    ENFORCEMENT = "enforcement"  # 执法检查
    PUBLIC_REPORT = "public_report"  # 群众举报
    OTHER = "other"  # 其他


class Category(StrEnum):
    """What kind of defect the hazard is."""

    UNSAFE_CONDITION = "unsafe_condition"  # 物的不安全状态
    UNSAFE_ACT = "unsafe_act"  # 人的不安全行为
    MANAGEMENT_DEFECT = "management_defect"  # 管理缺陷


class GovernanceType(StrEnum):
    """How a hazard is governed."""

    ON_THE_SPOT = "on_the_spot"  # 即查即改
    WITH_DEADLINE = "with_deadline"  # 限期整改


class Side(StrEnum):
    """Who raised the hazard; that side does the acceptance check (复查) and may void it."""

    ENTERPRISE = "enterprise"
    INSPECTOR = "inspector"
    REGULATOR = "regulator"


# Public reports reach the regulator first, who routes them and checks the outcome; every source not listed is
# the enterprise's own investigation.
_SIDE_OF_SOURCE = {
    Source.GRID_INSPECTION: Side.INSPECTOR,
    Source.ENFORCEMENT: Side.REGULATOR,
    Source.PUBLIC_REPORT: Side.REGULATOR,
}
_SIDE_OF_ROLE = {
    Role.OFFICER: Side.ENTERPRISE,
    Role.PRINCIPAL: Side.ENTERPRISE,
    Role.INSPECTOR: Side.INSPECTOR,
    Role.REGULATOR: Side.REGULATOR,
}


def side_of_source(source: Source) -> Side:
    """The side a hazard from this source is raised by."""
    return _SIDE_OF_SOURCE.get(Source(source), Side.ENTERPRISE)


def side_of_role(role: Role) -> Side | None:
    """The side a role acts for; an administrator acts for none."""
    return _SIDE_OF_ROLE.get(Role(role))


class Action(StrEnum):
    """The actions of the workflow, as the wire names them."""

    ASSIGN = "assign"
    RECTIFY_ON_SPOT = "rectifyOnSpot"
    SUBMIT_RECTIFICATION = "submitRectification"
    ACCEPT = "accept"
    REJECT = "reject"
    VOID = "void"
    REPORT_TO_REGULATOR = "reportToRegulator"
    SUBMIT_PLAN = "submitPlan"
    APPROVE_PLAN = "approvePlan"
    SUPERVISE = "supervise"
    REQUEST_EXTENSION = "extendDeadline"  # the contract's name: ask the regulator for a later deadline
    DECIDE_EXTENSION = "decideExtension"
    SUBMIT_EVALUATION = "submitEvaluation"
    APPLY_RESUME = "applyResume"
    WRITE_OFF = "writeOff"
    ORDER_CONTINUE = "orderContinue"
    CONFIRM_LEVEL = "confirmLevel"


# ---------------------------------------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class HazardState:
    """What the workflow rules need to know about one hazard."""

    id: str
    level: HazardLevel
    status: Status
    side: Side
    enterprise_id: str
    reporter_id: str
    version: int = 1
    assignee_id: str | None = None
    rectifier_id: str | None = None  # who submitted the latest rectification evidence
    governance_type: GovernanceType | None = None
    supervised: bool = False  # 挂牌督办
    deadline: datetime | None = None
    requested_deadline: datetime | None = None  # an extension asked for and not yet decided
    extension_requester_id: str | None = None  # who asked for it (a general hazard's decider must be someone else)
    has_after_photos: bool = False
    level_confirmed: bool = True  # False while an inspection's proposed level waits for a person to confirm it

    @property
    def voided(self) -> bool:
        """Voided with a reason; kept, never deleted."""
        return self.status is Status.VOIDED


def open_hazard(
    hazard_id: str,
    *,
    level: HazardLevel,
    side: Side,
    enterprise_id: str,
    reporter_id: str,
    level_confirmed: bool = True,
) -> HazardState:
    """A newly reported hazard, at version 1 (a level proposed by a checklist item waits for confirmation)."""
    return HazardState(
        id=hazard_id,
        level=HazardLevel(level),
        status=Status.REPORTED,
        side=Side(side),
        enterprise_id=enterprise_id,
        reporter_id=reporter_id,
        level_confirmed=level_confirmed,
    )


def is_overdue(state: HazardState, now: datetime) -> bool:
    """Derived, never stored: the deadline has passed while rectification is still owed."""
    return state.deadline is not None and state.status in OWING_STATUSES and now > state.deadline


# ---------------------------------------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True)
class Assign:
    """Hand a general hazard to someone with measures and a deadline (限期整改)."""

    action: ClassVar[Action] = Action.ASSIGN
    event: ClassVar[str] = "HazardAssigned"
    assignee_id: str
    measures: str
    deadline: datetime


@dataclass(frozen=True, slots=True)
class RectifyOnSpot:
    """Fix a general hazard at once and show it (即查即改)."""

    action: ClassVar[Action] = Action.RECTIFY_ON_SPOT
    event: ClassVar[str] = "HazardRectifiedOnSpot"
    after_photo_ids: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class SubmitRectification:
    """Submit the evidence of rectification."""

    action: ClassVar[Action] = Action.SUBMIT_RECTIFICATION
    event: ClassVar[str] = "HazardRectificationSubmitted"
    after_photo_ids: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Accept:
    """Accept the rectification and close the hazard (验收销号)."""

    action: ClassVar[Action] = Action.ACCEPT
    event: ClassVar[str] = "HazardAccepted"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reject:
    """Send the rectification (or the governance plan) back."""

    action: ClassVar[Action] = Action.REJECT
    event: ClassVar[str] = "HazardRejected"
    reason: str


@dataclass(frozen=True, slots=True)
class Void:
    """Void a hazard recorded in error; it stays in the record."""

    action: ClassVar[Action] = Action.VOID
    event: ClassVar[str] = "HazardVoided"
    reason: str


@dataclass(frozen=True, slots=True)
class ReportToRegulator:
    """Report a major hazard to the regulator, with the three contents, and record the notice to the workers."""

    action: ClassVar[Action] = Action.REPORT_TO_REGULATOR
    event: ClassVar[str] = "HazardReportedToRegulator"
    current_state_and_cause: str  # 现状及其产生原因
    harm_and_difficulty: str  # 危害程度和整改难易程度
    governance_plan_summary: str  # 治理方案
    workers_assembly_notified_at: datetime | None  # 向职工大会或职工代表大会报告
    document_ids: tuple[str, ...] = ()  # the written report (PDF documents)


@dataclass(frozen=True, slots=True)
class SubmitPlan:
    """Submit the governance plan (治理方案) with its six elements and the stoppage scope."""

    action: ClassVar[Action] = Action.SUBMIT_PLAN
    event: ClassVar[str] = "HazardPlanSubmitted"
    goals_and_tasks: str  # 治理的目标和任务
    methods_and_measures: str  # 采取的方法和措施
    funds_and_materials: str  # 经费和物资的落实
    organisation_and_people: str  # 负责治理的机构和人员
    time_limit_and_requirements: str  # 治理的时限和要求
    safety_measures_and_emergency_plan: str  # 安全措施和应急预案
    stoppage_scope: str  # 全部或局部停产停业的范围 (or why none)
    deadline: datetime  # the time limit as a date the rules can compare
    document_ids: tuple[str, ...] = ()  # the plan as written (PDF documents)


@dataclass(frozen=True, slots=True)
class ApprovePlan:
    """The principal approves the governance plan; governing starts."""

    action: ClassVar[Action] = Action.APPROVE_PLAN
    event: ClassVar[str] = "HazardPlanApproved"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Supervise:
    """The regulator lists the hazard for supervision (挂牌督办) with a deadline."""

    action: ClassVar[Action] = Action.SUPERVISE
    event: ClassVar[str] = "HazardSupervised"
    deadline: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class RequestExtension:
    """Ask for a later deadline: of a major hazard's supervising regulator, of a general hazard's acceptor."""

    action: ClassVar[Action] = Action.REQUEST_EXTENSION
    event: ClassVar[str] = "HazardExtensionRequested"
    new_deadline: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class DecideExtension:
    """Grant or refuse the pending extension (a general hazard's decision says why)."""

    action: ClassVar[Action] = Action.DECIDE_EXTENSION
    event: ClassVar[str] = "HazardExtensionDecided"
    approved: bool
    note: str = ""
    reason: str = ""


EVALUATOR_KINDS = frozenset({"in_house_experts", "qualified_firm"})


@dataclass(frozen=True, slots=True)
class SubmitEvaluation:
    """Submit the evaluation of the governance by in-house experts or a qualified firm."""

    action: ClassVar[Action] = Action.SUBMIT_EVALUATION
    event: ClassVar[str] = "HazardEvaluationSubmitted"
    evaluator_kind: str  # "in_house_experts" | "qualified_firm"
    evaluator_name: str
    report_document_ids: tuple[str, ...]  # photos of the report's pages
    conclusion: str
    document_ids: tuple[str, ...] = ()  # the evaluation report (PDF documents)


@dataclass(frozen=True, slots=True)
class ApplyResume:
    """Apply in writing to resume production."""

    action: ClassVar[Action] = Action.APPLY_RESUME
    event: ClassVar[str] = "HazardResumeApplied"
    note: str = ""
    document_ids: tuple[str, ...] = ()  # the written application (PDF documents)


@dataclass(frozen=True, slots=True)
class WriteOff:
    """The regulator's review passed: the major hazard is written off (核销) and production may resume."""

    action: ClassVar[Action] = Action.WRITE_OFF
    event: ClassVar[str] = "HazardWrittenOff"
    note: str = ""


@dataclass(frozen=True, slots=True)
class OrderContinue:
    """The regulator's review failed: governing continues."""

    action: ClassVar[Action] = Action.ORDER_CONTINUE
    event: ClassVar[str] = "HazardContinuationOrdered"
    reason: str


@dataclass(frozen=True, slots=True)
class ConfirmLevel:
    """A person confirms (or corrects) the level an inspection proposed; major needs its criterion or a reason."""

    action: ClassVar[Action] = Action.CONFIRM_LEVEL
    event: ClassVar[str] = "HazardLevelConfirmed"
    level: HazardLevel
    major_criterion_id: str | None = None
    expert_reason: str | None = None


Command = (
    Assign
    | RectifyOnSpot
    | SubmitRectification
    | Accept
    | Reject
    | Void
    | ReportToRegulator
    | SubmitPlan
    | ApprovePlan
    | Supervise
    | RequestExtension
    | DecideExtension
    | SubmitEvaluation
    | ApplyResume
    | WriteOff
    | OrderContinue
    | ConfirmLevel
)
COMMANDS: Mapping[Action, type] = {cls.action: cls for cls in Command.__args__}


@dataclass(frozen=True)
class HazardEvent:
    """One change, as the append-only history records it."""

    hazard_id: str
    action: Action
    name: str  # past tense, e.g. HazardAccepted
    actor_id: str
    role: Role
    at: datetime
    from_status: Status
    to_status: Status
    version: int  # the hazard's version after the change
    payload: dict[str, Any]


# ---------------------------------------------------------------------------------------------- guards


@dataclass(frozen=True, slots=True)
class Move:
    """What a guard looks at; `command` is None when only asking which actions are allowed."""

    state: HazardState
    actor: Actor
    now: datetime | None = None
    command: Any = None


@dataclass(frozen=True, slots=True)
class Guard:
    """A named check; `on_command` guards judge the submitted data and are skipped by `allowed_actions`."""

    name: str
    check: Callable[[Move], bool]
    on_command: bool


GUARDS: dict[str, Guard] = {}


def _state_guard(check: Callable[[Move], bool]) -> Callable[[Move], bool]:
    GUARDS[check.__name__] = Guard(check.__name__, check, on_command=False)
    return check


def _command_guard(check: Callable[[Move], bool]) -> Callable[[Move], bool]:
    GUARDS[check.__name__] = Guard(check.__name__, check, on_command=True)
    return check


def _filled(*texts: str | None) -> bool:
    return all(text is not None and text.strip() for text in texts)


@_state_guard
def acceptor_is_not_rectifier(m: Move) -> bool:
    """The acceptor is not the one who rectified."""
    return m.actor.user_id != m.state.rectifier_id


@_state_guard
def acceptor_is_on_raising_side(m: Move) -> bool:
    """A hazard raised by an inspector or a regulator is checked (复查) by that side, not by the enterprise."""
    return side_of_role(m.actor.role) == m.state.side


@_state_guard
def has_after_photos(m: Move) -> bool:
    """Evidence of rectification is on record."""
    return m.state.has_after_photos


@_state_guard
def is_supervised(m: Move) -> bool:
    """Extensions exist only for hazards under regulator supervision."""
    return m.state.supervised


@_state_guard
def not_yet_supervised(m: Move) -> bool:
    """A hazard is listed for supervision once."""
    return not m.state.supervised


@_state_guard
def no_extension_pending(m: Move) -> bool:
    """One extension request at a time."""
    return m.state.requested_deadline is None


@_state_guard
def extension_pending(m: Move) -> bool:
    """There is a request to decide."""
    return m.state.requested_deadline is not None


@_state_guard
def decider_is_neither_requester_nor_assignee(m: Move) -> bool:
    """Whoever decides an extension neither asked for it nor does the rectification."""
    return m.actor.user_id not in (m.state.extension_requester_id, m.state.assignee_id)


@_state_guard
def voider_is_on_raising_side_or_admin(m: Move) -> bool:
    """Only the side that raised a hazard, or an administrator, voids it."""
    return m.actor.role is Role.ADMIN or side_of_role(m.actor.role) == m.state.side


@_state_guard
def supervised_hazard_voided_by_regulator(m: Move) -> bool:
    """A hazard under supervision cannot be voided by the enterprise or an inspector."""
    return not m.state.supervised or m.actor.role in (Role.REGULATOR, Role.ADMIN)


@_state_guard
def level_awaits_confirmation(m: Move) -> bool:
    """Only a proposed level is confirmed."""
    return not m.state.level_confirmed


@_state_guard
def level_is_confirmed(m: Move) -> bool:
    """Work on a hazard starts once a person has confirmed its level."""
    return m.state.level_confirmed


@_command_guard
def major_has_criterion_or_reason(m: Move) -> bool:
    """A major hazard names the criterion it meets or the experts' reason."""
    c = m.command
    return c.level != HazardLevel.MAJOR or _filled(c.major_criterion_id) or _filled(c.expert_reason)


@_command_guard
def after_photos_attached(m: Move) -> bool:
    """Rectification comes with at least one after-photo."""
    return len(m.command.after_photo_ids) > 0 and all(_filled(p) for p in m.command.after_photo_ids)


@_command_guard
def assignee_and_measures_given(m: Move) -> bool:
    """An assignment names the assignee and the measures."""
    return _filled(m.command.assignee_id, m.command.measures)


@_command_guard
def deadline_in_future(m: Move) -> bool:
    """A deadline set now lies after now."""
    return m.command.deadline > m.now


@_command_guard
def reason_given(m: Move) -> bool:
    """Rejections, voids, orders and requests say why."""
    return _filled(m.command.reason)


@_command_guard
def report_has_three_contents(m: Move) -> bool:
    """The report states the current state and cause, the harm and difficulty, and the governance plan."""
    c = m.command
    return _filled(c.current_state_and_cause, c.harm_and_difficulty, c.governance_plan_summary)


@_command_guard
def workers_assembly_notified(m: Move) -> bool:
    """The workers' assembly was told, no later than now."""
    at = m.command.workers_assembly_notified_at
    return at is not None and at <= m.now


@_command_guard
def plan_has_six_elements(m: Move) -> bool:
    """The governance plan fills all six elements."""
    c = m.command
    return _filled(
        c.goals_and_tasks,
        c.methods_and_measures,
        c.funds_and_materials,
        c.organisation_and_people,
        c.time_limit_and_requirements,
        c.safety_measures_and_emergency_plan,
    )


@_command_guard
def stoppage_scope_stated(m: Move) -> bool:
    """The plan says what stops (or why nothing does)."""
    return _filled(m.command.stoppage_scope)


@_command_guard
def new_deadline_extends_current(m: Move) -> bool:
    """An extension moves the deadline later, and into the future."""
    current = m.state.deadline or m.now
    return m.command.new_deadline > max(current, m.now)


@_command_guard
def evaluator_is_experts_or_qualified_firm(m: Move) -> bool:
    """Evaluation is by the enterprise's own experts or a qualified firm, named."""
    return m.command.evaluator_kind in EVALUATOR_KINDS and _filled(m.command.evaluator_name)


@_command_guard
def evaluation_report_attached(m: Move) -> bool:
    """The evaluation has a report (a PDF, or photos of its pages) and a conclusion."""
    c = m.command
    return (len(c.document_ids) > 0 or len(c.report_document_ids) > 0) and _filled(c.conclusion)


# ---------------------------------------------------------------------------------------------- the table


@dataclass(frozen=True, slots=True)
class Transition:
    """One row: `action` moves a hazard of `levels` from any of `from_statuses` to `to_status` for `roles`."""

    action: Action
    from_statuses: frozenset[Status]
    to_status: Status | None  # None: the status stays as it is
    roles: frozenset[Role]
    levels: frozenset[HazardLevel]
    guards: tuple[str, ...] = ()


def _row(
    action: Action,
    from_: tuple[Status, ...],
    to: Status | None,
    roles: tuple[Role, ...],
    levels: tuple[HazardLevel, ...],
    *guards: str,
) -> Transition:
    return Transition(action, frozenset(from_), to, frozenset(roles), frozenset(levels), guards)


S, R, L, A = Status, Role, HazardLevel, Action
_ENTERPRISE_ROLES = (R.OFFICER, R.PRINCIPAL)
_CHECKERS = (R.OFFICER, R.PRINCIPAL, R.INSPECTOR, R.REGULATOR)  # whichever side raised it checks the work
_GENERAL, _MAJOR, _BOTH = (L.GENERAL,), (L.MAJOR,), (L.GENERAL, L.MAJOR)
_OPEN = tuple(s for s in S if s not in TERMINAL_STATUSES)

TRANSITIONS: tuple[Transition, ...] = (
    # general: reported → rectifying → awaiting acceptance → closed; on the spot skips rectifying
    # a level proposed by a failed checklist item is confirmed (or corrected) by a person before work starts
    _row(
        A.CONFIRM_LEVEL,
        (S.REPORTED,),
        None,
        (R.PRINCIPAL, R.INSPECTOR, R.REGULATOR),
        _BOTH,
        "level_awaits_confirmation",
        "major_has_criterion_or_reason",
    ),
    _row(
        A.ASSIGN,
        (S.REPORTED,),
        S.RECTIFYING,
        _ENTERPRISE_ROLES,
        _GENERAL,
        "level_is_confirmed",
        "assignee_and_measures_given",
        "deadline_in_future",
    ),
    _row(
        A.RECTIFY_ON_SPOT,
        (S.REPORTED,),
        S.AWAITING_ACCEPTANCE,
        _ENTERPRISE_ROLES,
        _GENERAL,
        "level_is_confirmed",
        "after_photos_attached",
    ),
    _row(
        A.SUBMIT_RECTIFICATION,
        (S.RECTIFYING,),
        S.AWAITING_ACCEPTANCE,
        _ENTERPRISE_ROLES,
        _GENERAL,
        "after_photos_attached",
    ),
    _row(
        A.ACCEPT,
        (S.AWAITING_ACCEPTANCE,),
        S.CLOSED,
        _CHECKERS,
        _GENERAL,
        "has_after_photos",
        "acceptor_is_not_rectifier",
        "acceptor_is_on_raising_side",
    ),
    _row(
        A.REJECT,
        (S.AWAITING_ACCEPTANCE,),
        S.RECTIFYING,
        _CHECKERS,
        _GENERAL,
        "acceptor_is_on_raising_side",
        "reason_given",
    ),
    # a later deadline, asked for by the enterprise while rectifying (overdue or not), decided with a reason by the
    # side that accepts the hazard, neither the asker nor the assignee; approval moves the deadline
    _row(
        A.REQUEST_EXTENSION,
        (S.RECTIFYING,),
        None,
        _ENTERPRISE_ROLES,
        _GENERAL,
        "no_extension_pending",
        "reason_given",
        "new_deadline_extends_current",
    ),
    _row(
        A.DECIDE_EXTENSION,
        (S.RECTIFYING,),
        None,
        _CHECKERS,
        _GENERAL,
        "extension_pending",
        "acceptor_is_on_raising_side",
        "decider_is_neither_requester_nor_assignee",
        "reason_given",
    ),
    # major: report (regulator + workers) → plan → principal approves → govern (evidence, supervision, extensions)
    #        → evaluation → resume application → regulator writes off or orders governing to continue
    _row(
        A.REPORT_TO_REGULATOR,
        (S.REPORTED,),
        S.REPORTED_TO_REGULATOR,
        _ENTERPRISE_ROLES,
        _MAJOR,
        "level_is_confirmed",
        "report_has_three_contents",
        "workers_assembly_notified",
    ),
    _row(
        A.SUBMIT_PLAN,
        (S.REPORTED_TO_REGULATOR,),
        S.PLAN_SUBMITTED,
        _ENTERPRISE_ROLES,
        _MAJOR,
        "plan_has_six_elements",
        "stoppage_scope_stated",
        "deadline_in_future",
    ),
    _row(A.REJECT, (S.PLAN_SUBMITTED,), S.REPORTED_TO_REGULATOR, (R.PRINCIPAL,), _MAJOR, "reason_given"),
    _row(A.APPROVE_PLAN, (S.PLAN_SUBMITTED,), S.PLAN_APPROVED, (R.PRINCIPAL,), _MAJOR),
    _row(
        A.SUPERVISE,
        (S.REPORTED_TO_REGULATOR, S.PLAN_SUBMITTED, S.PLAN_APPROVED),
        None,
        (R.REGULATOR,),
        _MAJOR,
        "not_yet_supervised",
        "deadline_in_future",
    ),
    _row(
        A.REQUEST_EXTENSION,
        (S.PLAN_APPROVED,),
        S.PLAN_APPROVED,
        _ENTERPRISE_ROLES,
        _MAJOR,
        "is_supervised",
        "no_extension_pending",
        "reason_given",
        "new_deadline_extends_current",
    ),
    _row(
        A.DECIDE_EXTENSION,
        (S.PLAN_APPROVED,),
        S.PLAN_APPROVED,
        (R.REGULATOR,),
        _MAJOR,
        "is_supervised",
        "extension_pending",
    ),
    _row(
        A.SUBMIT_RECTIFICATION, (S.PLAN_APPROVED,), S.PLAN_APPROVED, _ENTERPRISE_ROLES, _MAJOR, "after_photos_attached"
    ),
    _row(
        A.SUBMIT_EVALUATION,
        (S.PLAN_APPROVED,),
        S.EVALUATED,
        _ENTERPRISE_ROLES,
        _MAJOR,
        "has_after_photos",
        "no_extension_pending",
        "evaluator_is_experts_or_qualified_firm",
        "evaluation_report_attached",
    ),
    _row(A.APPLY_RESUME, (S.EVALUATED,), S.RESUME_APPLIED, (R.PRINCIPAL,), _MAJOR),
    _row(A.WRITE_OFF, (S.RESUME_APPLIED,), S.WRITTEN_OFF, (R.REGULATOR,), _MAJOR),
    _row(A.ORDER_CONTINUE, (S.RESUME_APPLIED,), S.PLAN_APPROVED, (R.REGULATOR,), _MAJOR, "reason_given"),
    # either level: void with a reason before the end, by the raising side or an administrator
    _row(
        A.VOID,
        _OPEN,
        S.VOIDED,
        tuple(R),
        _BOTH,
        "voider_is_on_raising_side_or_admin",
        "supervised_hazard_voided_by_regulator",
        "reason_given",
    ),
)
del S, R, L, A


def _row_for(action: Action, state: HazardState) -> Transition | None:
    for row in TRANSITIONS:
        if row.action is action and state.status in row.from_statuses and state.level in row.levels:
            return row
    return None


def _refusing_guard(row: Transition, move: Move, *, with_command: bool) -> str | None:
    for name in row.guards:
        guard = GUARDS[name]
        if guard.on_command and not with_command:
            continue
        if not guard.check(move):
            return name
    return None


def allowed_actions(state: HazardState, actor: Actor) -> list[str]:
    """The actions this actor can take now, in table order; the phone shows exactly these."""
    move = Move(state, actor)
    allowed: list[str] = []
    for row in TRANSITIONS:
        if row.action in allowed or state.status not in row.from_statuses or state.level not in row.levels:
            continue
        if actor.role in row.roles and _refusing_guard(row, move, with_command=False) is None:
            allowed.append(str(row.action))
    return allowed


# ---------------------------------------------------------------------------------------------- effects


def _assign(s: HazardState, c: Assign, actor: Actor) -> dict[str, Any]:
    return {"assignee_id": c.assignee_id, "deadline": c.deadline, "governance_type": GovernanceType.WITH_DEADLINE}


def _rectify_on_spot(s: HazardState, c: RectifyOnSpot, actor: Actor) -> dict[str, Any]:
    return {"has_after_photos": True, "rectifier_id": actor.user_id, "governance_type": GovernanceType.ON_THE_SPOT}


def _submit_rectification(s: HazardState, c: SubmitRectification, actor: Actor) -> dict[str, Any]:
    done = {"has_after_photos": True, "rectifier_id": actor.user_id}
    # a general hazard's fix handed in ends any extension still asked for: the deadline no longer matters
    return done | (
        {"requested_deadline": None, "extension_requester_id": None} if s.level is HazardLevel.GENERAL else {}
    )


def _reject(s: HazardState, c: Reject, actor: Actor) -> dict[str, Any]:
    # rejected evidence no longer counts: the next acceptance needs new photos
    return {"has_after_photos": False} if s.status is Status.AWAITING_ACCEPTANCE else {}


def _submit_plan(s: HazardState, c: SubmitPlan, actor: Actor) -> dict[str, Any]:
    # a supervision deadline, once set, is the regulator's and outranks the plan's own time limit
    return {} if s.supervised else {"deadline": c.deadline}


def _supervise(s: HazardState, c: Supervise, actor: Actor) -> dict[str, Any]:
    return {"supervised": True, "deadline": c.deadline}


def _request_extension(s: HazardState, c: RequestExtension, actor: Actor) -> dict[str, Any]:
    return {"requested_deadline": c.new_deadline, "extension_requester_id": actor.user_id}


def _decide_extension(s: HazardState, c: DecideExtension, actor: Actor) -> dict[str, Any]:
    deadline = s.requested_deadline if c.approved else s.deadline
    return {"requested_deadline": None, "extension_requester_id": None, "deadline": deadline}


def _order_continue(s: HazardState, c: OrderContinue, actor: Actor) -> dict[str, Any]:
    # the review found governing unfinished: earlier evidence and evaluation no longer count
    return {"has_after_photos": False, "rectifier_id": None}


def _confirm_level(s: HazardState, c: ConfirmLevel, actor: Actor) -> dict[str, Any]:
    return {"level": HazardLevel(c.level), "level_confirmed": True}


_EFFECTS: Mapping[Action, Callable[[HazardState, Any, Actor], dict[str, Any]]] = {
    Action.ASSIGN: _assign,
    Action.RECTIFY_ON_SPOT: _rectify_on_spot,
    Action.SUBMIT_RECTIFICATION: _submit_rectification,
    Action.REJECT: _reject,
    Action.SUBMIT_PLAN: _submit_plan,
    Action.SUPERVISE: _supervise,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.DECIDE_EXTENSION: _decide_extension,
    Action.ORDER_CONTINUE: _order_continue,
    Action.CONFIRM_LEVEL: _confirm_level,
}


def apply(state: HazardState, command: Command, actor: Actor, now: datetime) -> tuple[HazardState, HazardEvent]:
    """Look the move up in the table, check role and guards, and return the next state and its event."""
    action = type(command).action
    row = _row_for(action, state)
    params = {"action": str(action), "status": str(state.status), "level": str(state.level)}
    if row is None:
        raise TransitionNotAllowed(
            f"{action} is not possible for a {state.level} hazard that is {state.status}", **params
        )
    if actor.role not in row.roles:
        raise RoleNotAllowed(f"{actor.role} may not {action} now", role=str(actor.role), **params)
    refused = _refusing_guard(row, Move(state, actor, now, command), with_command=True)
    if refused is not None:
        raise GuardFailed(GUARDS[refused].check.__doc__ or refused, guard=refused, **params)
    effect = _EFFECTS.get(action)
    changes = effect(state, command, actor) if effect else {}
    to_status = row.to_status or state.status
    new_state = dataclasses.replace(state, **changes, status=to_status, version=state.version + 1)
    event = HazardEvent(
        hazard_id=state.id,
        action=action,
        name=type(command).event,
        actor_id=actor.user_id,
        role=actor.role,
        at=now,
        from_status=state.status,
        to_status=to_status,
        version=new_state.version,
        payload={f.name: getattr(command, f.name) for f in dataclasses.fields(command)},
    )
    return new_state, event


# ---------------------------------------------------------------------------------------------- replay (verify)

# Command fields that also update a descriptive column of the hazard row (field → column).
DESCRIPTIVE_FIELDS: Mapping[str, str] = {
    "measures": "measures",
    "stoppage_scope": "stoppage_scope",
    "funds_and_materials": "funds",
    "major_criterion_id": "major_criterion_id",
    "expert_reason": "expert_reason",
}
# The action of the first event of every hazard's chain (the workflow's actions follow it).
REPORT_ACTION = "report"
# The stage of the photos reported with a hazard.
REPORTED_PHOTO_STAGE = "before"
# Command fields that name attached photos, and the stage they are attached as (a fix, an evaluation report).
PHOTO_FIELDS: Mapping[str, str] = {"after_photo_ids": "after", "report_document_ids": "evaluation"}
# Every stage a hazard's photo can have, in the order of the workflow.
PHOTO_STAGES = (REPORTED_PHOTO_STAGE, *dict.fromkeys(PHOTO_FIELDS.values()))
# What the first event ("report") says of the row that the row must still say unless a later event changed it.
_REPORTED_COLUMNS = (
    "enterprise_id",
    "risk_point_id",
    "inspection_id",
    "scan_id",
    "source",
    "category",
    "professional_type",
    "title",
    "description",
    "internal_grade",
    "reporter_id",
    "reporter_role",
    "responsible_person",
    "measures",
    "funds",
    "stoppage_scope",
    "major_criterion_id",
    "expert_reason",
    "found_at",
)
_STATE_FIELDS = (
    "level",
    "level_confirmed",
    "status",
    "side",
    "assignee_id",
    "rectifier_id",
    "governance_type",
    "supervised",
    "deadline",
    "requested_deadline",
    "extension_requester_id",
    "has_after_photos",
    "version",
)


def _decoded(hint: Any, value: Any) -> Any:
    """A payload value (canonical JSON) back in the type a command field declares."""
    if value is None:
        return None
    options = [a for a in get_args(hint) if a is not type(None)] if get_origin(hint) in (Union, UnionType) else [hint]
    target = options[0] if len(options) == 1 else None
    if target is datetime:
        return parse_time(value)
    if get_origin(target) is tuple or target is tuple:
        return tuple(value)
    if isinstance(target, type) and issubclass(target, Enum):
        return target(value)
    return value


@functools.cache
def _command_fields(action: Action) -> tuple[type, tuple[tuple[str, Any], ...]]:
    cls = COMMANDS[action]
    hints = get_type_hints(cls)  # evaluated once per command: it reads the annotations' text
    return cls, tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def command_of(action: str, payload: Mapping[str, Any]) -> Command:
    """The command an event of `action` recorded, rebuilt from its payload."""
    cls, fields = _command_fields(Action(action))
    return cls(**{name: _decoded(hint, payload[name]) for name, hint in fields if name in payload})


def replay(events: Sequence[Event]) -> dict[str, Any]:
    """The hazard row a chain describes: its first event opens the hazard, every later one goes through `apply`
    (the same table, roles and guards, at the event's time, by the event's actor); raises ReplayFailed naming the
    event that does not follow the rules."""
    first = events[0]
    try:
        if first.action != REPORT_ACTION:
            raise ValueError(f"a hazard's chain opens with {REPORT_ACTION}, not {first.action}")
        p = first.payload
        state = open_hazard(
            first.chain_id,
            level=HazardLevel(p["level"]),
            side=Side(p["side"]),
            enterprise_id=p["enterprise_id"],
            reporter_id=p["reporter_id"],
            level_confirmed=p.get("level_confirmed", True),
        )
        row = {column: p.get(column) for column in _REPORTED_COLUMNS}
        photos = [[first.seq, REPORTED_PHOTO_STAGE, photo] for photo in first.photo_hashes]
        closed_at = None
    except Exception as error:
        raise replay_error(first, error) from None
    for event in events[1:]:
        try:
            command = command_of(event.action, event.payload)
            state, change = apply(state, command, Actor(user_id=event.actor_id, role=Role(event.role)), event.at)
            recorded = (event.payload.get("to_status", str(state.status)), event.payload.get("version", state.version))
            if recorded != (str(state.status), state.version):
                raise ValueError(f"the event says {recorded}, the rules give {(str(state.status), state.version)}")
            row |= {
                column: change.payload[name]
                for name, column in DESCRIPTIVE_FIELDS.items()
                if change.payload.get(name) is not None
            }
            hashes = iter(event.photo_hashes)
            for name, stage in PHOTO_FIELDS.items():
                photos += [[event.seq, stage, next(hashes)] for _ in getattr(command, name, ())]
            if state.status in TERMINAL_STATUSES:
                closed_at = event.at
        except Exception as error:
            raise replay_error(event, error) from None
    row |= {name: getattr(state, name) for name in _STATE_FIELDS}
    last = events[-1]
    return row | {"closed_at": closed_at, "photos": photos} | bound(last)


def derive_hazards(events: Sequence[Event]) -> dict[str, dict[str, Any]]:
    """The hazard row a hazard's chain describes, keyed by the hazard's id (the chain's id)."""
    return {events[0].chain_id: replay(events)}
