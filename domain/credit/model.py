"""Pure rules of the credit area: the serious-dishonesty grounds, the listing workflow and the local credit grade.

The serious-dishonesty list (安全生产严重失信主体名单) follows 《安全生产严重失信主体名单管理办法》 (应急管理部令第11号,
in force 2023-10-01). Its grounds are data (`GROUNDS`): each names the article it comes from and a predicate over one
administrative penalty and the enterprise's accidents, because a listing always follows a penalty. The workflow is one
declared table (`TRANSITIONS`). The local grade A–D is a pluggable `CreditScheme`; `DEFAULT_SCHEME` documents its
rules in `PointsScheme.rules`.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.access.model import Actor, Role
from domain.access.permissions import Action as Permission
from domain.access.permissions import roles_of
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.history.chain import Event, bound, replay_error

# The order applies to penalties decided from the day it took effect.
IN_FORCE = date(2023, 10, 1)
LISTING_YEARS = 3
EARLY_REMOVAL_MONTHS = 12
REPEAT_WINDOW_MONTHS = 12


@dataclass(frozen=True, slots=True)
class CreditStanding:
    """What others need to know of an enterprise's credit on a date: listed or not, its grade, and why."""

    listed: bool
    grade: str | None
    basis: tuple[str, ...]


class AccidentGrade(StrEnum):
    """Grades of production-safety accidents (生产安全事故报告和调查处理条例 第三条)."""

    GENERAL = "general"  # 一般
    LARGE = "large"  # 较大
    MAJOR = "major"  # 重大
    ESPECIALLY_MAJOR = "especially_major"  # 特别重大


class PenaltyKind(StrEnum):
    """What the penalty imposed (安全生产法 and 行政处罚法 kinds)."""

    WARNING = "warning"  # 警告
    FINE = "fine"  # 罚款
    CONFISCATION = "confiscation"  # 没收违法所得
    SUSPENSION = "suspension"  # 责令停产停业整顿 / 暂扣许可证
    LICENCE_REVOKED = "licence_revoked"  # 吊销许可证
    CLOSURE = "closure"  # 责令关闭
    OTHER = "other"


class Violation(StrEnum):
    """What the penalty was for, as far as the grounds of the order care."""

    ACCIDENT = "accident"  # responsibility for an accident (names it)
    ACCIDENT_AGGRAVATED = "accident_aggravated"  # 情节特别严重、影响特别恶劣: 安全生产法第114条 2–5× fine (names it)
    UNLICENSED = "unlicensed"  # operating without a required safety licence
    LICENCE_SUSPENDED = "licence_suspended"  # operating while the licence is suspended or revoked
    FALSE_REPORT = "false_report"  # an evaluation, certification or testing body's false report or certificate
    SERIOUS_VIOLATION = "serious_violation"  # another violation the deciding department found vile and serious
    OTHER = "other"


ACCIDENT_VIOLATIONS = frozenset({Violation.ACCIDENT, Violation.ACCIDENT_AGGRAVATED})


class Execution(StrEnum):
    """Whether the penalised party carried the penalty out."""

    PENDING = "pending"
    EXECUTED = "executed"
    REFUSED = "refused"  # able to but refused or evaded it


# Industries whose enterprises are evaluation, certification or testing bodies (承担安全评价、认证、检测、检验职责的
# 机构). None of the service's industries is one yet, so the false-report ground is modelled and tested but cannot
# hold for a real enterprise until such an industry is added; `check_penalty` refuses the violation for others.
EVALUATION_SERVICE_INDUSTRIES: frozenset[str] = frozenset({"safety_evaluation", "testing_inspection"})


@dataclass(frozen=True, slots=True)
class Accident:
    """The facts of one accident that the grounds read."""

    id: str
    occurred_on: date
    grade: AccidentGrade
    concealed: bool = False
    principal_fled: bool = False
    deaths: int = 0
    injuries: int = 0


