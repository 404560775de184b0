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

    client_id: Annotated[
        ClientId,
        Meta(
            description="The phone's own key for this report, unique per user; sending it again returns the hazard it made"
        ),
    ]
    enterprise_id: Annotated[Id, Meta(description="The enterprise where the hazard was found")]
    risk_point_id: (
        Annotated[Id, Meta(description="The risk point where it was found (null: elsewhere in the enterprise)")] | None
    ) = None
    source: Annotated[
        Source,
        Meta(
            description="How it was found: the kind of investigation, a grid inspection, enforcement or a public report"
        ),
    ]
    category: Annotated[
        Category, Meta(description="The kind of defect: an unsafe condition, an unsafe act or a management defect")
    ]
    professional_type: Annotated[
        str,
        Meta(max_length=32, description="The speciality it belongs to (for example `safety`, `fire`, `electrical`)"),
    ] = "safety"
    title: Annotated[
        str, Meta(min_length=1, max_length=200, description="A short statement of the hazard, shown in lists")
    ]
    description: Annotated[Text, Meta(description="What was seen, where and why it is a hazard")] = ""
    level: Annotated[
        HazardLevel,
        Meta(description="The statutory level proposed by the reporter: `general` (一般) or `major` (重大)"),
    ] = "general"
    internal_grade: (
        Annotated[
            str, Meta(max_length=32, description="The enterprise's own grade of the hazard, free text (null: none)")
        ]
        | None
    ) = None
    major_criterion_id: (
        Annotated[
            Id,
            Meta(
                description="A major hazard: the id of the 重大事故隐患判定标准 item it meets (null: none, give `expertReason`)"
            ),
        ]
        | None
    ) = None
    expert_reason: (
        Annotated[
            Note, Meta(description="A major hazard without a criterion: why the experts judge it major (null: none)")
        ]
        | None
    ) = None
    responsible_person: Annotated[
        str, Meta(max_length=100, description="The person answerable for fixing it, by name")
    ] = ""
    photo_ids: Annotated[
        PhotoIds, Meta(description="Photos of the hazard (`POST /v1/photos` first), shown as its `before` photos")
    ] = []
    found_at: Annotated[
        Time, Meta(description="When it was found, RFC 3339 with an offset; the server keeps it in UTC")
    ]
    lat: (
        Annotated[Latitude, Meta(description="Where it was found: WGS 84 latitude in degrees (null: no fix)")] | None
    ) = None
    lng: (
        Annotated[Longitude, Meta(description="Where it was found: WGS 84 longitude in degrees (null: no fix)")] | None
    ) = None
    scan_id: (
        Annotated[
            Id, Meta(description="The `scanId` of the code scan made on the spot, proving presence (null: no scan)")
        ]
        | None
    ) = None


class HazardPhoto(WireOut):
    """A photo on a hazard: `before` shows the hazard, `after` the fix, `evaluation` a page of the report."""

    id: Annotated[str, Meta(description="The photo's id")]
    sha256: Annotated[
        str,
        Meta(description="The SHA-256 of the original bytes, lowercase hex, as the history's `photoHashes` name it"),
    ]
    stage: Annotated[
        str,
        Meta(
            description="What it shows: `before` the hazard, `after` the fix, `evaluation` a page of the evaluation report"
        ),
    ]
    event_seq: Annotated[int, Meta(description="The `seq` of the history event that attached it")]
    url: Annotated[str, Meta(description="The original, byte for byte (a path on this server; send the bearer token)")]
    thumb_url: Annotated[str, Meta(description="A stamped JPEG of at most 320 px, without metadata")]
    display_url: Annotated[str, Meta(description="A stamped JPEG of at most 1600 px, without metadata")]


class HazardDocument(WireOut):
    """A PDF on a hazard, attached by the workflow step `action` (reportToRegulator, submitPlan, submitEvaluation,
    applyResume) as event `eventSeq` of its history, whose payload names it by `sha256`; `url` downloads it."""

    id: Annotated[str, Meta(description="The document's id")]
    sha256: Annotated[
        str, Meta(description="The SHA-256 of the PDF's bytes, lowercase hex, as the event's payload names it")
    ]
    action: Annotated[str, Meta(description="The workflow step that attached it")]
    event_seq: Annotated[int, Meta(description="The `seq` of that step's history event")]
    filename: Annotated[str, Meta(description="The file name it was uploaded with")]
    page_count: Annotated[int, Meta(description="Its number of pages")]
    size_bytes: Annotated[int, Meta(description="Its size in bytes")]
    url: Annotated[str, Meta(description="Downloads the PDF (a path on this server; send the bearer token)")]


