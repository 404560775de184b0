"""Who hears of what, how a webhook is signed, and when a failed delivery is tried again (pure rules, no I/O).

## Which events notify whom

A hazard event (one link of its history chain) notifies the side that must act on it or answer for it. The
regulator side of a hazard is every subscription whose region covers the enterprise's region (a district's
subscription hears of its towns); the enterprise side is every enterprise-side subscription of that enterprise
(or of a region covering it) and the enterprise's own people in `GET /v1/notifications`.

| history action | condition | event kind | regulator | enterprise |
|---|---|---|---|---|
| `report` | level major | `hazard.major_reported` | yes | |
| `confirmLevel` | confirmed major | `hazard.major_reported` | yes | |
| `reportToRegulator` | | `hazard.reported_to_regulator` | yes | |
| `supervise` | | `hazard.supervised` | yes | yes |
| `extendDeadline` | | `hazard.extension_requested` | yes | |
| `decideExtension` | | `hazard.extension_decided` | | yes |
| `applyResume` | | `hazard.resume_applied` | yes | |
| `writeOff` | | `hazard.written_off` | yes | yes |
| `orderContinue` | | `hazard.continuation_ordered` | | yes |
| `reject` | a rectification sent back (not a plan) | `hazard.acceptance_rejected` | | yes |
| escalation step 1 | hazard overdue | `escalation.hazard_overdue` | | yes (the principal) |
| escalation step 2 | major, or general ≥ 7 days overdue | `escalation.hazard_overdue` | yes | |
| escalation step 1 | inspection tasks missed on a day | `escalation.tasks_missed` | | yes (the principal) |
| a public report received | routed to the region | `public_report.received` | yes | never (the reporter is protected) |

Every other action (assignments, evidence, the enterprise's internal plan approval, voids) stays inside the
enterprise's own workflow and notifies nobody outside it.

## Signing (what a receiver checks)

Each POST carries `X-Shuangfang-Event` (the kind), `X-Shuangfang-Delivery` (the delivery id: the same on every try,
so a receiver keeps the ids it has processed and ignores repeats), `X-Shuangfang-Timestamp` (Unix seconds of this
try) and `X-Shuangfang-Signature: sha256=<hex>`, the HMAC-SHA256 of `"<timestamp>.<raw body>"` under the
subscription's secret. A receiver recomputes the HMAC over the raw bytes it received (before parsing JSON),
compares in constant time, and refuses a timestamp more than five minutes from its clock (a replayed request);
`verify_signature` below is exactly that check.

## Retries

A 2xx ends a delivery. A network error, a timeout, 408, 429 or a 5xx is tried again after the next delay of
`RETRY_SCHEDULE_S` (10 s, 1 min, 5 min, 30 min, 2 h, 6 h: seven tries over about 8.6 hours, long enough to ride out
a receiver's night-time maintenance); after the last one the delivery is dead-lettered, listed for an administrator
who may redrive it (a fresh schedule). Any other answer (a redirect, 4xx) says the receiver refuses it: retrying
would not change that, so it is dead-lettered at once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from domain.errors import Conflict, InvalidInput


class WebhookUrlInvalid(InvalidInput):
    """The endpoint URL is not an absolute http(s) URL without credentials or fragment."""

    code = "WEBHOOK_URL_INVALID"


class RedriveNotAllowed(Conflict):
    """Only a dead-lettered delivery of an active subscription is sent again."""

    code = "WEBHOOK_REDRIVE_NOT_ALLOWED"


class Audience(StrEnum):
    """The side a notification is for."""

    REGULATOR = "regulator"
    ENTERPRISE = "enterprise"


class EventKind(StrEnum):
    """What a notification says happened (`X-Shuangfang-Event`)."""

    MAJOR_REPORTED = "hazard.major_reported"
    REPORTED_TO_REGULATOR = "hazard.reported_to_regulator"
    SUPERVISED = "hazard.supervised"
    EXTENSION_REQUESTED = "hazard.extension_requested"
    EXTENSION_DECIDED = "hazard.extension_decided"
    RESUME_APPLIED = "hazard.resume_applied"
    WRITTEN_OFF = "hazard.written_off"
    CONTINUATION_ORDERED = "hazard.continuation_ordered"
    ACCEPTANCE_REJECTED = "hazard.acceptance_rejected"
    HAZARD_OVERDUE = "escalation.hazard_overdue"
    TASKS_MISSED = "escalation.tasks_missed"
    PUBLIC_REPORT_RECEIVED = "public_report.received"  # a 12350 report reached the region (domain/public_reports)


class DeliveryStatus(StrEnum):
    """Where a delivery stands: waiting for its next try, received (2xx), or dead-lettered."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class NoticeRule:
    """One row of the table above: the kind a history action becomes, for whom, and when."""

    kind: EventKind
    audiences: tuple[Audience, ...]
    major_only: bool = False
    from_status: str | None = None  # only when the event left this status