@dataclass(frozen=True, slots=True)
class Penalty:
    """The facts of one administrative penalty that the grounds read."""

    id: str
    decided_on: date
    kind: PenaltyKind
    violation: Violation
    execution: Execution
    accident_id: str | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """An enterprise's penalties and accidents, as the grounds and the grade see them."""

    industry: str
    penalties: tuple[Penalty, ...] = ()
    accidents: tuple[Accident, ...] = ()

    def accident(self, accident_id: str | None) -> Accident | None:
        """The accident with that id, if the record has it."""
        return next((a for a in self.accidents if a.id == accident_id), None)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), on the month's last day when it has no such day (Feb 29 → 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def within_months(earlier: date, later: date, months: int) -> bool:
    """Whether `later` falls in the `months`-month period that starts on `earlier` (that period ends the day before
    the same date `months` later)."""
    return earlier <= later < add_months(earlier, months)


# A ground's predicate: the accident ids it rests on (empty when it rests on the penalty alone), or None.
Evidence = tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Ground:
    """One ground for listing, citing the order; `holds` reads one penalty and the enterprise's record."""

    code: str
    article: str
    text: str
    holds: Callable[[Penalty, Record], Evidence]


def _accident_of(penalty: Penalty, record: Record) -> Accident | None:
    return record.accident(penalty.accident_id) if penalty.violation in ACCIDENT_VIOLATIONS else None


def _accident_where(test: Callable[[Accident], bool]) -> Callable[[Penalty, Record], Evidence]:
    def holds(penalty: Penalty, record: Record) -> Evidence:
        accident = _accident_of(penalty, record)
        return (accident.id,) if accident is not None and test(accident) else None

    return holds


def _second_large_accident(penalty: Penalty, record: Record) -> Evidence:
    # Anchored on the later accident, so a pair gives one candidate (on the later accident's penalty), not two.
    accident = _accident_of(penalty, record)
    if accident is None or accident.grade != AccidentGrade.LARGE:
        return None
    earlier = sorted(
        other.id
        for other in record.accidents
        if other.id != accident.id
        and other.grade == AccidentGrade.LARGE
        and other.occurred_on <= accident.occurred_on
        and within_months(other.occurred_on, accident.occurred_on, REPEAT_WINDOW_MONTHS)
    )
    return (*earlier, accident.id) if earlier else None


def _violation_in(*violations: Violation) -> Callable[[Penalty, Record], Evidence]:
    def holds(penalty: Penalty, record: Record) -> Evidence:
        return () if penalty.violation in violations else None

    return holds


def _false_report(penalty: Penalty, record: Record) -> Evidence:
    return (
        () if penalty.violation == Violation.FALSE_REPORT and record.industry in EVALUATION_SERVICE_INDUSTRIES else None
    )


def _refused(penalty: Penalty, record: Record) -> Evidence:
    return () if penalty.execution == Execution.REFUSED else None


GROUNDS: tuple[Ground, ...] = (
    Ground(
        "major_accident",
        "第六条第（一）项",
        "发生特别重大、重大生产安全事故",
        _accident_where(lambda a: a.grade in (AccidentGrade.MAJOR, AccidentGrade.ESPECIALLY_MAJOR)),
    ),
    Ground(
        "repeated_large_accidents",
        "第六条第（二）项",
        "12个月内累计发生2起以上较大生产安全事故",
        _second_large_accident,
    ),
    Ground(
        "aggravated_accident",
        "第六条第（三）项",
        "发生生产安全事故，情节特别严重、影响特别恶劣，依照安全生产法第一百一十四条被处2倍以上5倍以下罚款",
        _violation_in(Violation.ACCIDENT_AGGRAVATED),
    ),
    Ground("accident_concealed", "第六条第（四）项", "瞒报、谎报生产安全事故", _accident_where(lambda a: a.concealed)),
    Ground(
        "principal_fled",
        "第六条第（五）项",
        "事故发生后主要负责人不立即组织抢救或者擅离职守、逃匿",
        _accident_where(lambda a: a.principal_fled),
    ),
    Ground(
        "unlicensed_operation",
        "第七条第（一）项",
        "未依法取得安全生产相关许可或者许可被暂扣、吊销期间从事相关生产经营活动",
        _violation_in(Violation.UNLICENSED, Violation.LICENCE_SUSPENDED),
    ),
    Ground(
        "false_report",
        "第七条第（二）项",
        "承担安全评价、认证、检测、检验职责的机构出具虚假报告或者证书",
        _false_report,
    ),
    Ground("penalty_refused", "第七条第（三）项", "行政处罚作出后有执行能力拒不执行或者逃避执行", _refused),
    Ground(
        "serious_violation",
        "第七条第（四）项",
        "其他违反安全生产法律法规受到行政处罚，且性质恶劣、情节严重",
        _violation_in(Violation.SERIOUS_VIOLATION),
    ),
)
GROUNDS_BY_CODE: Mapping[str, Ground] = {ground.code: ground for ground in GROUNDS}