class Hazard(WireOut):
    """A hazard as the caller may see it, with the actions open to them now."""

    id: Annotated[str, Meta(description="The hazard's id")]
    enterprise_id: Annotated[str, Meta(description="The enterprise it is in")]
    enterprise_name: Annotated[str, Meta(description="That enterprise's name, for display")]
    risk_point_id: Annotated[
        str | None, Meta(description="The risk point where it was found (null: elsewhere in the enterprise)")
    ]
    inspection_id: Annotated[
        str | None, Meta(description="The inspection whose failed checklist item opened it (null: reported directly)")
    ]
    scan_id: Annotated[
        str | None, Meta(description="The code scan cited when it was reported, proving presence (null: none)")
    ]
    source: Annotated[str, Meta(description="How it was found (the values of `HazardCreate.source`)")]
    category: Annotated[str, Meta(description="The kind of defect (the values of `HazardCreate.category`)")]
    professional_type: Annotated[str, Meta(description="The speciality it belongs to")]
    title: Annotated[str, Meta(description="A short statement of the hazard")]
    description: Annotated[str, Meta(description="What was seen, where and why it is a hazard")]
    level: Annotated[str, Meta(description="The statutory level: `general` (一般) or `major` (重大)")]
    level_confirmed: Annotated[
        bool,
        Meta(description="False while a level proposed by a failed checklist item awaits a person's `confirmLevel`"),
    ]
    internal_grade: Annotated[str | None, Meta(description="The enterprise's own grade of it (null: none)")]
    major_criterion_id: Annotated[
        str | None, Meta(description="A major hazard: the 重大事故隐患判定标准 item it meets (null: none)")
    ]
    expert_reason: Annotated[
        str | None, Meta(description="A major hazard without a criterion: why the experts judge it major (null: none)")
    ]
    governance_type: Annotated[
        str | None,
        Meta(
            description="How it is governed: `on_the_spot` (即查即改) or `with_deadline` (限期整改); null until decided"
        ),
    ]
    status: Annotated[
        str, Meta(description="Where it stands in the workflow; the major-only statuses lead to `written_off`")
    ]
    side: Annotated[
        str,
        Meta(
            description="Who raised it (enterprise, inspector or regulator); that side checks the fix and may void it"
        ),
    ]
    reporter_id: Annotated[str, Meta(description="The user who reported it")]
    reporter_role: Annotated[str, Meta(description="That user's role when reporting")]
    assignee_id: Annotated[str | None, Meta(description="The user assigned to fix it (null: not assigned)")]
    rectifier_id: Annotated[
        str | None, Meta(description="The user who submitted the fix (null: none yet); they may not also accept it")
    ]
    responsible_person: Annotated[str, Meta(description="The person answerable for fixing it, by name")]
    measures: Annotated[
        str, Meta(description="The rectification measures set when it was assigned (or of the approved plan)")
    ]
    funds: Annotated[str, Meta(description="A major hazard: the funds and materials of its governance plan")]
    stoppage_scope: Annotated[str, Meta(description="A major hazard: what stops working while it is governed")]
    supervised: Annotated[bool, Meta(description="True once a regulator has put it under supervision (挂牌督办)")]
    deadline: Annotated[datetime | None, Meta(description="When the fix is due, RFC 3339 UTC (null: no deadline yet)")]
    requested_deadline: Annotated[
        datetime | None,
        Meta(description="The later deadline asked for and awaiting a decision, RFC 3339 UTC (null: none pending)"),
    ]
    has_after_photos: Annotated[bool, Meta(description="True once photos of the fix are attached")]
    overdue: Annotated[bool, Meta(description="True when the deadline has passed while the work is still owed")]
    lat: Annotated[float | None, Meta(description="Where it was found: WGS 84 latitude in degrees (null: no fix)")]
    lng: Annotated[float | None, Meta(description="Where it was found: WGS 84 longitude in degrees (null: no fix)")]
    found_at: Annotated[datetime, Meta(description="When it was found, RFC 3339 UTC")]
    closed_at: Annotated[
        datetime | None,
        Meta(
            description="When it reached a final status (closed, voided, written off), RFC 3339 UTC (null: still open)"
        ),
    ]
    details: Annotated[
        dict[str, Any],
        Meta(description="The texts the major-hazard steps recorded (report, plan, evaluation), by their field names"),
    ]
    photos: Annotated[
        list[HazardPhoto], Meta(description="Its photos in the order attached: before, after, evaluation pages")
    ]
    allowed_actions: Annotated[
        list[str], Meta(description="The workflow actions this caller may take now (the `action` of a transition body)")
    ]
    version: Annotated[int, Meta(description="The record's version: send it as `If-Match` with a transition")]
    created_at: Annotated[datetime, Meta(description="When the server recorded it, RFC 3339 UTC")]
    updated_at: Annotated[datetime, Meta(description="When it last changed, RFC 3339 UTC")]
    documents: Annotated[
        list[HazardDocument], Meta(description="PDFs the workflow's steps attached (report, plan, evaluation, resume)")
    ] = []
    extension_requester_id: Annotated[
        str | None, Meta(description="Who asked for the pending extension in `requestedDeadline` (null: none pending)")
    ] = None


