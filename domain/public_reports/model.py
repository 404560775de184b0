"""Public reports (12350 / 吹哨人): the receipt code, routing by place, the regulator's actions and the rate limits.

Pure rules, no I/O. A report is `received` until a regulator of its region accepts it (it becomes a hazard of the
enterprise, through the hazard service) or dismisses it with a reason; either may carry a reply to the reporter,
and a reply may be added at any time. A received report sent to the wrong place is forwarded by a regulator to the
region that should handle it (移交): its receivers change and are notified, nothing else does. The reporter follows the report by its receipt and sees its status and the
replies, nothing else.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from domain.access.model import Actor, Role
from domain.access.permissions import Action, allowed
from domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from domain.history.chain import Event, bound, replay_error


class PublicReportInputInvalid(InvalidInput):
    """A field of a public report does not hold (a photo that is not the device's, an unknown region, …)."""

    code = "PUBLIC_REPORT_INPUT_INVALID"


class PublicReportUnroutable(InvalidInput):
    """The report says neither where nor which enterprise: nobody could be asked to look at it."""

    code = "PUBLIC_REPORT_UNROUTABLE"


class PublicReportWordingRequired(InvalidInput):
    """Accepting needs the regulator's own title and description for the enterprise (params.field names the missing
    one): the reporter's words are never handed on by default."""

    code = "PUBLIC_REPORT_WORDING_REQUIRED"


class PublicReportWordingCopied(InvalidInput):
    """The enterprise-facing title or description repeats the reporter's own text (params.field): the reporter's
    words could identify them to the enterprise, so the regulator writes their own."""

    code = "PUBLIC_REPORT_WORDING_COPIED"


class PublicRateLimited(DomainError):
    """Too many public requests from this device or address in the window; `retryAfterSeconds` says when to retry."""

    code = "PUBLIC_REPORT_RATE_LIMITED"


class ReportActionNotAllowed(Conflict):
    """The report's status does not allow this action (accepted or dismissed already)."""

    code = "PUBLIC_REPORT_ACTION_NOT_ALLOWED"


class ReportVersionStale(DomainError):
    """The report changed since the caller read it."""

    code = "PUBLIC_REPORT_VERSION_STALE"


class ReportStatus(StrEnum):
    """Where a public report stands; the reporter sees exactly this."""

    RECEIVED = "received"  # 已受理, waiting for the regulator
    ACCEPTED = "accepted"  # 已立案: a hazard of the enterprise now follows it
    DISMISSED = "dismissed"  # 不予立案, with a reason


class ReportAction(StrEnum):
    """What a regulator does with a report."""

    ACCEPT = "accept"
    DISMISS = "dismiss"
    REPLY = "reply"
    FORWARD = "forward"


class RoutedBy(StrEnum):
    """How the report found its receiver."""

    CREDIT_CODE = "credit_code"  # the enterprise's 统一社会信用代码
    ENTERPRISE_NAME = "enterprise_name"  # the enterprise's exact name
    LOCATION = "location"  # the point lies in a grid's or region's outline
    REGION = "region"  # the reporter chose the region
    FALLBACK = "fallback"  # what was given matched nothing: the top region sorts it out
    FORWARDED = "forwarded"  # a regulator sent it on to the region that should handle it


# (status, action) → status after; a reply changes nothing but is recorded. Only regulators act (the permissions
# table's HANDLE_PUBLIC_REPORT).
TRANSITIONS: Mapping[tuple[ReportStatus, ReportAction], ReportStatus] = {
    (ReportStatus.RECEIVED, ReportAction.ACCEPT): ReportStatus.ACCEPTED,
    (ReportStatus.RECEIVED, ReportAction.DISMISS): ReportStatus.DISMISSED,
    (ReportStatus.RECEIVED, ReportAction.FORWARD): ReportStatus.RECEIVED,
    **{(status, ReportAction.REPLY): status for status in ReportStatus},
}
EVENT_NAMES = {
    ReportAction.ACCEPT: "PublicReportAccepted",
    ReportAction.DISMISS: "PublicReportDismissed",
    ReportAction.REPLY: "PublicReportReplied",
    ReportAction.FORWARD: "PublicReportForwarded",
}


def next_status(status: str, action: str, actor: Actor) -> ReportStatus:
    """The status after `action`, or refused: 403 for a role that never acts, 409 for a status that does not allow."""
    if not allowed(actor, Action.HANDLE_PUBLIC_REPORT):
        raise Forbidden("only a regulator acts on public reports", role=str(actor.role))
    after = TRANSITIONS.get((ReportStatus(status), ReportAction(action)))
    if after is None:
        raise ReportActionNotAllowed(f"a {status} report cannot be {action}ed", status=status, action=action)
    return after


def allowed_actions(status: str, actor: Actor) -> list[str]:
    """What the caller may do with a report in this status, for the app to offer."""
    if not allowed(actor, Action.HANDLE_PUBLIC_REPORT):
        return []
    return [str(action) for (before, action) in TRANSITIONS if before == status]


# ---------------------------------------------------------------------------------------------- the receipt

# Crockford's base32: no I, L, O or U, so a receipt read aloud or copied by hand is hard to get wrong.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 12  # 60 random bits; with the lookup's rate limit, guessing one is hopeless


def new_receipt() -> str:
    """A fresh receipt code, stored without dashes."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def shown_receipt(receipt: str) -> str:
    """The receipt as the reporter reads it: XXXX-XXXX-XXXX."""
    return "-".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def normal_receipt(text: str) -> str | None:
    """The stored form of a typed receipt (case, dashes, spaces and look-alikes forgiven), or None if it cannot be one."""
    cleaned = text.upper().replace("-", "").replace(" ", "").translate(str.maketrans("OIL", "011"))
    if len(cleaned) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in cleaned):
        return None
    return cleaned


def hashed(*parts: str) -> str:
    """A one-way key for a device id or an address: counted and matched, never stored in the clear."""
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------- routing by place

Ring = Sequence[Sequence[float]]


def ring_contains(ring: Ring, lon: float, lat: float) -> bool:
    """Even-odd rule on one closed ring of (lon, lat) points."""
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def geometry_contains(geometry: Mapping[str, Any] | None, lon: float, lat: float) -> bool:
    """True when a GeoJSON Polygon or MultiPolygon holds the point (outside its holes)."""
    if not geometry or not (math.isfinite(lon) and math.isfinite(lat)):
        return False
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for polygon in polygons:
        if polygon and ring_contains(polygon[0], lon, lat) and not any(ring_contains(h, lon, lat) for h in polygon[1:]):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Outline:
    """A stored outline: of a grid (with its region) or of a region, and the region path it belongs to."""

    kind: str  # "grid" | "region"
    subject: str  # grid id or region code
    region_code: str
    region_path: str
    geometry: Mapping[str, Any]


def locate(outlines: Sequence[Outline], lon: float, lat: float) -> Outline | None:
    """The most precise outline holding the point: a grid before any region, a deeper region before its parent."""
    holding = [o for o in outlines if geometry_contains(o.geometry, lon, lat)]
    if not holding:
        return None
    return min(holding, key=lambda o: (o.kind != "grid", -len(o.region_path), o.subject))


# ---------------------------------------------------------------------------------------------- rate limits


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `limit` requests per `window` for one key (a device or an address)."""

    name: str
    limit: int
    window: timedelta


# The address limits are higher than the device limits: many phones share one carrier NAT address.
REPORT_PER_DEVICE = RateLimit("report-device", 5, timedelta(hours=1))
REPORT_PER_ADDRESS = RateLimit("report-address", 30, timedelta(hours=1))
PHOTO_PER_DEVICE = RateLimit("photo-device", 30, timedelta(hours=1))
PHOTO_PER_ADDRESS = RateLimit("photo-address", 150, timedelta(hours=1))
LOOKUP_PER_ADDRESS = RateLimit("lookup-address", 60, timedelta(minutes=10))


def window_of(limit: RateLimit, now: datetime) -> tuple[int, datetime]:
    """The fixed window `now` falls in: its start (Unix seconds) and its end."""
    size = int(limit.window.total_seconds())
    start = int(now.timestamp()) // size * size
    return start, datetime.fromtimestamp(start + size, tz=now.tzinfo)


def retry_after_s(window_end: datetime, now: datetime) -> int:
    """Whole seconds until the window ends (at least one)."""
    return max(1, math.ceil((window_end - now).total_seconds()))


# ---------------------------------------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True)
class AcceptReport:
    """Make the report a hazard of the enterprise, through the hazard service (source 群众举报)."""

    action: ClassVar[ReportAction] = ReportAction.ACCEPT
    category: str
    level: str = "general"
    enterprise_id: str | None = None
    title: str | None = None
    description: str | None = None
    major_criterion_id: str | None = None
    expert_reason: str | None = None
    photo_ids: tuple[str, ...] = ()
    reply: str | None = None


@dataclass(frozen=True, slots=True)
class DismissReport:
    """Close the report without a hazard, for a reason."""

    action: ClassVar[ReportAction] = ReportAction.DISMISS
    reason: str
    reply: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyToReport:
    """Tell the reporter something."""

    action: ClassVar[ReportAction] = ReportAction.REPLY
    reply: str


@dataclass(frozen=True, slots=True)
class ForwardReport:
    """Send a received report on to the region that should handle it, for a reason."""

    action: ClassVar[ReportAction] = ReportAction.FORWARD
    region_code: str
    reason: str
    reply: str | None = None


ReportCommand = AcceptReport | DismissReport | ReplyToReport | ForwardReport


# ---------------------------------------------------------------------------------------------- the enterprise's words

# A reporter's text shorter than this may recur by chance ("消防通道堵塞"): only longer ones count as copied inside.
COPIED_INSIDE_MIN = 12


def _plain(text: str | None) -> str:
    """Text compared as a person reads it: whitespace and case do not make it different."""
    return "".join((text or "").split()).casefold()


def check_enterprise_wording(title: str | None, description: str | None, reporter_texts: Sequence[str]) -> None:
    """The regulator's own title and description for the enterprise: both given, neither the reporter's text.

    Refused (PublicReportWordingCopied) when either equals one of the reporter's texts once whitespace and case are
    set aside, or holds a reporter's text of `COPIED_INSIDE_MIN` characters or more whole. A paraphrase is the
    regulator's to judge: this catches copy and paste, not retelling.
    """
    for field, text in (("title", title), ("description", description)):
        if not _plain(text):
            raise PublicReportWordingRequired(f"write the enterprise-facing {field} in your own words", field=field)
    theirs = [plain for plain in (_plain(text) for text in reporter_texts) if plain]
    for field, text in (("title", title), ("description", description)):
        mine = _plain(text)
        if any(mine == plain or (len(plain) >= COPIED_INSIDE_MIN and plain in mine) for plain in theirs):
            raise PublicReportWordingCopied(f"the {field} repeats the reporter's own words", field=field)


# ---------------------------------------------------------------------------------------------- replay (verify)

# What the "receive" event says of the report row (the reporter's contact is never in it).
_RECEIVED_COLUMNS = (
    "status",
    "title",
    "description",
    "given_enterprise_name",
    "given_credit_code",
    "given_region_code",
    "routed_by",
    "enterprise_id",
    "grid_id",
    "region_code",
    "occurred_at",
)


def derive_reports(events: Sequence[Event]) -> dict[str, dict[str, Any]]:
    """The report row a report's chain describes: received, then each regulator's action through `TRANSITIONS`
    (`next_status`), keyed by the report's id; raises ReplayFailed naming an event that does not follow them."""
    first = events[0]
    if first.action != "receive":
        raise replay_error(first, ValueError(f"a report's chain opens with receive, not {first.action}"))
    row: dict[str, Any] = {column: first.payload.get(column) for column in _RECEIVED_COLUMNS}
    row |= {"version": 1, "hazard_id": None, "dismiss_reason": "", "decided_by": None, "decided_at": None}
    for event in events[1:]:
        try:
            p = event.payload
            after = next_status(row["status"], event.action, Actor(user_id=event.actor_id, role=Role(event.role)))
            if (p.get("to_status"), p.get("version")) != (str(after), row["version"] + 1):
                raise ValueError(f"the event says {p.get('to_status')} v{p.get('version')}, the rules give {after}")
            match ReportAction(event.action):
                case ReportAction.DISMISS:
                    row["dismiss_reason"] = p["reason"]
                case ReportAction.FORWARD:
                    row |= {"region_code": p["to_region"], "grid_id": None, "routed_by": str(RoutedBy.FORWARDED)}
                case ReportAction.ACCEPT:
                    row |= {"hazard_id": p["hazard_id"], "enterprise_id": p["enterprise_id"]}
            if after != row["status"]:
                row |= {"decided_by": event.actor_id, "decided_at": event.at}
            row |= {"status": str(after), "version": row["version"] + 1}
        except Exception as error:
            raise replay_error(event, error) from None
    return {first.chain_id: row | bound(events[-1])}