@dataclass(frozen=True, slots=True)
class Basis:
    """Why a penalty makes its enterprise a candidate: the grounds that hold and what they rest on."""

    penalty_id: str
    grounds: tuple[str, ...]
    accident_ids: tuple[str, ...]

    def to_json(self) -> dict[str, list[str]]:
        """The stored (and hashed) form."""
        return {
            "grounds": list(self.grounds),
            "penalty_ids": [self.penalty_id],
            "accident_ids": list(self.accident_ids),
        }


def basis_of(penalty: Penalty, record: Record) -> Basis | None:
    """The grounds this penalty supports for listing, or None when none holds or the order did not yet apply."""
    if penalty.decided_on < IN_FORCE:
        return None
    held = [(ground.code, evidence) for ground in GROUNDS if (evidence := ground.holds(penalty, record)) is not None]
    if not held:
        return None
    accidents = sorted({accident_id for _, evidence in held for accident_id in evidence})
    return Basis(penalty.id, tuple(code for code, _ in held), tuple(accidents))


def candidates(record: Record) -> list[Basis]:
    """Every penalty of the record that supports a listing, with its basis."""
    return [basis for penalty in record.penalties if (basis := basis_of(penalty, record)) is not None]


def check_penalty(penalty: Penalty, record: Record, *, today: date) -> None:
    """A recorded penalty must be consistent with itself and the enterprise's accidents."""
    if penalty.decided_on > today:
        raise InvalidInput("a penalty cannot be decided in the future", field="decidedOn", reason="future")
    if penalty.amount is not None and penalty.amount < 0:
        raise InvalidInput("an amount is not negative", field="amount", reason="range")
    if penalty.kind == PenaltyKind.FINE and penalty.amount is None:
        raise InvalidInput("a fine names its amount", field="amount", reason="required")
    if penalty.violation in ACCIDENT_VIOLATIONS:
        accident = record.accident(penalty.accident_id)
        if accident is None:
            raise InvalidInput(
                "a penalty for an accident names one of the enterprise's accidents",
                field="accidentId",
                reason="unknown",
            )
        if accident.occurred_on > penalty.decided_on:
            raise InvalidInput("the accident happens before its penalty", field="decidedOn", reason="before_accident")
    elif penalty.accident_id is not None:
        raise InvalidInput("only a penalty for an accident names one", field="accidentId", reason="not_allowed")
    if penalty.violation == Violation.FALSE_REPORT and record.industry not in EVALUATION_SERVICE_INDUSTRIES:
        raise InvalidInput(
            "false reports are penalised on evaluation, certification and testing bodies only",
            field="violation",
            reason="not_an_evaluation_body",
        )


def check_accident(accident: Accident, *, today: date) -> None:
    """A recorded accident happened in the past and counts no negative people."""
    if accident.occurred_on > today:
        raise InvalidInput("an accident cannot be in the future", field="occurredOn", reason="future")
    if accident.deaths < 0 or accident.injuries < 0:
        raise InvalidInput("deaths and injuries are not negative", field="deaths", reason="range")


# --- the listing workflow ------------------------------------------------------------------------------------------


class ListingStatus(StrEnum):
    """Where a listing stands; only `confirmed` lists the enterprise."""

    CANDIDATE = "candidate"  # computed, nobody told yet
    NOTIFIED = "notified"  # the party was told and may state its case
    CONFIRMED = "confirmed"  # decided and published: listed until expiry
    DISMISSED = "dismissed"  # a regulator decided not to list
    REMOVED_EARLY = "removed_early"  # lifted early through credit repair
    EXPIRED = "expired"  # its 3 years ended


class ListingAction(StrEnum):
    """What can be done to a listing."""

    NOTIFY = "notify"
    RESPOND = "respond"
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    REMOVE_EARLY = "removeEarly"
    REINSTATE = "reinstate"
    EXPIRE = "expire"