class HazardPage(WireOut):
    """A page of hazards."""

    items: Annotated[list[Hazard], Meta(description="The hazards of this page, newest first")]
    next_cursor: Annotated[
        str | None, Meta(description="Send as `cursor` for the next page (null: this is the last page)")
    ]


class HistoryEvent(WireOut):
    """One link of a hazard's hash chain: `hash` = sha256(canonical event with `prevHash`)."""

    seq: Annotated[int, Meta(description="The event's place in its chain, from 1")]
    action: Annotated[
        str,
        Meta(
            description="What was done: the first event's `report` (a hazard) or `receive` (a public report), then a workflow action"
        ),
    ]
    name: Annotated[str, Meta(description="The event's name in the past tense, for example `HazardAccepted`")]
    actor_id: Annotated[
        str,
        Meta(description="The user who did it (`system` for the service itself, `public` for an anonymous reporter)"),
    ]
    role: Annotated[str, Meta(description="That actor's role at the time")]
    at: Annotated[datetime, Meta(description="When it happened, RFC 3339 UTC")]
    payload: Annotated[
        dict[str, Any],
        Meta(description="What the event recorded (the command's fields, the status it moved to), as hashed"),
    ]
    photo_hashes: Annotated[list[str], Meta(description="The SHA-256 (hex) of each photo the event attached, in order")]
    prev_hash: Annotated[str, Meta(description="The `hash` of the event before (64 zeros for the first)")]
    hash: Annotated[str, Meta(description="sha256 of this event's canonical form including `prevHash`, lowercase hex")]


# --- transitions: one body per action, tagged by `action` -----------------------------------------------------------


class _Transition(Wire, tag_field="action", kw_only=True):
    """A workflow action; the server checks role, status and guards against its transition table."""


class Assign(_Transition, tag="assign"):
    """Enterprise staff: assign a general hazard for a fix with a deadline (→ rectifying)."""

    assignee_id: Annotated[Id, Meta(description="The enterprise user who is to fix it")]
    measures: Annotated[Text, Meta(description="The rectification measures to take")]
    deadline: Annotated[Time, Meta(description="When the fix is due, RFC 3339 with an offset; must be in the future")]


class RectifyOnSpot(_Transition, tag="rectifyOnSpot"):
    """Enterprise staff: a general hazard fixed at once (即查即改), with photos of the fix (→ awaiting acceptance)."""

    after_photo_ids: Annotated[PhotoIds, Meta(description="Photos of the fix (`POST /v1/photos` first); at least one")]
    note: Annotated[Note, Meta(description="What was done")] = ""


class SubmitRectification(_Transition, tag="submitRectification"):
    """Enterprise staff: the fix is done, with photos (→ awaiting acceptance)."""

    after_photo_ids: Annotated[PhotoIds, Meta(description="Photos of the fix (`POST /v1/photos` first); at least one")]
    note: Annotated[Note, Meta(description="What was done")] = ""


class Accept(_Transition, tag="accept"):
    """The raising side: the fix holds (→ closed); not by the one who fixed it."""

    note: Annotated[Note, Meta(description="What the check found")] = ""


class Reject(_Transition, tag="reject"):
    """The raising side: the fix does not hold (→ rectifying again)."""

    reason: Annotated[Reason, Meta(description="Why the fix does not hold")]


class Void(_Transition, tag="void"):
    """The raising side: the report was a mistake (→ voided)."""

    reason: Annotated[Reason, Meta(description="Why the report is void")]


class ReportToRegulator(_Transition, tag="reportToRegulator"):
    """Principal: report a major hazard to the regulator and the workers' assembly."""

    current_state_and_cause: Annotated[Text, Meta(description="The hazard's present state and its cause")]
    harm_and_difficulty: Annotated[Text, Meta(description="The harm it may do and how hard it is to govern")]
    governance_plan_summary: Annotated[Text, Meta(description="An outline of the governance plan")]
    workers_assembly_notified_at: (
        Annotated[
            Time,
            Meta(description="When the workers' assembly (职代会) was told, RFC 3339 with an offset (null: not yet)"),
        ]
        | None
    )
    document_ids: Annotated[
        DocumentIds, Meta(description="PDFs of the written report (`POST /v1/documents` first)")
    ] = []


