"""分级分类监管: the supervision class of an enterprise, from a versioned rules table, and the on-site visits it owes.

The plan classifies enterprises "按照企业隶属关系、规模、固有安全风险程度、安全生产信用等级、是否为许可对象等综合考虑"
and supervises them by class. The rules are data: `EDITION` ("ZS-2026-1") is a tuple of `Rule`s, each reading one
factor of `ClassInputs`; a rule adds points and/or sets the least class the enterprise can have (一票否决). The class
is the stricter of the points' band and every least class; the reasons list every rule that fired (value, rule text,
points or effect) plus the band. A rule that reads a factor and adds nothing is still listed when the factor is
present, so every class has its reasons.

| factor code        | 因素                  | rule (ZS-2026-1)                                                           | points / effect    |
|--------------------|-----------------------|----------------------------------------------------------------------------|--------------------|
| AFFILIATION        | 隶属关系（监管部门）  | 属地：应急管理部门直接监管（supervising department ends in 应急管理局）      | +10                |
|                    |                       | 行业主管部门监管（交通运输、海洋与渔业 …）: that department leads daily checks | 0                  |
| SIZE               | 规模                  | 规模以上                                                                   | +10                |
| LICENSED           | 安全生产许可对象      | industry in LICENSED_INDUSTRIES (below)                                    | +20                |
| MAJOR_RISK_POINTS  | 固有风险·重大风险点   | any active point graded 重大 (red)                                          | +25                |
| LARGE_RISK_POINTS  | 固有风险·较大风险点   | active points graded 较大 (orange)                                          | +5 each, at most 15|
| CREDIT_GRADE       | 信用等级              | C / D                                                                      | +10 / +20          |
| CREDIT_LISTED      | 严重失信主体名单      | listed today                                                               | at least A         |
| SAFETY_CODE        | 企业安全码颜色        | red / orange / yellow / blue                                               | +20 / +10 / +5 / 0 |
| OPEN_MAJOR_HAZARDS | 未销号重大事故隐患    | any (confirmed major, not closed, voided or written off)                   | at least A         |

Bands (CLASS_BANDS): 60 and up A 重点监管; 35–59 B 较重点监管; 15–34 C 一般监管; below 15 D 低风险.

Licensed (安全生产许可对象): the enterprises that need a 安全生产许可证 under 安全生产许可证条例 第二条 (矿山, 建筑施工,
危险化学品 and 烟花爆竹 production: `mining`, `construction`, `hazardous_chemicals`, `fireworks`) or a 危险化学品经营
许可证 for storage and trade under 危险化学品安全管理条例 第三十三条 (`oil_storage`). Derived from the industry alone:
the enterprise record carries no licence number yet.

Visits (`VISIT_QUOTAS`): A owes 4 on-site inspections a year (one a quarter), B 2 (one a half-year), C 1, D one every
two calendar years (counted over this year and the last). A visit is a Zhoushan calendar day on which a grid
inspector or a regulator inspected the enterprise on site (several points inspected on one day are one visit), or a
day another source (a 双随机 check) registered. Behind: fewer visits done in the period so far than owed so far, where
owed so far = ⌊owed in the period × days of the period elapsed (today included) ÷ days of the period⌋ — so A is behind
from 2 April without a visit, and D only on its period's last day. The class of today counts for the whole period.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from domain.history.chain import Event, bound, replay_error

EDITION = "ZS-2026-1"


class SupervisionClass(StrEnum):
    """The four classes, strictest first (other areas filter by these codes)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


CLASSES_STRICTEST_FIRST: tuple[SupervisionClass, ...] = tuple(SupervisionClass)
CLASS_LABELS_ZH: dict[SupervisionClass, str] = {
    SupervisionClass.A: "重点监管",
    SupervisionClass.B: "较重点监管",
    SupervisionClass.C: "一般监管",
    SupervisionClass.D: "低风险",
}
# (lowest points of the band, class), strictest first.
CLASS_BANDS: tuple[tuple[int, SupervisionClass], ...] = (
    (60, SupervisionClass.A),
    (35, SupervisionClass.B),
    (15, SupervisionClass.C),
    (0, SupervisionClass.D),
)


@dataclass(frozen=True, slots=True)
class VisitQuota:
    """On-site inspections a class is owed over a period of whole calendar years ending this year."""

    visits: int
    period_years: int

    @property
    def per_year(self) -> Fraction:
        """Visits a year (D: ½)."""
        return Fraction(self.visits, self.period_years)


VISIT_QUOTAS: dict[SupervisionClass, VisitQuota] = {
    SupervisionClass.A: VisitQuota(4, 1),
    SupervisionClass.B: VisitQuota(2, 1),
    SupervisionClass.C: VisitQuota(1, 1),
    SupervisionClass.D: VisitQuota(1, 2),
}

