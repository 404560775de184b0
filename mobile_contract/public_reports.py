"""Wire types of public reports (12350 / 吹哨人): the anonymous report and its receipt, and the regulator's view.

The reporter's side (`/v1/public/*`, no account) sees only its receipt, the status and the replies. The regulator's
side (`/v1/public-reports/*`) sees the report; `contact` is filled for regulators alone (`hasContact` tells the
others one was given, nothing more).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

from mobile_contract.base import Id, Latitude, Longitude, Wire, WireOut
from mobile_contract.hazards import Category, ClientId, HazardLevel, Note, Text, Time

PublicReportStatus = Literal["received", "accepted", "dismissed"]
DeviceId = Annotated[str, Meta(min_length=8, max_length=128, pattern=r"^[0-9A-Za-z_.:-]+$")]
Phone = Annotated[str, Meta(min_length=5, max_length=32, pattern=r"^\+?[0-9][0-9 -]{3,30}$")]
CreditCode = Annotated[str, Meta(min_length=18, max_length=18, pattern=r"^[0-9A-Za-z]{18}$")]
RegionCode = Annotated[str, Meta(min_length=6, max_length=12, pattern=r"^[0-9]+$")]
Receipt = Annotated[str, Meta(min_length=12, max_length=20)]


class PublicContact(Wire):
    """How the reporter may be reached, if they choose: seen by regulators only, never by the enterprise."""

    name: Annotated[str, Meta(max_length=100)] = ""
    phone: Phone | None = None


class PublicReportCreate(Wire, kw_only=True):
    """`POST /v1/public/reports`: say what and where (an enterprise by credit code or name, a point, or a region).

    `deviceId` is the phone's own stable id (rate limits count per device and per address); the same `deviceId` and
    `clientId` again answer with the same receipt. `photoIds` are photos this device uploaded to
    `POST /v1/public/reports/photos`.
    """

    client_id: ClientId
    device_id: DeviceId
    description: Annotated[str, Meta(min_length=1, max_length=2000)]
    title: Annotated[str, Meta(max_length=100)] = ""
    occurred_at: Time | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    region_code: RegionCode | None = None
    enterprise_name: Annotated[str, Meta(max_length=200)] = ""
    enterprise_credit_code: CreditCode | None = None
    photo_ids: Annotated[list[Id], Meta(max_length=9)] = []
    contact: PublicContact | None = None


class PublicReply(WireOut):
    """A reply to the reporter."""

    text: str
    at: datetime


class PublicReceipt(WireOut):
    """What the reporter sees: the receipt to type in later, the status and the replies — nothing else."""

    receipt: str
    status: PublicReportStatus
    submitted_at: datetime
    updated_at: datetime
    replies: list[PublicReply]


class PublicPhoto(WireOut):
    """A photo uploaded for a public report: its id for `photoIds`."""

    id: str
    sha256: str
    width: int
    height: int


class PublicPhotoFields(Wire, kw_only=True):
    """The text parts of `POST /v1/public/reports/photos` beside the `file` part."""

    client_id: ClientId
    device_id: DeviceId
    taken_at: Time | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None


class ReportPhoto(WireOut):
    """A photo of the report, where a regulator of its region can fetch it."""

    id: str
    sha256: str
    url: str
    thumb_url: str
    display_url: str


class ReporterContact(WireOut):
    """The reporter's contact (regulators only)."""

    name: str
    phone: str | None


class PublicReport(WireOut):
    """A public report as its receivers see it; `contact` only for regulators."""

    id: str
    status: PublicReportStatus
    title: str
    description: str
    occurred_at: datetime | None
    lat: float | None
    lng: float | None
    given_enterprise_name: str
    given_credit_code: str
    given_region_code: str
    routed_by: str
    enterprise_id: str | None
    enterprise_name: str | None
    grid_id: str | None
    region_code: str
    region_name: str
    hazard_id: str | None
    dismiss_reason: str
    photos: list[ReportPhoto]
    replies: list[PublicReply]
    has_contact: bool
    contact: ReporterContact | None
    allowed_actions: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class PublicReportPage(WireOut):
    """A page of public reports, newest first."""

    items: list[PublicReport]
    next_cursor: str | None


# --- the regulator's actions: one body per action, tagged by `action` ----------------------------------------------


class _ReportAction(Wire, tag_field="action", kw_only=True):
    """An action on a public report (regulators only); `reply`, when given, is shown to the reporter."""


class AcceptReport(_ReportAction, tag="accept", kw_only=True):
    """Make the report a hazard of the enterprise (source `public_report`); `photoIds` picks report photos to carry.

    `title` and `description` are the regulator's own words for the enterprise, and required: missing →
    422 `PUBLIC_REPORT_WORDING_REQUIRED`; the reporter's own text repeated → 422 `PUBLIC_REPORT_WORDING_COPIED`
    (the schema keeps them optional only so the contract stays add-only). The hazard gets no place and is found
    when accepted; each chosen photo reaches the enterprise as a new copy without metadata, stamped with the
    enterprise and the acceptance date (its id and hash are not the report photo's).
    """

    enterprise_id: Id | None = None
    category: Category
    level: HazardLevel = "general"
    title: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    description: Text | None = None
    major_criterion_id: Id | None = None
    expert_reason: Note | None = None
    photo_ids: Annotated[list[Id], Meta(max_length=9)] = []
    reply: Note | None = None


class DismissReport(_ReportAction, tag="dismiss", kw_only=True):
    """Close the report without a hazard, with the reason (kept) and, usually, a reply."""

    reason: Annotated[str, Meta(min_length=1, max_length=1000)]
    reply: Note | None = None


class ReplyToReport(_ReportAction, tag="reply", kw_only=True):
    """Tell the reporter something; the status stays."""

    reply: Annotated[str, Meta(min_length=1, max_length=1000)]


class ForwardReport(_ReportAction, tag="forward", kw_only=True):
    """Send a received report on to the region that should handle it (移交): its regulators are notified and see it
    from then on; the forwarder, if it leaves their region, no longer does. `reason` is kept in the history."""

    region_code: Annotated[str, Meta(pattern=r"^[0-9]{6}([0-9]{3})?$")]
    reason: Annotated[str, Meta(min_length=1, max_length=1000)]
    reply: Note | None = None


ReportActionRequest = AcceptReport | DismissReport | ReplyToReport | ForwardReport