class SubmitPlan(_Transition, tag="submitPlan"):
    """Principal: the governance plan of a major hazard, for the regulator's approval."""

    goals_and_tasks: Annotated[Text, Meta(description="The plan's goals and tasks")]
    methods_and_measures: Annotated[Text, Meta(description="The methods and measures of the governance")]
    funds_and_materials: Annotated[Text, Meta(description="The funds and materials set aside")]
    organisation_and_people: Annotated[Text, Meta(description="Who organises it and who does it")]
    time_limit_and_requirements: Annotated[Text, Meta(description="The time limit and what must be met")]
    safety_measures_and_emergency_plan: Annotated[
        Text, Meta(description="Safety measures and the emergency plan meanwhile")
    ]
    stoppage_scope: Annotated[Text, Meta(description="What stops working while it is governed")]
    deadline: Annotated[Time, Meta(description="When the governance is to be finished, RFC 3339 with an offset")]
    document_ids: Annotated[DocumentIds, Meta(description="PDFs of the plan (`POST /v1/documents` first)")] = []


class ApprovePlan(_Transition, tag="approvePlan"):
    """Regulator: approve a major hazard's governance plan."""

    note: Annotated[Note, Meta(description="The regulator's remarks")] = ""


class Supervise(_Transition, tag="supervise"):
    """Regulator: put the hazard under supervision (挂牌督办) with a deadline."""

    deadline: Annotated[Time, Meta(description="The deadline the regulator sets, RFC 3339 with an offset")]
    note: Annotated[Note, Meta(description="The regulator's remarks")] = ""


class ExtendDeadline(_Transition, tag="extendDeadline"):
    """Enterprise staff: ask for a later deadline; it applies once decided (`decideExtension`)."""

    new_deadline: Annotated[Time, Meta(description="The later deadline asked for, RFC 3339 with an offset")]
    reason: Annotated[Reason, Meta(description="Why more time is needed")]


class DecideExtension(_Transition, tag="decideExtension"):
    """Grant or refuse the pending extension (`requestedDeadline`)."""

    approved: Annotated[bool, Meta(description="True grants the requested deadline, false keeps the current one")]
    note: Annotated[Note, Meta(description="Remarks")] = ""
    reason: Annotated[Reason, Meta(description="Why it is granted or refused; required for a general hazard")] = ""


class SubmitEvaluation(_Transition, tag="submitEvaluation"):
    """Principal: the evaluation of a governed major hazard (a report from experts or a qualified firm)."""

    evaluator_kind: Annotated[
        Literal["in_house_experts", "qualified_firm"],
        Meta(description="Who evaluated: the enterprise's own experts or a qualified firm"),
    ]
    evaluator_name: Annotated[ShortText, Meta(description="The evaluators' or the firm's name")]
    conclusion: Annotated[Text, Meta(description="The evaluation's conclusion")]
    # photos of a paper report's pages (as in 1.0); the PDF report goes in `documentIds`: one of the two is needed
    report_document_ids: Annotated[
        PhotoIds, Meta(description="Photos of a paper report's pages (as in 1.0); this or `documentIds` is needed")
    ] = []
    document_ids: Annotated[
        DocumentIds,
        Meta(description="The report as PDFs (`POST /v1/documents` first); this or `reportDocumentIds` is needed"),
    ] = []


class ApplyResume(_Transition, tag="applyResume"):
    """Principal: apply to resume work after a major hazard's governance, for the regulator's review."""

    note: Annotated[Note, Meta(description="Remarks")] = ""
    document_ids: Annotated[DocumentIds, Meta(description="PDFs of the application (`POST /v1/documents` first)")] = []


class WriteOff(_Transition, tag="writeOff"):
    """Regulator: the major hazard is governed (核销, → written off)."""

    note: Annotated[Note, Meta(description="The regulator's remarks")] = ""


class OrderContinue(_Transition, tag="orderContinue"):
    """Regulator: the governance is not done; the enterprise continues it."""

    reason: Annotated[Reason, Meta(description="What is still to be done")]


class ConfirmLevel(_Transition, tag="confirmLevel"):
    """Confirm (or correct) the level a failed checklist item proposed, before work starts."""

    level: Annotated[HazardLevel, Meta(description="The level confirmed")]
    major_criterion_id: (
        Annotated[Id, Meta(description="Major: the criterion item it meets (null: none, give `expertReason`)")] | None
    ) = None
    expert_reason: (
        Annotated[Note, Meta(description="Major without a criterion: why the experts judge it major (null: none)")]
        | None
    ) = None


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