LICENSED_INDUSTRIES = frozenset({"hazardous_chemicals", "oil_storage", "mining", "fireworks", "construction"})
# A supervising department of this ending is the territorial emergency-management bureau (属地综合监管).
TERRITORIAL_DEPARTMENT_SUFFIX = "应急管理局"


@dataclass(frozen=True, slots=True)
class ClassInputs:
    """What the rules read of one enterprise at one moment."""

    supervising_department: str = ""
    above_designated_size: bool = False
    industry: str = "other"
    major_points: int = 0
    large_points: int = 0
    credit_grade: str | None = None
    credit_listed: bool = False
    safety_colour: str | None = None
    open_major_hazards: int = 0


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired: its stable factor code, the factor's Chinese name, the value read, the rule's text, and
    the points it added or the least class it set."""

    factor: str
    name: str
    value: str
    rule: str
    points: int = 0
    at_least: SupervisionClass | None = None

    def as_json(self) -> dict[str, Any]:
        """The stored (and hashed) form."""
        return {
            "factor": self.factor,
            "name": self.name,
            "value": self.value,
            "rule": self.rule,
            "points": self.points,
            "atLeast": self.at_least.value if self.at_least else None,
        }


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the rules table: a factor and the function that reads it (None when it does not fire)."""

    factor: str
    name: str
    read: Callable[[ClassInputs], Reason | None] = field(repr=False)


def _affiliation(i: ClassInputs) -> Reason:
    department = i.supervising_department or "未登记"
    if i.supervising_department.endswith(TERRITORIAL_DEPARTMENT_SUFFIX):
        return Reason("AFFILIATION", "隶属关系", department, "属地应急管理部门直接监管 +10", 10)
    return Reason("AFFILIATION", "隶属关系", department, "行业主管部门监管（由其牵头日常检查） +0", 0)


def _size(i: ClassInputs) -> Reason:
    if i.above_designated_size:
        return Reason("SIZE", "规模", "规模以上", "规模以上企业 +10", 10)
    return Reason("SIZE", "规模", "规模以下", "规模以下企业 +0", 0)


def _licensed(i: ClassInputs) -> Reason | None:
    if i.industry in LICENSED_INDUSTRIES:
        return Reason("LICENSED", "许可对象", i.industry, "安全生产（危险化学品经营）许可对象 +20", 20)
    return None


def _major_points(i: ClassInputs) -> Reason | None:
    if i.major_points:
        return Reason("MAJOR_RISK_POINTS", "固有风险", f"重大风险点 {i.major_points} 个", "有重大风险点 +25", 25)
    return None


def _large_points(i: ClassInputs) -> Reason | None:
    if i.large_points:
        points = min(15, 5 * i.large_points)
        return Reason(
            "LARGE_RISK_POINTS", "固有风险", f"较大风险点 {i.large_points} 个", "较大风险点每个 +5，至多 +15", points
        )
    return None


CREDIT_GRADE_POINTS = {"C": 10, "D": 20}


def _credit_grade(i: ClassInputs) -> Reason | None:
    if i.credit_grade is None:
        return None
    points = CREDIT_GRADE_POINTS.get(i.credit_grade, 0)
    return Reason("CREDIT_GRADE", "信用等级", i.credit_grade, "信用等级 C +10，D +20，A/B +0", points)


def _credit_listed(i: ClassInputs) -> Reason | None:
    if i.credit_listed:
        return Reason("CREDIT_LISTED", "失信名单", "列入严重失信主体名单", "名单期内至少 A 类", 0, SupervisionClass.A)
    return None


SAFETY_COLOUR_POINTS = {"red": 20, "orange": 10, "yellow": 5, "blue": 0}
SAFETY_COLOUR_NAMES = {"red": "红码", "orange": "橙码", "yellow": "黄码", "blue": "蓝码"}


def _safety_code(i: ClassInputs) -> Reason | None:
    if i.safety_colour is None:
        return None
    return Reason(
        "SAFETY_CODE",
        "企业安全码",
        SAFETY_COLOUR_NAMES.get(i.safety_colour, i.safety_colour),
        "红 +20，橙 +10，黄 +5，蓝 +0",
        SAFETY_COLOUR_POINTS.get(i.safety_colour, 0),
    )


def _open_major_hazards(i: ClassInputs) -> Reason | None:
    if i.open_major_hazards:
        return Reason(
            "OPEN_MAJOR_HAZARDS",
            "重大事故隐患",
            f"未销号 {i.open_major_hazards} 项",
            "有未销号重大事故隐患时至少 A 类",
            0,
            SupervisionClass.A,
        )
    return None


