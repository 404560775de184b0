"""Wire types of credit: penalties, accidents, serious-dishonesty listings (the blacklist) and the credit grade."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from msgspec import Meta

from mobile_contract.base import Id, ShortText, Wire, WireOut

PenaltyKind = Literal["warning", "fine", "confiscation", "suspension", "licence_revoked", "closure", "other"]
Violation = Literal[
    "accident",
    "accident_aggravated",
    "unlicensed",
    "licence_suspended",
    "false_report",
    "serious_violation",
    "other",
]
Execution = Literal["pending", "executed", "refused"]
AccidentGrade = Literal["general", "large", "major", "especially_major"]  # 一般 / 较大 / 重大 / 特别重大
ListingStatus = Literal["candidate", "notified", "confirmed", "dismissed", "removed_early", "expired"]
Facts = Annotated[str, Meta(max_length=4000)]
Statement = Annotated[str, Meta(min_length=1, max_length=4000)]
People = Annotated[int, Meta(ge=0, le=100000)]


class PenaltyCreate(Wire, kw_only=True):
    """`POST /v1/enterprises/{id}/penalties`: an administrative penalty (行政处罚决定); `accidentId` when it was for an
    accident (`violation` accident or accident_aggravated); `authorityRegionCode` the deciding department's region."""

    decision_no: ShortText
    decided_on: datetime.date
    authority: ShortText
    kind: PenaltyKind
    violation: Violation
    execution: Execution = "pending"
    facts: Facts = ""
    amount: Decimal | None = None
    accident_id: Id | None = None
    # the region of the department that imposed the penalty (default: the recording regulator's own); only its
    # regulators decide the listing that follows
    authority_region_code: Annotated[str, Meta(pattern=r"^[0-9]{6}([0-9]{3})?$")] | None = None


class Penalty(WireOut):
    """A recorded penalty."""

    id: str
    enterprise_id: str
    decision_no: str
    decided_on: datetime.date
    authority: str
    kind: str
    violation: str
    execution: str
    facts: str
    amount: Decimal | None
    accident_id: str | None
    recorded_by: str
    created_at: datetime.datetime
    authority_region_code: str | None = None


class AccidentCreate(Wire, kw_only=True):
    """`POST /v1/enterprises/{id}/accidents`: a production-safety accident."""

    occurred_on: datetime.date
    grade: AccidentGrade
    deaths: People = 0
    injuries: People = 0
    concealed: bool = False  # 瞒报、谎报
    principal_fled: bool = False  # 主要负责人不立即组织抢救或逃匿
    description: Facts = ""


class Accident(WireOut):
    """A recorded accident."""

    id: str
    enterprise_id: str
    occurred_on: datetime.date
    grade: str
    deaths: int
    injuries: int
    concealed: bool
    principal_fled: bool
    description: str
    recorded_by: str
    created_at: datetime.datetime


class Ground(WireOut):
    """A ground of a listing, citing 应急管理部令第11号."""

    code: str
    article: str
    text: str


class Listing(WireOut):
    """A serious-dishonesty listing with its basis (grounds, penalties, accidents) and the caller's actions."""

    id: str
    enterprise_id: str
    enterprise_name: str
    credit_code: str
    region_code: str
    penalty_id: str
    decision_no: str
    status: ListingStatus
    grounds: list[Ground]
    penalty_ids: list[str]
    accident_ids: list[str]
    listed: bool
    version: int
    allowed_actions: list[str]
    updated_at: datetime.datetime
    notified_on: datetime.date | None = None
    statement: str | None = None
    decided_on: datetime.date | None = None
    expires_on: datetime.date | None = None
    removed_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    reason: str | None = None
    authority_region_code: str | None = None  # the deciding department's region: only its regulators act


class ListingPage(WireOut):
    """Listings; the blacklist is short, so one page holds them all."""

    items: list[Listing]


class ListingNotify(Wire, kw_only=True):
    """`POST /v1/blacklist/{id}/notify`: the party was told (on that day, default today) and may state its case."""

    on: datetime.date | None = None


class ListingRespond(Wire, kw_only=True):
    """`POST /v1/blacklist/{id}/respond`: the party's statement (陈述、申辩)."""

    statement: Statement


class ListingConfirm(Wire, kw_only=True):
    """`POST /v1/blacklist/{id}/confirm`: the listing decision (default today); it lasts 3 years."""

    on: datetime.date | None = None
    note: Facts | None = None


class ListingReasoned(Wire, kw_only=True):
    """`POST /v1/blacklist/{id}/dismiss|remove-early|reinstate`: a dated step with its reason."""

    reason: Statement
    on: datetime.date | None = None


class Grade(WireOut):
    """A computed local credit grade with the scheme version and the reasons behind it."""

    grade: str
    points: int
    scheme_version: str
    basis: list[str]
    computed_on: datetime.date
    computed_at: datetime.datetime


class Credit(WireOut):
    """`GET /v1/enterprises/{id}/credit`: listed today or not, the listings and the grade."""

    enterprise_id: str
    listed: bool
    listings: list[Listing]
    grade: Grade | None = None
