"""Wire types of risk points, assessments, checklists, codes and the scan card."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from msgspec import UNSET, Meta, UnsetType

from mobile_contract.base import Latitude, Longitude, ShortText, Wire, WireOut

Level = Literal["major", "large", "general", "low"]
Colour = Literal["red", "orange", "yellow", "blue"]
ControlLevel = Literal["company", "department", "workshop", "team", "post"]
PointKind = Literal["place", "device", "activity"]
MeasureType = Literal["engineering", "management", "training", "ppe", "emergency"]
CycleUnit = Literal["hour", "day", "week", "month", "quarter", "year"]
Fraction = Annotated[float, Meta(ge=0, le=1)]
Item = Annotated[str, Meta(min_length=1, max_length=500)]
Items = Annotated[list[Item], Meta(max_length=40)]
Phone = Annotated[str, Meta(max_length=32)]
# The largest distance, in metres, a scan may be from a point and prove presence (null: the policy's 100 m).
PresenceRadius = Annotated[int, Meta(ge=10, le=5000)]


class ControlMeasure(Wire):
    """A control measure of a risk point and the level that carries it out."""

    type: MeasureType
    content: Item
    control_level: ControlLevel | None = None


class QrCode(WireOut):
    """A printed code: the token and the content of the QR (`url`)."""

    token: str
    url: str


class RiskPointCreate(Wire):
    """`POST /v1/enterprises/{id}/risk-points`."""

    kind: PointKind
    name: ShortText
    area: Annotated[str, Meta(max_length=100)] = ""
    lat: Latitude | None = None
    lng: Longitude | None = None
    plan_x: Fraction | None = None
    plan_y: Fraction | None = None
    presence_radius_m: PresenceRadius | None = None
    responsible_post: Annotated[str, Meta(max_length=100)] = ""
    responsible_person: Annotated[str, Meta(max_length=100)] = ""
    hazard_sources: Items = []
    control_measures: Annotated[list[ControlMeasure], Meta(max_length=40)] = []
    emergency_measures: Items = []
    emergency_phone: Phone = ""


class RiskPointUpdate(Wire):
    """`PATCH /v1/risk-points/{id}`: only the fields sent change."""

    kind: PointKind | UnsetType = UNSET
    name: ShortText | UnsetType = UNSET
    area: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    lat: Latitude | UnsetType | None = UNSET
    lng: Longitude | UnsetType | None = UNSET
    plan_x: Fraction | UnsetType | None = UNSET
    plan_y: Fraction | UnsetType | None = UNSET
    presence_radius_m: PresenceRadius | UnsetType | None = UNSET
    responsible_post: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    responsible_person: Annotated[str, Meta(max_length=100)] | UnsetType = UNSET
    hazard_sources: Items | UnsetType = UNSET
    control_measures: Annotated[list[ControlMeasure], Meta(max_length=40)] | UnsetType = UNSET
    emergency_measures: Items | UnsetType = UNSET
    emergency_phone: Phone | UnsetType = UNSET


class RiskPoint(WireOut):
    """A risk point; `level`, `color` and `controlLevel` come from its latest assessment (null before one)."""

    id: str
    enterprise_id: str
    kind: PointKind
    name: str
    area: str
    responsible_post: str
    responsible_person: str
    hazard_sources: list[str]
    control_measures: list[dict]
    emergency_measures: list[str]
    emergency_phone: str
    version: int
    updated_at: datetime
    level: Level | None = None
    color: Colour | None = None
    control_level: ControlLevel | None = None
    assessed_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    plan_x: float | None = None
    plan_y: float | None = None
    qr: QrCode | None = None
    presence_radius_m: float | None = None


class RiskPointPage(WireOut):
    """`GET /v1/enterprises/{id}/risk-points`."""

    items: list[RiskPoint]
    next_cursor: str | None = None


# Factors travel as JSON numbers or decimal strings; they become Decimal, so 0.1 stays exact.
Factor = Decimal  # checked against the scheme's table by the domain


class LecAssessment(Wire, tag_field="method", tag="LEC"):
    """`{method: "LEC", l, e, c}`: D = L × E × C."""

    l: Factor  # noqa: E741 — the method's own letter
    e: Factor
    c: Factor
    scheme_id: Annotated[str, Meta(max_length=40)] | None = None


class LsAssessment(Wire, tag_field="method", tag="LS"):
    """`{method: "LS", l, s}`: R = L × S on the risk matrix."""

    l: Factor  # noqa: E741 — the method's own letter
    s: Factor
    scheme_id: Annotated[str, Meta(max_length=40)] | None = None


AssessmentRequest = LecAssessment | LsAssessment


class Assessment(WireOut):
    """A kept assessment: raw factors, scheme version and the exact score (a decimal string)."""

    id: str
    risk_point_id: str
    method: Literal["LEC", "LS"]
    scheme_id: str
    scheme_version: int
    factors: dict[str, str]
    score: str
    level: Level
    color: Colour
    control_level: ControlLevel
    controlled_at: list[ControlLevel]
    assessed_by: str
    assessed_at: datetime


class ChecklistItemCreate(Wire):
    """`POST /v1/risk-points/{id}/checklist`."""

    content: Item
    cycle_n: Annotated[int, Meta(ge=1, le=1000)]
    cycle_unit: CycleUnit
    basis: Annotated[str, Meta(max_length=300)] = ""
    responsible_post: Annotated[str, Meta(max_length=100)] = ""
    criterion_id: Annotated[str, Meta(max_length=40)] | None = None


class Cycle(WireOut):
    """An inspection cycle: every `n` `unit`s."""

    n: int
    unit: CycleUnit


class ChecklistItem(WireOut):
    """An item of a risk point's checklist (排查清单)."""

    id: str
    content: str
    basis: str
    cycle: Cycle
    responsible_post: str = ""
    criterion_id: str | None = None


