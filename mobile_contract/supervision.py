"""Wire types of 分级分类监管: an enterprise's supervision class, its reasons and the on-site visits it owes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from mobile_contract.base import WireOut

SupervisionClassCode = Literal["A", "B", "C", "D"]  # A 重点监管, B 较重点监管, C 一般监管, D 低风险


class ClassReason(WireOut):
    """A rule of the rules edition that fired: the factor (stable code and Chinese name), the value it read, the
    rule's text, the points it added and the least class it set (一票否决)."""

    factor: str
    name: str
    value: str
    rule: str
    points: int
    at_least: SupervisionClassCode | None = None


class ClassVisits(WireOut):
    """On-site inspections the class owes in its period (calendar years ending this year: one, or two for D), how
    many are owed by today (⌊owed × days elapsed ÷ days of the period⌋), how many were done, and whether behind."""

    period_start: date
    period_end: date
    per_year: str  # "4", "2", "1", "0.5"
    owed: int
    owed_to_date: int
    done: int
    behind: bool


class SupervisionClassStatus(WireOut):
    """`GET /v1/enterprises/{id}/supervision-class` and an item of `GET /v1/supervision/classes`."""

    enterprise_id: str
    enterprise_name: str
    region_code: str
    supervision_class: SupervisionClassCode
    label: str
    edition: str
    points: int
    reasons: list[ClassReason]
    visits: ClassVisits
    computed_at: datetime
    class_since: datetime
    version: int


class SupervisionClassPage(WireOut):
    """`GET /v1/supervision/classes`."""

    items: list[SupervisionClassStatus]
    next_cursor: str | None = None