RULES: tuple[Rule, ...] = (
    Rule("AFFILIATION", "隶属关系", _affiliation),
    Rule("SIZE", "规模", _size),
    Rule("LICENSED", "许可对象", _licensed),
    Rule("MAJOR_RISK_POINTS", "固有风险", _major_points),
    Rule("LARGE_RISK_POINTS", "固有风险", _large_points),
    Rule("CREDIT_GRADE", "信用等级", _credit_grade),
    Rule("CREDIT_LISTED", "失信名单", _credit_listed),
    Rule("SAFETY_CODE", "企业安全码", _safety_code),
    Rule("OPEN_MAJOR_HAZARDS", "重大事故隐患", _open_major_hazards),
)


@dataclass(frozen=True, slots=True)
class RulesEdition:
    """A versioned rules table: its id, its rules and its bands."""

    edition: str
    rules: tuple[Rule, ...]
    bands: tuple[tuple[int, SupervisionClass], ...]


CURRENT_EDITION = RulesEdition(EDITION, RULES, CLASS_BANDS)


@dataclass(frozen=True, slots=True)
class ClassResult:
    """The class, its points and the reasons, under the edition that computed them."""

    supervision_class: SupervisionClass
    points: int
    reasons: tuple[Reason, ...]
    edition: str = EDITION


def stricter(a: SupervisionClass, b: SupervisionClass) -> SupervisionClass:
    """The stricter (closer to A) of two classes."""
    return a if CLASSES_STRICTEST_FIRST.index(a) <= CLASSES_STRICTEST_FIRST.index(b) else b


def band_of(points: int, bands: Sequence[tuple[int, SupervisionClass]] = CLASS_BANDS) -> SupervisionClass:
    """The class of a points total."""
    return next(cls for lowest, cls in bands if points >= lowest)


def classify(inputs: ClassInputs, edition: RulesEdition = CURRENT_EDITION) -> ClassResult:
    """The enterprise's class under the edition (the table in this module's docstring)."""
    fired = [reason for rule in edition.rules if (reason := rule.read(inputs)) is not None]
    total = sum(reason.points for reason in fired)
    result = band_of(total, edition.bands)
    for reason in fired:
        if reason.at_least is not None:
            result = stricter(result, reason.at_least)
    band = band_of(total, edition.bands)
    fired.append(Reason("POINTS_BAND", "分值", f"{total} 分", f"{band.value} 类分值段（A≥60，B≥35，C≥15）", 0, band))
    return ClassResult(supervision_class=result, points=total, reasons=tuple(fired), edition=edition.edition)


def reasons_text(reasons: Sequence[dict[str, Any]]) -> str:
    """The reasons as stored in the class row and compared by `verify`: canonical JSON (sorted keys, compact)."""
    return json.dumps(list(reasons), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- visits owed and done ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitStanding:
    """The on-site visits of a class's period: owed in all, owed by today, done, and whether they are behind."""

    period_start: date
    period_end: date
    owed: int
    owed_to_date: int
    done: int
    per_year: Fraction

    @property
    def behind(self) -> bool:
        """Fewer done than owed so far."""
        return self.done < self.owed_to_date


def visit_period(cls: SupervisionClass, today: date) -> tuple[date, date]:
    """The calendar years the class's quota counts over, ending with today's year."""
    years = VISIT_QUOTAS[cls].period_years
    return date(today.year - years + 1, 1, 1), date(today.year, 12, 31)


def visit_standing(
    cls: SupervisionClass, today: date, visit_days: Sequence[date], *, closed: bool = False
) -> VisitStanding:
    """The standing of a class's quota on `today` from the days visited (days outside the period are ignored). A
    closed enterprise is owed nothing."""
    quota = VISIT_QUOTAS[cls]
    start, end = visit_period(cls, today)
    done = len({day for day in visit_days if start <= day <= today})
    owed = 0 if closed else quota.visits
    elapsed, length = (today - start).days + 1, (end - start).days + 1
    return VisitStanding(start, end, owed, owed * elapsed // length, done, Fraction(owed, quota.period_years))


# ---------------------------------------------------------------------------------------------- replay (verify)


def derive_classes(events: Sequence[Event]) -> dict[str, dict]:
    """The class row an enterprise's class chain describes (one row, key ""): each event starts from the class the one
    before ended on; the row holds the last one's class, edition, reasons and version (its event count)."""
    current = None
    for event in events:
        try:
            if event.action != "reclassify" or event.payload["from"] != current:
                raise ValueError(f"a change from {event.payload.get('from')} follows the class {current}")
            current = SupervisionClass(event.payload["to"]).value
        except Exception as error:
            raise replay_error(event, error) from None
    last = events[-1]
    return {
        "": {
            "class_code": current,
            "edition": last.payload["edition"],
            "points": last.payload["points"],
            "reasons": reasons_text(last.payload["reasons"]),
            "version": len(events),
        }
        | bound(last)
    }
