"""Wire types of safety standardisation (grades, frozen scope lists, the compliance rate) and of the statutory
hazard statistics (frozen snapshots and the principal's signature)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta

from mobile_contract.base import ShortText, Wire, WireOut
from mobile_contract.orgs import Industry

Grade = Literal["first", "second", "third"]  # 一级 / 二级 / 三级
GradeStatus = Literal["pending", "valid", "expired", "revoked"]
RatePart = Literal["numerator", "denominator"]
RegionCode = Annotated[str, Meta(pattern=r"^[0-9]{6}([0-9]{3})?$")]
Reason = Annotated[str, Meta(min_length=1, max_length=1000)]


class GradeCreate(Wire, kw_only=True):
    """`POST /v1/enterprises/{id}/standardisation`: a grade awarded; `validTo` defaults to three years less a day."""

    grade: Grade
    certificate_no: ShortText
    authority: ShortText
    valid_from: datetime.date
    valid_to: datetime.date | None = None


class GradeRevoke(Wire, kw_only=True):
    """`POST /v1/enterprises/{id}/standardisation/{gradeId}/revoke`: the day the revocation takes effect, and why."""

    revoked_on: datetime.date
    reason: Reason


class StandardisationGrade(WireOut):
    """A grade with its status on the day it was read for."""

    id: str
    enterprise_id: str
    grade: str
    certificate_no: str
    authority: str
    valid_from: datetime.date
    valid_to: datetime.date
    revoked_on: datetime.date | None
    revocation_reason: str | None
    status: str
    recorded_by: str
    revoked_by: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class EnterpriseStandardisation(WireOut):
    """`GET /v1/enterprises/{id}/standardisation`: every grade, newest first, and the best one valid on `on`."""

    enterprise_id: str
    on: datetime.date
    current: StandardisationGrade | None
    grades: list[StandardisationGrade]


class ScopeCreate(Wire, kw_only=True):
    """`POST /v1/stats/standardisation/scopes`: freeze the enterprises of a region meeting the criteria on `asOf`
    (a criterion left out is not applied) into a list of rows."""

    name: ShortText
    as_of: datetime.date
    region_code: RegionCode
    industries: Annotated[list[Industry], Meta(max_length=40)] = []
    above_designated_size: bool | None = None
    high_risk: bool | None = None
    operating_only: bool = True


class Scope(WireOut):
    """A frozen scope list (its members are listed through the rate's member endpoint)."""

    id: str
    name: str
    as_of: datetime.date
    region_code: str
    criteria: dict[str, Any]
    member_count: int
    created_by: str
    created_at: datetime.datetime


class RateLinks(WireOut):
    """Where the enterprises behind each side of a figure are listed."""

    numerator: str
    denominator: str


class StandardisationRate(WireOut):
    """`GET /v1/stats/standardisation`: members with a grade valid on `date` ÷ members of the frozen list (narrowed to
    `regionCode`); `rate` is a decimal string to four places, null for an empty list."""

    scope_id: str
    scope_name: str
    as_of: datetime.date
    region_code: str
    date: datetime.date
    numerator: int
    denominator: int
    rate: str | None
    links: RateLinks


class ScopeMember(WireOut):
    """A member of a frozen list, with the best grade it held on the day (null: none valid)."""

    enterprise_id: str
    enterprise_name: str
    credit_code: str
    industry: str
    region_code: str
    grade: str | None


class ScopeMemberPage(WireOut):
    """A page of members behind a figure."""

    scope_id: str
    date: datetime.date
    part: str
    items: list[ScopeMember]
    next_cursor: str | None


class StatisticsSnapshot(WireOut):
    """A frozen quarterly or annual hazard statistics snapshot: `figures` and their SHA-256 (of the canonical
    encoding), and the principal's signature once given."""

    id: str
    enterprise_id: str
    period_key: str
    period_kind: str
    period_start: datetime.date
    period_end: datetime.date
    due_on: datetime.date
    figures: dict[str, Any]
    figures_sha256: str
    frozen_at: datetime.datetime
    signed: bool
    signed_at: datetime.datetime | None
    signed_by: str | None