class ListingNotAllowed(Conflict):
    """The listing is not in a state where this action is possible."""

    code = "BLACKLIST_ACTION_NOT_ALLOWED"


class ListingInputInvalid(InvalidInput):
    """A date or reason given for a listing action does not hold."""

    code = "BLACKLIST_INPUT_INVALID"


class NotDecidingDepartment(Forbidden):
    """Only the department that imposed the penalty decides its listing (令第11号: 作出处罚决定的部门)."""

    code = "CREDIT_NOT_DECIDING_DEPARTMENT"


class AuthorityRegionInvalid(InvalidInput):
    """The region named as the penalty's deciding department does not hold the enterprise, or is not the recorder's."""

    code = "CREDIT_AUTHORITY_REGION_INVALID"


S, A = ListingStatus, ListingAction
# The listing is a decision of a department, so only a regulator (of the deciding department, see
# `is_deciding_department`) takes its steps; an administrator runs the system and is no department.
# The roles of each move come from the permissions table (domain.access.permissions).
REGULATORS = roles_of(Permission.DECIDE_BLACKLIST_LISTING)
PARTY = roles_of(Permission.RESPOND_TO_BLACKLIST_NOTICE)
SYSTEM = roles_of(Permission.EXPIRE_BLACKLIST_LISTING)


@dataclass(frozen=True, slots=True)
class Move:
    """One row of the workflow table."""

    action: ListingAction
    source: frozenset[ListingStatus]
    target: ListingStatus | None  # None: the status stays (a statement recorded)
    roles: frozenset[Role]
    event: str


TRANSITIONS: Mapping[ListingAction, Move] = {
    move.action: move
    for move in (
        Move(A.NOTIFY, frozenset({S.CANDIDATE}), S.NOTIFIED, REGULATORS, "BlacklistPartyNotified"),
        # the party states its case (陈述、申辩), or a regulator records a written statement it received
        Move(A.RESPOND, frozenset({S.NOTIFIED}), None, PARTY, "BlacklistStatementRecorded"),
        Move(A.CONFIRM, frozenset({S.NOTIFIED}), S.CONFIRMED, REGULATORS, "BlacklistListingConfirmed"),
        Move(A.DISMISS, frozenset({S.CANDIDATE, S.NOTIFIED}), S.DISMISSED, REGULATORS, "BlacklistCandidateDismissed"),
        Move(A.REMOVE_EARLY, frozenset({S.CONFIRMED}), S.REMOVED_EARLY, REGULATORS, "BlacklistRemovedEarly"),
        # an early removal obtained by hiding facts is revoked: the listing stands again until its original expiry
        Move(A.REINSTATE, frozenset({S.REMOVED_EARLY}), S.CONFIRMED, REGULATORS, "BlacklistListingReinstated"),
        Move(A.EXPIRE, frozenset({S.CONFIRMED}), S.EXPIRED, SYSTEM, "BlacklistListingExpired"),
    )
}


@dataclass(frozen=True, slots=True)
class Listing:
    """The state of a listing that the rules read."""

    status: ListingStatus
    penalty_decided_on: date
    notified_on: date | None = None
    decided_on: date | None = None
    expires_on: date | None = None
    removed_on: date | None = None
    ended_on: date | None = None
    statement: str | None = None
    reason: str | None = None
    # The region code of the department that imposed the penalty: only its regulators act on the listing.
    authority_region_code: str | None = None


@dataclass(frozen=True, slots=True)
class ListingStep:
    """An action with what the actor gives: the date it took effect and a statement or reason."""

    action: ListingAction
    on: date
    text: str | None = None


def expiry_of(decided_on: date) -> date:
    """The first day a listing decided on that date no longer lists: 3 years on."""
    return add_months(decided_on, 12 * LISTING_YEARS)


def early_removal_from(decided_on: date) -> date:
    """The first day an early removal through credit repair may take effect: 12 months after the decision."""
    return add_months(decided_on, EARLY_REMOVAL_MONTHS)


def is_listed(listing: Listing, on: date) -> bool:
    """Listed on that day: confirmed (or reinstated) and inside its period, or removed/expired only after it."""
    if listing.decided_on is None or listing.expires_on is None or not listing.decided_on <= on < listing.expires_on:
        return False
    if listing.status == ListingStatus.CONFIRMED:
        return True
    return listing.status in (ListingStatus.REMOVED_EARLY, ListingStatus.EXPIRED) and (
        listing.ended_on is not None and on < listing.ended_on
    )