R, E = Audience.REGULATOR, Audience.ENTERPRISE
HAZARD_NOTICES: Mapping[str, NoticeRule] = {
    "report": NoticeRule(EventKind.MAJOR_REPORTED, (R,), major_only=True),
    "confirmLevel": NoticeRule(EventKind.MAJOR_REPORTED, (R,), major_only=True),
    "reportToRegulator": NoticeRule(EventKind.REPORTED_TO_REGULATOR, (R,)),
    "supervise": NoticeRule(EventKind.SUPERVISED, (R, E)),
    "extendDeadline": NoticeRule(EventKind.EXTENSION_REQUESTED, (R,)),
    "decideExtension": NoticeRule(EventKind.EXTENSION_DECIDED, (E,)),
    "applyResume": NoticeRule(EventKind.RESUME_APPLIED, (R,)),
    "writeOff": NoticeRule(EventKind.WRITTEN_OFF, (R, E)),
    "orderContinue": NoticeRule(EventKind.CONTINUATION_ORDERED, (E,)),
    # a principal sending a governance plan back is the enterprise talking to itself
    "reject": NoticeRule(EventKind.ACCEPTANCE_REJECTED, (E,), from_status="awaiting_acceptance"),
}
del R, E


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification to make: its kind and the side it is for."""

    kind: EventKind
    audience: Audience


def hazard_notices(action: str, payload: Mapping[str, Any], level: str) -> list[Notice]:
    """The notifications one hazard event makes; `level` is the hazard's level after the event."""
    rule = HAZARD_NOTICES.get(action)
    if rule is None:
        return []
    event_level = payload.get("level") or level  # a report and a level confirmation carry the level they set
    if rule.major_only and (event_level != "major" or payload.get("level_confirmed") is False):
        return []  # a level proposed by a checklist item is heard of when a person confirms it (confirmLevel)
    if rule.from_status is not None and payload.get("from_status") != rule.from_status:
        return []
    return [Notice(rule.kind, audience) for audience in rule.audiences]


# --- subscriptions ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionFilter:
    """What a subscription hears: its side, its kinds (empty: all), a region subtree and optionally one enterprise."""

    audience: Audience
    event_kinds: frozenset[str]
    region_path: str | None
    enterprise_id: str | None


def subscription_hears(
    sub: SubscriptionFilter, *, kind: str, audience: str, enterprise_id: str, region_path: str
) -> bool:
    """True when a notification of this kind, side and enterprise goes to the subscription."""
    return (
        sub.audience == audience
        and (not sub.event_kinds or kind in sub.event_kinds)
        and (sub.region_path is None or region_path.startswith(sub.region_path))
        and (sub.enterprise_id is None or sub.enterprise_id == enterprise_id)
    )


MAX_URL_LENGTH = 2000


def check_webhook_url(url: str) -> str:
    """The URL if it is an absolute http(s) URL with a host and no credentials or fragment; else refused."""
    if len(url) > MAX_URL_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise WebhookUrlInvalid("the URL is too long or holds blanks", field="url", reason="malformed")
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        raise WebhookUrlInvalid("the URL's port is not a number from 1 to 65535", field="url", reason="port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlInvalid("an endpoint is an absolute http or https URL", field="url", reason="scheme")
    if parts.username is not None or parts.password is not None:
        # the secret signs requests; credentials in a URL would end up in logs
        raise WebhookUrlInvalid("credentials do not belong in the URL", field="url", reason="credentials")
    if parts.fragment:
        raise WebhookUrlInvalid("a fragment is never sent to a server", field="url", reason="fragment")
    return url


# --- signing ---------------------------------------------------------------------------------------------------------

SIGNATURE_PREFIX = "sha256="
TIMESTAMP_TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` under the subscription's secret."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify_signature(
    secret: str, *, timestamp: str, body: bytes, header: str, now: float, tolerance_s: int = TIMESTAMP_TOLERANCE_S
) -> bool:
    """What a receiver does: a fresh timestamp and the same HMAC over the raw body, compared in constant time."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), header)


def signed_headers(*, secret: str, kind: str, delivery_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one try."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "Shuangfang-Webhooks/1",
        "X-Shuangfang-Event": kind,
        "X-Shuangfang-Delivery": delivery_id,
        "X-Shuangfang-Timestamp": str(timestamp),
        "X-Shuangfang-Signature": signature(secret, timestamp, body),
    }


# --- retries ---------------------------------------------------------------------------------------------------------

RETRY_SCHEDULE_S: tuple[float, ...] = (10, 60, 300, 1800, 7200, 21600)
RETRYABLE_STATUS = frozenset({408, 429})


def is_success(status_code: int) -> bool:
    """A 2xx: the receiver has it."""
    return 200 <= status_code < 300


def is_retryable(status_code: int | None) -> bool:
    """Worth another try: no answer at all (network error, timeout), 408, 429 or a server error."""
    return status_code is None or status_code in RETRYABLE_STATUS or status_code >= 500


def retry_delay_s(failures: int, schedule: Sequence[float] = RETRY_SCHEDULE_S) -> float | None:
    """Seconds to wait after the `failures`-th failed try in a row, or None when it was the last (dead letter)."""
    if failures < 1:
        raise ValueError("a delay follows a failed try")
    return float(schedule[failures - 1]) if failures <= len(schedule) else None


def max_tries(schedule: Sequence[float] = RETRY_SCHEDULE_S) -> int:
    """Tries before a delivery is dead-lettered: the first and one after each delay."""
    return len(schedule) + 1
