"""Wire types of hazards: the report, the hazard as shown, the transitions (tagged by `action`) and the history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta

from mobile_contract.base import Id, Latitude, Longitude, ShortText, Wire, WireOut

HazardLevel = Literal["general", "major"]
Source = Literal[
    "daily",
    "comprehensive",
    "specialist",
    "seasonal",
    "holiday",
    "accident_analogy",
    "before_resumption",
    "external_experts",
    "control_failure",
    "grid_inspection",
    "enforcement",
    "public_report",
    "other",
]
Category = Literal["unsafe_condition", "unsafe_act", "management_defect"]
Time = Annotated[datetime, Meta(tz=True)]
Text = Annotated[str, Meta(max_length=2000)]
Note = Annotated[str, Meta(max_length=1000)]
Reason = Annotated[str, Meta(max_length=1000)]
ClientId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$")]
PhotoIds = Annotated[list[Id], Meta(max_length=20)]
DocumentIds = Annotated[list[Id], Meta(max_length=10)]


class HazardCreate(Wire, kw_only=True):
    """`POST /v1/hazards`: a hazard found; the same `clientId` again answers with the hazard it made."""

    client_id: ClientId
    enterprise_id: Id
    risk_point_id: Id | None = None
    source: Source
    category: Category
    professional_type: Annotated[str, Meta(max_length=32)] = "safety"
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    description: Text = ""
    level: HazardLevel = "general"
    internal_grade: Annotated[str, Meta(max_length=32)] | None = None
    major_criterion_id: Id | None = None
    expert_reason: Note | None = None
    responsible_person: Annotated[str, Meta(max_length=100)] = ""
    photo_ids: PhotoIds = []
    found_at: Time
    lat: Latitude | None = None
    lng: Longitude | None = None
    scan_id: Id | None = None


class HazardPhoto(WireOut):
    """A photo on a hazard: `before` shows the hazard, `after` the fix, `evaluation` a page of the report."""

    id: str
    sha256: str
    stage: str
    event_seq: int
    url: str
    thumb_url: str
    display_url: str


class HazardDocument(WireOut):
    """A PDF on a hazard, attached by the workflow step `action` (reportToRegulator, submitPlan, submitEvaluation,
    applyResume) as event `eventSeq` of its history, whose payload names it by `sha256`; `url` downloads it."""

    id: str
    sha256: str
    action: str
    event_seq: int
    filename: str
    page_count: int
    size_bytes: int
    url: str


class Hazard(WireOut):
    """A hazard as the caller may see it, with the actions open to them now."""

    id: str
    enterprise_id: str
    enterprise_name: str
    risk_point_id: str | None
    inspection_id: str | None
    scan_id: str | None
    source: str
    category: str
    professional_type: str
    title: str
    description: str
    level: str
    level_confirmed: bool
    internal_grade: str | None
    major_criterion_id: str | None
    expert_reason: str | None
    governance_type: str | None
    status: str
    side: str
    reporter_id: str
    reporter_role: str
    assignee_id: str | None
    rectifier_id: str | None
    responsible_person: str
    measures: str
    funds: str
    stoppage_scope: str
    supervised: bool
    deadline: datetime | None
    requested_deadline: datetime | None
    has_after_photos: bool
    overdue: bool
    lat: float | None
    lng: float | None
    found_at: datetime
    closed_at: datetime | None
    details: dict[str, Any]
    photos: list[HazardPhoto]
    allowed_actions: list[str]
    version: int
    created_at: datetime
    updated_at: datetime
    documents: list[HazardDocument] = []  # PDFs the workflow's steps attached (report, plan, evaluation, resume)
    extension_requester_id: str | None = None  # who asked for the pending extension (`requestedDeadline`)


class HazardPage(WireOut):
    """A page of hazards."""

    items: list[Hazard]
    next_cursor: str | None


class HistoryEvent(WireOut):
    """One link of a hazard's hash chain: `hash` = sha256(canonical event with `prevHash`)."""

    seq: int
    action: str
    name: str
    actor_id: str
    role: str
    at: datetime
    payload: dict[str, Any]
    photo_hashes: list[str]
    prev_hash: str
    hash: str


# --- transitions: one body per action, tagged by `action` -----------------------------------------------------------


class _Transition(Wire, tag_field="action", kw_only=True):
    """A workflow action; the server checks role, status and guards against its transition table."""


class Assign(_Transition, tag="assign"):
    assignee_id: Id
    measures: Text
    deadline: Time


class RectifyOnSpot(_Transition, tag="rectifyOnSpot"):
    after_photo_ids: PhotoIds
    note: Note = ""


class SubmitRectification(_Transition, tag="submitRectification"):
    after_photo_ids: PhotoIds
    note: Note = ""


class Accept(_Transition, tag="accept"):
    note: Note = ""


class Reject(_Transition, tag="reject"):
    reason: Reason


class Void(_Transition, tag="void"):
    reason: Reason


class ReportToRegulator(_Transition, tag="reportToRegulator"):
    current_state_and_cause: Text
    harm_and_difficulty: Text
    governance_plan_summary: Text
    workers_assembly_notified_at: Time | None
    document_ids: DocumentIds = []


class SubmitPlan(_Transition, tag="submitPlan"):
    goals_and_tasks: Text
    methods_and_measures: Text
    funds_and_materials: Text
    organisation_and_people: Text
    time_limit_and_requirements: Text
    safety_measures_and_emergency_plan: Text
    stoppage_scope: Text
    deadline: Time
    document_ids: DocumentIds = []


class ApprovePlan(_Transition, tag="approvePlan"):
    note: Note = ""


class Supervise(_Transition, tag="supervise"):
    deadline: Time
    note: Note = ""


class ExtendDeadline(_Transition, tag="extendDeadline"):
    new_deadline: Time
    reason: Reason


class DecideExtension(_Transition, tag="decideExtension"):
    approved: bool
    note: Note = ""
    reason: Reason = ""  # required for a general hazard: why the later deadline is granted or refused


class SubmitEvaluation(_Transition, tag="submitEvaluation"):
    evaluator_kind: Literal["in_house_experts", "qualified_firm"]
    evaluator_name: ShortText
    conclusion: Text
    # photos of a paper report's pages (as in 1.0); the PDF report goes in `documentIds`: one of the two is needed
    report_document_ids: PhotoIds = []
    document_ids: DocumentIds = []


class ApplyResume(_Transition, tag="applyResume"):
    note: Note = ""
    document_ids: DocumentIds = []


class WriteOff(_Transition, tag="writeOff"):
    note: Note = ""


class OrderContinue(_Transition, tag="orderContinue"):
    reason: Reason


class ConfirmLevel(_Transition, tag="confirmLevel"):
    level: HazardLevel
    major_criterion_id: Id | None = None
    expert_reason: Note | None = None


TransitionRequest = (
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
    | ExtendDeadline
    | DecideExtension
    | SubmitEvaluation
    | ApplyResume
    | WriteOff
    | OrderContinue
    | ConfirmLevel
)
