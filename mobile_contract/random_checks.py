"""Wire types of 双随机一公开: random-check plans, the commit–reveal draw, results, and the public view."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from msgspec import Meta

from mobile_contract.base import Id, ShortText, Wire, WireOut
from mobile_contract.orgs import Industry

SupervisionClass = Literal["A", "B", "C", "D"]
PlanStatus = Literal["draft", "approved", "drawn", "closed"]
RegionCode = Annotated[str, Meta(pattern=r"^[0-9]{6}([0-9]{3})?$")]
Rate = Decimal  # from 0 to 1 (checked by the domain: 422 RANDOM_CHECK_PLAN_INVALID)


class RandomCheckPlanCreate(Wire, kw_only=True):
    """`POST /v1/random-checks`: a draft plan. `rates` per class (e.g. {"A": 1, "B": 0.5, "C": 0.2, "D": 0.05});
    `officerIds` the pool (regulators and inspectors within the region, at least two); enterprises inspected or
    penalised within `exclusionMonths` months are left out (0: none)."""

    name: ShortText
    year: Annotated[int, Meta(ge=2000, le=2100)]
    period: Annotated[str, Meta(max_length=100)] = ""
    region_code: RegionCode
    industries: Annotated[list[Industry], Meta(max_length=40)] = []
    classes: Annotated[list[SupervisionClass], Meta(max_length=4)] = []
    rates: dict[SupervisionClass, Rate]
    exclusion_months: Annotated[int, Meta(ge=0, le=36)] = 0
    officer_ids: Annotated[list[Id], Meta(min_length=2, max_length=200)]


class RandomCheckResultCreate(Wire, kw_only=True):
    """`PUT /v1/random-checks/{id}/results/{enterpriseId}` (If-Match: the pick's version): the check's result."""

    inspected_on: datetime.date
    findings: Annotated[str, Meta(min_length=1, max_length=4000)]
    hazard_ids: Annotated[list[Id], Meta(max_length=100)] = []
    penalty_ids: Annotated[list[Id], Meta(max_length=100)] = []


class RandomCheckOfficer(WireOut):
    """An enforcement officer as published (no contact details)."""

    id: str
    name: str
    role: str


class RandomCheckResult(WireOut):
    """A recorded result."""

    inspected_on: datetime.date
    findings: str
    hazard_ids: list[str]
    penalty_ids: list[str]
    recorded_by: str
    recorded_at: datetime.datetime


class RandomCheckPick(WireOut):
    """A picked enterprise, its two drawn officers, its result (null until recorded) and its version (If-Match)."""

    enterprise_id: str
    enterprise_name: str
    class_code: str
    officers: list[RandomCheckOfficer]
    result: RandomCheckResult | None
    version: int


class RandomCheckPlan(WireOut):
    """A plan. `seedHash` is published at approval; `seed`, `pools` (the frozen enterprise and officer pools, as the
    draw used them: enterprises with `classCode`, `gridId`, `lastOfficerIds`; officers with `gridIds`; and the
    excluded) and the picks once drawn, so anyone can recompute the draw (algorithm `sf-random-check-v1`)."""

    id: str
    name: str
    year: int
    period: str
    region_code: str
    region_name: str
    industries: list[str]
    classes: list[str]
    rates: dict[str, str]
    exclusion_months: int
    status: PlanStatus
    officer_count: int
    algorithm: str
    created_by: str
    created_at: datetime.datetime
    approved_by: str | None
    approved_at: datetime.datetime | None
    seed_hash: str | None
    seed: str | None
    drawn_by: str | None
    drawn_at: datetime.datetime | None
    closed_by: str | None
    closed_at: datetime.datetime | None
    version: int
    officers: list[RandomCheckOfficer]
    pools: dict[str, Any] | None
    picks: list[RandomCheckPick]