class Criterion(WireOut):
    """An item of a 重大事故隐患判定标准, with the industries it applies to and when its edition is in force."""

    id: str
    standard: str
    edition: str
    item_no: str
    text: str
    industry: str  # the group the item was first filed under; `industries` is what it applies to
    edition_id: str = ""
    industries: list[str] = []
    verbatim: bool = True  # False: a faithful paraphrase, not the regulation's own wording
    effective_from: date | None = None
    effective_until: date | None = None  # the day its successor edition took effect, if superseded


class OpenHazard(WireOut):
    """A hazard still open at the scanned point (or, on the enterprise card, anywhere in the enterprise)."""

    id: str
    title: str
    level: str
    status: str
    deadline: datetime | None = None


class DueTaskItem(WireOut):
    """A checklist item of the scanned point due now, with its own task and window."""

    task_id: str
    item_id: str
    content: str
    window_start: datetime
    window_end: datetime


class DueTask(WireOut):
    """The caller's work at the scanned point now: the task closing soonest (`id`, window) and every item due.

    `mine`: these are the caller's own (their items' posts are ones the caller holds); false when none due here is
    the caller's, and the point's due items are shown for whoever does them.
    """

    id: str
    window_start: datetime
    window_end: datetime
    items: list[DueTaskItem]
    mine: bool = False


class ScanRiskPoint(WireOut):
    """The risk point part of a scan card."""

    id: str
    name: str
    enterprise_id: str
    enterprise_name: str
    hazard_sources: list[str]
    control_measures: list[dict]
    emergency_measures: list[str]
    emergency_phone: str
    area: str = ""
    level: Level | None = None
    color: Colour | None = None
    control_level: ControlLevel | None = None


class ScanEnterprise(WireOut):
    """The enterprise part of a scan card."""

    id: str
    name: str
    industry: str
    safety_code_color: Colour
    address: str = ""
    status: str = "operating"
    # The dynamic code's scheme version and when its colour was computed (GET /v1/enterprises/{id}/safety-code has why).
    safety_code_scheme_version: int | None = None
    safety_code_computed_at: datetime | None = None


class ScanCard(WireOut):
    """`GET /v1/scan/{token}`: the card of whatever the code names, and the proof-of-presence `scanId`."""

    kind: Literal["riskPoint", "enterprise"]
    scan_id: str
    open_hazards: list[OpenHazard]
    risk_point: ScanRiskPoint | None = None
    enterprise: ScanEnterprise | None = None
    checklist: list[ChecklistItem] | None = None
    due_task: DueTask | None = None
    distance_m: float | None = None
    # A risk point's: the radius within which this scan proves presence at an inspection (its own, else 100 m).
    presence_radius_m: float | None = None


class SitePlan(WireOut):
    """`PUT /v1/enterprises/{id}/site-plan`."""

    sha256: str
    width: int
    height: int
    uploaded_at: datetime