def region_code_of(region_path: str | None) -> str | None:
    """The code a materialised region path ends in ("/330900/330902/" → "330902")."""
    codes = [code for code in (region_path or "").split("/") if code]
    return codes[-1] if codes else None


def is_deciding_department(listing: Listing, actor: Actor) -> bool:
    """A regulator acts on a listing only as the department that imposed its penalty: the same region, not the city
    above it nor a town below it; the party and the system are judged by the table's roles alone."""
    if actor.role is not Role.REGULATOR:
        return True
    return (
        listing.authority_region_code is not None and region_code_of(actor.region_path) == listing.authority_region_code
    )


def check_authority(*, authority_path: str | None, enterprise_path: str, recorder: Actor) -> None:
    """The department named on a penalty has jurisdiction over the enterprise (its region holds the enterprise's) and is
    the recorder's own or one under it; an unknown region is refused the same way, so it tells nothing."""
    holds = authority_path is not None and enterprise_path.startswith(authority_path)
    if holds and recorder.role is Role.REGULATOR:
        holds = authority_path.startswith(recorder.region_path or "\0")  # type: ignore[union-attr]
    if not holds:
        raise AuthorityRegionInvalid(
            "the deciding department must be over the enterprise and within your region",
            field="authorityRegionCode",
            reason="not_a_deciding_region",
        )


def allowed_actions(listing: Listing, actor: Actor) -> list[str]:
    """The actions this actor may take on the listing now (the system's expiry is never offered): the table's roles
    and, for a regulator, being the deciding department."""
    if not is_deciding_department(listing, actor):
        return []
    return [
        str(m.action)
        for m in TRANSITIONS.values()
        if m.action != A.EXPIRE and listing.status in m.source and actor.role in m.roles
    ]


def _require_text(step: ListingStep, what: str) -> str:
    if not step.text or not step.text.strip():
        raise ListingInputInvalid(f"{step.action} needs {what}", field="text", reason="required")
    return step.text.strip()


def _not_before(day: date, earliest: date | None, what: str) -> None:
    if earliest is not None and day < earliest:
        raise ListingInputInvalid(f"the date cannot be before {what} ({earliest})", field="on", reason="too_early")


def advance(listing: Listing, step: ListingStep, actor: Actor, *, today: date) -> Listing:
    """The listing after the step, or an error saying why not; pure."""
    move = TRANSITIONS[step.action]
    if actor.role not in move.roles:
        raise Forbidden(f"a {actor.role} cannot {step.action} a listing", action=str(step.action))
    if not is_deciding_department(listing, actor):
        raise NotDecidingDepartment(
            "only the department that imposed the penalty acts on its listing",
            action=str(step.action),
            authorityRegionCode=listing.authority_region_code,
        )
    if listing.status not in move.source:
        raise ListingNotAllowed(
            f"cannot {step.action} a {listing.status} listing", status=str(listing.status), action=str(step.action)
        )
    if step.on > today:
        raise ListingInputInvalid("the date cannot be in the future", field="on", reason="future")
    status = move.target or listing.status
    match step.action:
        case A.NOTIFY:
            _not_before(step.on, listing.penalty_decided_on, "the penalty decision")
            return _replace(listing, status=status, notified_on=step.on)
        case A.RESPOND:
            return _replace(listing, statement=_require_text(step, "the statement"))
        case A.CONFIRM:
            _not_before(step.on, listing.notified_on, "the notice")
            return _replace(listing, status=status, decided_on=step.on, expires_on=expiry_of(step.on), reason=step.text)
        case A.DISMISS:
            return _replace(listing, status=status, ended_on=step.on, reason=_require_text(step, "a reason"))
        case A.REMOVE_EARLY:
            assert listing.decided_on is not None
            _not_before(step.on, early_removal_from(listing.decided_on), "12 months after the listing decision")
            if listing.expires_on is not None and step.on >= listing.expires_on:
                raise ListingNotAllowed(
                    "the listing has already run its term", status=str(listing.status), action=str(step.action)
                )
            return _replace(
                listing,
                status=status,
                removed_on=step.on,
                ended_on=step.on,
                reason=_require_text(step, "the credit repair it rests on"),
            )
        case A.REINSTATE:
            _not_before(step.on, listing.removed_on, "the early removal")
            return _replace(
                listing,
                status=status,
                removed_on=None,
                ended_on=None,
                reason=_require_text(step, "the facts that were hidden"),
            )
        case A.EXPIRE:
            assert listing.expires_on is not None
            if step.on < listing.expires_on:
                raise ListingNotAllowed(
                    "the listing has not run its term", status=str(listing.status), action=str(step.action)
                )
            return _replace(listing, status=status, ended_on=listing.expires_on)
    raise ListingNotAllowed(f"unknown action {step.action}")  # pragma: no cover - the enum is closed


