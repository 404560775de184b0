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

    token: Annotated[str, Meta(description="The code's signed token, as `GET /v1/scan/{{token}}` takes it")]
    url: Annotated[str, Meta(description="What the QR encodes: the scan URL with the token")]


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

    id: Annotated[str, Meta(description="The risk point's id")]
    enterprise_id: Annotated[str, Meta(description="The enterprise it belongs to")]
    kind: Annotated[PointKind, Meta(description="What it is: a place, a device or an activity")]
    name: Annotated[str, Meta(description="Its name")]
    area: Annotated[str, Meta(description="The area or workshop it is in (empty: not given)")]
    responsible_post: Annotated[str, Meta(description="The post (岗位) answerable for it")]
    responsible_person: Annotated[str, Meta(description="The person answerable for it, by name")]
    hazard_sources: Annotated[list[str], Meta(description="The hazard sources (危险源) it holds")]
    control_measures: Annotated[
        list[dict], Meta(description="Its control measures: `{{type, content, controlLevel}}` as `ControlMeasure`")
    ]
    emergency_measures: Annotated[list[str], Meta(description="What to do in an emergency")]
    emergency_phone: Annotated[str, Meta(description="The phone number to call in an emergency (empty: none)")]
    version: Annotated[int, Meta(description="The record's version")]
    updated_at: Annotated[datetime, Meta(description="When it last changed, RFC 3339 UTC")]
    level: Annotated[Level | None, Meta(description="The risk level of its latest assessment (null: not assessed)")] = (
        None
    )
    color: Annotated[
        Colour | None,
        Meta(
            description="The colour of that level: red major, orange large, yellow general, blue low (null: not assessed)"
        ),
    ] = None
    control_level: Annotated[
        ControlLevel | None,
        Meta(description="The level that controls it, from company down to post (null: not assessed)"),
    ] = None
    assessed_at: Annotated[
        datetime | None, Meta(description="When it was last assessed, RFC 3339 UTC (null: never)")
    ] = None
    lat: Annotated[float | None, Meta(description="WGS 84 latitude in degrees (null: not placed)")] = None
    lng: Annotated[float | None, Meta(description="WGS 84 longitude in degrees (null: not placed)")] = None
    plan_x: Annotated[
        float | None, Meta(description="Its place on the site plan, 0 (left) to 1 (right) (null: not placed)")
    ] = None
    plan_y: Annotated[
        float | None, Meta(description="Its place on the site plan, 0 (top) to 1 (bottom) (null: not placed)")
    ] = None
    qr: Annotated[QrCode | None, Meta(description="Its printed code (null: none issued)")] = None
    presence_radius_m: Annotated[
        float | None,
        Meta(description="Metres within which a scan of its code proves presence (null: the policy's 100 m)"),
    ] = None


class RiskPointPage(WireOut):
    """`GET /v1/enterprises/{id}/risk-points`."""

    items: Annotated[list[RiskPoint], Meta(description="The risk points of this page")]
    next_cursor: Annotated[
        str | None, Meta(description="Send as `cursor` for the next page (null: this is the last page)")
    ] = None


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

    id: Annotated[str, Meta(description="The item's id, as results name it (`itemId`)")]
    content: Annotated[str, Meta(description="What to check")]
    basis: Annotated[str, Meta(description="The rule or standard the check rests on (empty: not given)")]
    cycle: Annotated[Cycle, Meta(description="How often it is due")]
    responsible_post: Annotated[str, Meta(description="The post (岗位) that does it (empty: any enterprise staff)")] = (
        ""
    )
    criterion_id: Annotated[
        str | None, Meta(description="The 重大事故隐患判定标准 item a failure meets, making it major (null: none)")
    ] = None


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

    id: Annotated[str, Meta(description="The hazard's id")]
    title: Annotated[str, Meta(description="A short statement of the hazard")]
    level: Annotated[str, Meta(description="`general` or `major`")]
    status: Annotated[str, Meta(description="Where it stands in the workflow (the values of `Hazard.status`)")]
    deadline: Annotated[
        datetime | None, Meta(description="When the fix is due, RFC 3339 UTC (null: no deadline yet)")
    ] = None


class DueTaskItem(WireOut):
    """A checklist item of the scanned point due now, with its own task and window."""

    task_id: Annotated[str, Meta(description="The task of this item and window")]
    item_id: Annotated[str, Meta(description="The checklist item")]
    content: Annotated[str, Meta(description="What to check")]
    window_start: Annotated[datetime, Meta(description="When its window opens, RFC 3339 UTC")]
    window_end: Annotated[datetime, Meta(description="When its window closes (the task is missed after), RFC 3339 UTC")]


