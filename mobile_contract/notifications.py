"""Wire types of webhooks (subscriptions, deliveries, their tries) and of the in-app notifications.

A webhook request's body is `{deliveryId, notificationId, event, audience, enterpriseId, occurredAt, data}` with
the headers `X-Shuangfang-Event`, `X-Shuangfang-Delivery`, `X-Shuangfang-Timestamp` and `X-Shuangfang-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` (how to verify it: `domain/notifications/model.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta

from mobile_contract.base import Id, Wire, WireOut

Audience = Literal["regulator", "enterprise"]
EventKind = Literal[
    "hazard.major_reported",
    "hazard.reported_to_regulator",
    "hazard.supervised",
    "hazard.extension_requested",
    "hazard.extension_decided",
    "hazard.resume_applied",
    "hazard.written_off",
    "hazard.continuation_ordered",
    "hazard.acceptance_rejected",
    "escalation.hazard_overdue",
    "escalation.tasks_missed",
    "public_report.received",
]
DeliveryStatus = Literal["pending", "delivered", "dead"]
Url = Annotated[str, Meta(min_length=8, max_length=2000)]
RegionCode = Annotated[str, Meta(min_length=6, max_length=12, pattern=r"^[0-9]+$")]


class WebhookCreate(Wire):
    """`POST /v1/webhooks`: an endpoint for one side's notifications (a regulator: the regulator side, inside their
    region); `eventKinds` empty hears every kind; `regionCode` / `enterpriseId` narrow it."""

    url: Url
    audience: Audience = "regulator"
    event_kinds: Annotated[list[EventKind], Meta(max_length=20)] = []
    region_code: RegionCode | None = None
    enterprise_id: Id | None = None
    description: Annotated[str, Meta(max_length=200)] = ""


class Webhook(WireOut, kw_only=True):
    """A subscription as listed; its secret is never listed."""

    id: str
    url: str
    audience: str
    event_kinds: list[str]
    region_code: str | None = None
    enterprise_id: str | None = None
    description: str = ""
    active: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WireOut):
    """The new subscription and its signing secret, shown this once: store it where the receiver can read it."""

    webhook: Webhook
    secret: str


class WebhookList(WireOut):
    """`GET /v1/webhooks`: the subscriptions in the caller's scope."""

    items: list[Webhook]


class DeliveryAttempt(WireOut, kw_only=True):
    """One try: when, how long, the receiver's status code or the error, and what followed (delivered, retry, dead)."""

    attempt: int
    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str = ""
    outcome: str


class Delivery(WireOut, kw_only=True):
    """A notification's delivery to one webhook; its id is `X-Shuangfang-Delivery`, the same on every try."""

    id: str
    notification_id: str
    webhook_id: str
    event: str
    status: DeliveryStatus
    tries: int
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str = ""
    delivered_at: datetime | None = None
    dead_at: datetime | None = None
    redriven_at: datetime | None = None
    created_at: datetime
    attempts: list[DeliveryAttempt] = []


class DeliveryPage(WireOut):
    """`GET /v1/webhooks/deliveries`: newest first; `status=dead` is the dead-letter queue."""

    items: list[Delivery]
    next_cursor: str | None = None


class Notification(WireOut):
    """Something the caller's side should hear of (`GET /v1/notifications`)."""

    id: str
    event: str
    audience: str
    enterprise_id: str
    subject_kind: str
    subject_id: str
    data: dict[str, Any]
    occurred_at: datetime
    created_at: datetime


class NotificationPage(WireOut):
    """`GET /v1/notifications`: newest first."""

    items: list[Notification]
    next_cursor: str | None = None