def _replace(listing: Listing, **changes: object) -> Listing:
    fields = {name: getattr(listing, name) for name in Listing.__dataclass_fields__} | changes
    return Listing(**fields)  # type: ignore[arg-type]


def due_to_expire(listing: Listing, today: date) -> bool:
    """Whether the expiry job lifts this listing today: confirmed and its 3 years ended by today."""
    return listing.status == ListingStatus.CONFIRMED and listing.expires_on is not None and listing.expires_on <= today


# --- the local credit grade ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GradeInput:
    """What a grading scheme reads of one enterprise on one day."""

    record: Record
    listed: bool
    overdue_major_hazards: int = 0


@dataclass(frozen=True, slots=True)
class GradeResult:
    """A computed grade with its points and the reasons, under a named scheme version."""

    grade: str
    points: int
    basis: tuple[str, ...]
    scheme_version: str


class CreditScheme(Protocol):
    """A local grading scheme: places differ, so the grade is pluggable; each result names the scheme's version."""

    version: str

    def grade(self, facts: GradeInput, on: date) -> GradeResult:
        """The grade of the enterprise on that day."""
        ...


@dataclass(frozen=True, slots=True)
class PointsScheme:
    """Deduct points from 100 and cut the total into A–D; a current listing is D whatever the points.

    Rules of version `points-2026.1` (each a deduction, summed, floored at 0):
    * a penalty decided in the last 24 months: 5 (warning), 10 (fine, confiscation, other), 20 (suspension),
      30 (licence revoked, closure); 10 more when it was refused;
    * an accident in the last 24 months: 10 (一般), 25 (较大), 40 (重大, 特别重大); 15 more when it was concealed or
      misreported, 15 more when the principal fled or failed to organise rescue;
    * an overdue major hazard open today: 10 each, at most 30;
    * grade: A from 90, B from 75, C from 60, else D; listed on the serious-dishonesty list: D.
    """

    version: str = "points-2026.1"
    window_months: int = 24
    penalty_points: Mapping[PenaltyKind, int] = field(
        default_factory=lambda: {
            PenaltyKind.WARNING: 5,
            PenaltyKind.FINE: 10,
            PenaltyKind.CONFISCATION: 10,
            PenaltyKind.OTHER: 10,
            PenaltyKind.SUSPENSION: 20,
            PenaltyKind.LICENCE_REVOKED: 30,
            PenaltyKind.CLOSURE: 30,
        }
    )
    refused_points: int = 10
    accident_points: Mapping[AccidentGrade, int] = field(
        default_factory=lambda: {
            AccidentGrade.GENERAL: 10,
            AccidentGrade.LARGE: 25,
            AccidentGrade.MAJOR: 40,
            AccidentGrade.ESPECIALLY_MAJOR: 40,
        }
    )
    concealed_points: int = 15
    fled_points: int = 15
    overdue_major_points: int = 10
    overdue_major_cap: int = 30
    cuts: tuple[tuple[int, str], ...] = ((90, "A"), (75, "B"), (60, "C"))

    def grade(self, facts: GradeInput, on: date) -> GradeResult:
        """Points and grade on that day, with one reason per deduction."""
        since = add_months(on, -self.window_months)
        reasons: list[tuple[int, str]] = []
        for penalty in facts.record.penalties:
            if since < penalty.decided_on <= on:
                reasons.append((self.penalty_points[penalty.kind], f"penalty {penalty.kind} on {penalty.decided_on}"))
                if penalty.execution == Execution.REFUSED:
                    reasons.append((self.refused_points, f"penalty of {penalty.decided_on} refused"))
        for accident in facts.record.accidents:
            if since < accident.occurred_on <= on:
                reasons.append(
                    (self.accident_points[accident.grade], f"{accident.grade} accident on {accident.occurred_on}")
                )
                if accident.concealed:
                    reasons.append((self.concealed_points, f"accident of {accident.occurred_on} concealed"))
                if accident.principal_fled:
                    reasons.append((self.fled_points, f"principal fled the accident of {accident.occurred_on}"))
        if facts.overdue_major_hazards:
            deduction = min(self.overdue_major_points * facts.overdue_major_hazards, self.overdue_major_cap)
            reasons.append((deduction, f"{facts.overdue_major_hazards} overdue major hazards"))
        points = max(0, 100 - sum(points for points, _ in reasons))
        grade = next((letter for floor, letter in self.cuts if points >= floor), "D")
        basis = [f"-{deduction} {reason}" for deduction, reason in reasons]
        if facts.listed:
            grade = "D"
            basis.append("listed on the serious-dishonesty list")
        return GradeResult(grade=grade, points=points, basis=tuple(basis), scheme_version=self.version)