class DueTask(WireOut):
    """The caller's work at the scanned point now: the task closing soonest (`id`, window) and every item due.

    `mine`: these are the caller's own (their items' posts are ones the caller holds); false when none due here is
    the caller's, and the point's due items are shown for whoever does them.
    """

    id: Annotated[str, Meta(description="The task closing soonest")]
    window_start: Annotated[datetime, Meta(description="When its window opens, RFC 3339 UTC")]
    window_end: Annotated[datetime, Meta(description="When its window closes, RFC 3339 UTC")]
    items: Annotated[list[DueTaskItem], Meta(description="Every item of the point due now")]
    mine: Annotated[
        bool, Meta(description="True when these are the caller's own items (of posts the caller holds)")
    ] = False


class ScanRiskPoint(WireOut):
    """The risk point part of a scan card."""

    id: Annotated[str, Meta(description="The risk point's id")]
    name: Annotated[str, Meta(description="Its name")]
    enterprise_id: Annotated[str, Meta(description="The enterprise it belongs to")]
    enterprise_name: Annotated[str, Meta(description="That enterprise's name")]
    hazard_sources: Annotated[list[str], Meta(description="The hazard sources (危险源) it holds")]
    control_measures: Annotated[
        list[dict], Meta(description="Its control measures: `{{type, content, controlLevel}}` as `ControlMeasure`")
    ]
    emergency_measures: Annotated[list[str], Meta(description="What to do in an emergency")]
    emergency_phone: Annotated[str, Meta(description="The phone number to call in an emergency (empty: none)")]
    area: Annotated[str, Meta(description="The area or workshop it is in (empty: not given)")] = ""
    level: Annotated[Level | None, Meta(description="The risk level of its latest assessment (null: not assessed)")] = (
        None
    )
    color: Annotated[Colour | None, Meta(description="The colour of that level (null: not assessed)")] = None
    control_level: Annotated[
        ControlLevel | None, Meta(description="The level that controls it (null: not assessed)")
    ] = None


class ScanEnterprise(WireOut):
    """The enterprise part of a scan card."""

    id: Annotated[str, Meta(description="The enterprise's id")]
    name: Annotated[str, Meta(description="Its name")]
    industry: Annotated[str, Meta(description="Its industry code")]
    safety_code_color: Annotated[
        Colour,
        Meta(description="The colour of its dynamic safety code (`GET /v1/enterprises/{{id}}/safety-code` says why)"),
    ]
    address: Annotated[str, Meta(description="Its address (empty: not given)")] = ""
    status: Annotated[str, Meta(description="Whether it is operating, suspended or closed")] = "operating"
    # The dynamic code's scheme version and when its colour was computed (GET /v1/enterprises/<built-in function id>/safety-code has why).
    safety_code_scheme_version: Annotated[
        int | None, Meta(description="The version of the scheme that computed the colour (null: not computed yet)")
    ] = None
    safety_code_computed_at: Annotated[
        datetime | None, Meta(description="When the colour was computed, RFC 3339 UTC (null: not computed yet)")
    ] = None


class ScanCard(WireOut):
    """`GET /v1/scan/{token}`: the card of whatever the code names, and the proof-of-presence `scanId`."""

    kind: Annotated[
        Literal["riskPoint", "enterprise"], Meta(description="What the code names: a risk point or an enterprise")
    ]
    scan_id: Annotated[
        str, Meta(description="This scan's id: cite it as `scanId` in an inspection or hazard to prove presence")
    ]
    open_hazards: Annotated[
        list[OpenHazard], Meta(description="Hazards still open at the point (on an enterprise's card: anywhere in it)")
    ]
    risk_point: Annotated[
        ScanRiskPoint | None, Meta(description="The point, when `kind` is `riskPoint` (null otherwise)")
    ] = None
    enterprise: Annotated[
        ScanEnterprise | None, Meta(description="The enterprise, when `kind` is `enterprise` (null otherwise)")
    ] = None
    checklist: Annotated[
        list[ChecklistItem] | None, Meta(description="The point's checklist (null on an enterprise's card)")
    ] = None
    due_task: Annotated[DueTask | None, Meta(description="The work due at the point now (null: none due)")] = None
    distance_m: Annotated[
        float | None,
        Meta(description="Metres from the phone's fix to the point (null: no fix or the point is not placed)"),
    ] = None
    # A risk point's: the radius within which this scan proves presence at an inspection (its own, else 100 m).
    presence_radius_m: Annotated[
        float | None,
        Meta(description="Metres within which this scan proves presence at the point (null on an enterprise's card)"),
    ] = None


class SitePlan(WireOut):
    """`PUT /v1/enterprises/{id}/site-plan`."""

    sha256: str
    width: int
    height: int
    uploaded_at: datetime