DEFAULT_SCHEME: CreditScheme = PointsScheme()


# ---------------------------------------------------------------------------------------------- replay (verify)

_LOCAL_TIME = ZoneInfo("Asia/Shanghai")  # the day a step was taken on, as the services judged it
_LISTING_COLUMNS = (
    "status",
    "notified_on",
    "decided_on",
    "expires_on",
    "removed_on",
    "ended_on",
    "statement",
    "reason",
)


def derive_listings(events: Sequence[Event]) -> dict[str, dict[str, Any]]:
    """The blacklist listings an enterprise's credit chain describes, keyed by listing id: each made by a computed
    candidate and moved by its steps through `advance` (the same table and date rules, on the day of the event), with
    the seq and hash of the last event about it. The chain does not hold the actor's region, so a step's department is
    taken as the penalty's own (the authority was checked when the step was taken)."""
    penalties: dict[str, dict[str, Any]] = {}
    listings: dict[str, tuple[Listing, dict[str, Any]]] = {}
    for event in events:
        try:
            p = event.payload
            if event.action == "recordPenalty":
                penalties[p["penalty_id"]] = p
            elif event.action == "computeCandidate":
                if p["listing_id"] in listings:
                    listing, row = listings[p["listing_id"]]
                    row = row | {"version": row["version"] + 1}  # the basis of a pending candidate refreshed
                else:
                    penalty = penalties[p["penalty_ids"][0]]
                    authority = penalty.get("authority_region_code")
                    extra = (
                        {"authority_region_code": authority}
                        if "authority_region_code" in Listing.__dataclass_fields__
                        else {}
                    )
                    listing = Listing(
                        status=ListingStatus.CANDIDATE,
                        penalty_decided_on=date.fromisoformat(penalty["decided_on"]),
                        **extra,
                    )
                    row = {"penalty_id": penalty["penalty_id"], "version": 1, "authority": authority}
                listings[p["listing_id"]] = (listing, row | bound(event))
            elif event.action in {str(action) for action in ListingAction}:
                listing, row = listings[p["listing_id"]]
                step = ListingStep(ListingAction(event.action), date.fromisoformat(p["on"]), p.get("text"))
                region = f"/{row['authority']}/" if row["authority"] else None
                actor = Actor(user_id=event.actor_id, role=Role(event.role), region_path=region)
                listing = advance(listing, step, actor, today=event.at.astimezone(_LOCAL_TIME).date())
                if (p.get("to_status"), p.get("version")) != (str(listing.status), row["version"] + 1):
                    raise ValueError(
                        f"the event says {p.get('to_status')} v{p.get('version')}, the rules give {listing.status}"
                    )
                listings[p["listing_id"]] = (listing, row | {"version": row["version"] + 1} | bound(event))
        except Exception as error:
            raise replay_error(event, error) from None
    return {
        listing_id: {name: getattr(listing, name) for name in _LISTING_COLUMNS}
        | {key: value for key, value in row.items() if key != "authority"}
        for listing_id, (listing, row) in listings.items()
    }
