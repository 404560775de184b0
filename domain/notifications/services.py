"""Use cases of notifications: subscriptions, turning events into notifications, and delivering them as webhooks.

A notification is written in the transaction of whatever caused it, with one delivery row per subscription that
hears it (the pair is unique), so a crash never leaves an event half-notified and notifying it again adds nothing.
Sending happens outside any transaction: a sender *claims* due deliveries with one UPDATE (`next_attempt_at <= now
AND claimed_until < now`, which the database lets only one writer win), posts each with httpx, and records the try
and its consequence (delivered, a later try, or the dead-letter queue) only if it still holds the claim. Everything
a delivery needs is in the database, so a process that dies mid-send loses nothing: the claim lapses and the next
pass sends that try again under the same delivery id, which receivers use to ignore repeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from domain.access.model import Actor, Role
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.hazards import store as hazards
from domain.history.store import chain_rows
from domain.ids import new_id
from domain.notifications import store
from domain.notifications.model import (
    RETRY_SCHEDULE_S,
    Audience,
    DeliveryStatus,
    Notice,
    RedriveNotAllowed,
    check_webhook_url,
    hazard_notices,
    is_retryable,
    is_success,
    retry_delay_s,
    signed_headers,
    subscription_hears,
)
from domain.notifications.store import (
    DeliveryRecord,
    NewNotification,
    NewSubscriptionRow,
    NotificationRecord,
    SubscriptionRecord,
    TryOutcome,
)
from domain.org import store as org
from domain.org.model import EnterpriseRecord
from domain.org.scope import require_enterprise, require_region
from domain.outbox.services import add_to_outbox

REQUEST_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 5.0
SEND_BATCH = 20
PARALLEL_SENDS = 10
# A claim outlives a batch's slowest tries (two rounds of sends, each phase under its timeout) with room to spare;
# only after it lapses may another sender try the same delivery (the receiver then sees its id twice).
CLAIM_LEASE = timedelta(minutes=5)
PASS_BUDGET_S = 40.0  # a minute's pass stops claiming after this, so passes do not pile up
DELIVER_JOB = "deliver_notification"


# --- subscriptions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewSubscription:
    """What an administrator or regulator asks to hear, and where."""

    url: str
    audience: str = Audience.REGULATOR
    event_kinds: tuple[str, ...] = ()
    region_code: str | None = None
    enterprise_id: str | None = None
    description: str = ""


def _subscription_scope(actor: Actor) -> str | None:
    """The region path prefix of the subscriptions the actor may see (None: all, an administrator's)."""
    require(actor, Action.MANAGE_WEBHOOKS)
    if actor.role is Role.ADMIN:
        return None
    return actor.region_path or "/nowhere/"


async def _region_path(actor: Actor, region_code: str | None) -> tuple[str | None, str | None]:
    if region_code is None:
        if actor.role is Role.ADMIN:
            return None, None
        # a regulator hears their own region unless they narrow it; a path ends in the region's own code
        return (actor.region_path or "").strip("/").split("/")[-1] or None, actor.region_path
    row = await require_region(actor, region_code)
    return row.code, row.path


async def create_subscription(
    *, actor: Actor, new: NewSubscription, now: datetime | None = None
) -> tuple[SubscriptionRecord, str]:
    """Register an endpoint; returns it and its signing secret, which is shown this once."""
    now = now or utcnow()
    require(actor, Action.MANAGE_WEBHOOKS)
    audience = Audience(new.audience)
    if actor.role is Role.REGULATOR and audience is not Audience.REGULATOR:
        raise Forbidden("a regulator subscribes to the regulator side only", field="audience")
    url = check_webhook_url(new.url)
    region_code, region_path = await _region_path(actor, new.region_code)
    if new.enterprise_id is not None:
        enterprise = await require_enterprise(actor, new.enterprise_id)
        if region_path is not None and not enterprise.region_path.startswith(region_path):
            raise InvalidInput("the enterprise lies outside the region", field="enterpriseId", reason="outside_region")
        region_code, region_path = region_code or enterprise.region_code, region_path or enterprise.region_path
    secret = "whsec_" + secrets.token_urlsafe(32)
    row = NewSubscriptionRow(
        id=new_id(),
        url=url,
        secret=secret,
        audience=str(audience),
        event_kinds=sorted(set(new.event_kinds)),
        region_code=region_code,
        region_path=region_path,
        enterprise_id=new.enterprise_id,
        description=new.description,
        created_by=actor.user_id,
        created_at=now,
    )
    await store.insert_subscription(row)
    return await get_subscription(actor=actor, subscription_id=row.id), secret


async def get_subscription(*, actor: Actor, subscription_id: str) -> SubscriptionRecord:
    """One subscription in the caller's scope."""
    record = await store.subscription_under(_subscription_scope(actor), subscription_id)
    if record is None:
        raise NotFound("no such webhook", entity="webhook", id=subscription_id)
    return record


async def list_subscriptions(*, actor: Actor) -> list[SubscriptionRecord]:
    """Subscriptions in the caller's scope, oldest first."""
    return await store.subscriptions_under(_subscription_scope(actor))


async def set_subscription_active(
    *, actor: Actor, subscription_id: str, active: bool, now: datetime | None = None
) -> SubscriptionRecord:
    """Disable (or enable again) a subscription; a disabled one's pending deliveries wait, nothing is deleted."""
    await get_subscription(actor=actor, subscription_id=subscription_id)
    await store.set_subscription_active(subscription_id, active=active, now=now or utcnow())
    return await get_subscription(actor=actor, subscription_id=subscription_id)


# --- notifications -------------------------------------------------------------------------------------------------


def to_json(data: dict[str, Any]) -> str:
    """Notification data as stored and sent: keys sorted, times in RFC 3339 as the contract writes them."""
    return json.dumps(
        data,
        ensure_ascii=False,
        sort_keys=True,
        default=lambda value: value.isoformat() if isinstance(value, datetime) else str(value),
    )


@dataclass(frozen=True, slots=True)
class NotificationSubject:
    """What a notification is about and where it sits: the enterprise and its region decide who hears it."""

    kind: str  # hazard | tasks
    id: str
    enterprise_id: str
    region_path: str


async def enterprise_place(enterprise_id: str) -> EnterpriseRecord | None:
    """The enterprise's name and region (who hears of its events)."""
    return await org.enterprise(enterprise_id)


async def record_notification(
    *,
    event_key: str,
    notice: Notice,
    subject: NotificationSubject,
    data: dict[str, Any],
    occurred_at: datetime,
    now: datetime,
    notification_id: str | None = None,
) -> list[str]:
    """Store a notification and its deliveries in the caller's transaction; the ids of new deliveries (none when
    this event was notified before, whatever the subscriptions are now)."""
    notification_id = notification_id or new_id()
    new = NewNotification(
        id=notification_id,
        event_key=event_key,
        kind=str(notice.kind),
        audience=str(notice.audience),
        enterprise_id=subject.enterprise_id,
        region_path=subject.region_path,
        subject_kind=subject.kind,
        subject_id=subject.id,
        data=to_json(data),
        occurred_at=occurred_at,
        created_at=now,
    )
    if not await store.insert_notification(new):
        return []
    hearing = [
        subscription_id
        for subscription_id, hears in await store.active_filters(str(notice.audience))
        if subscription_hears(
            hears,
            kind=str(notice.kind),
            audience=str(notice.audience),
            enterprise_id=subject.enterprise_id,
            region_path=subject.region_path,
        )
    ]
    return await store.insert_deliveries(notification_id, hearing, now=now)


async def notify_hazard_event(*, hazard_id: str, seq: int, now: datetime | None = None) -> list[str]:
    """The notifications of event `seq` of a hazard's chain (the table in model.py); the new deliveries' ids."""
    now = now or utcnow()
    event = next((row for row in await chain_rows(hazard_id) if row["seq"] == seq), None)
    hazard = await hazards.hazard_brief(hazard_id)
    if event is None or hazard is None:  # the outbox runs after commit, so this is a hazard that never was
        return []
    payload = json.loads(event["payload"])
    notices = hazard_notices(event["action"], payload, hazard.level)
    if not notices:
        return []
    place = await enterprise_place(hazard.enterprise_id)
    subject = NotificationSubject("hazard", hazard_id, hazard.enterprise_id, place.region_path)
    data = {
        "hazardId": hazard_id,
        "seq": seq,
        "action": event["action"],
        "name": event["name"],
        "title": hazard.title,
        "level": payload.get("level") or hazard.level,
        "status": payload.get("to_status") or payload.get("status"),
        "deadline": hazard.deadline,
        "enterpriseName": place.name,
        "regionCode": place.region_code,
        "actorRole": event["role"],
        "historyHash": event["hash"],
    }
    delivery_ids: list[str] = []
    async with transaction():
        for notice in notices:
            delivery_ids += await record_notification(
                event_key=f"hazard:{hazard_id}:{seq}:{notice.audience}",
                notice=notice,
                subject=subject,
                data=data,
                occurred_at=event["at"],
                now=now,
            )
    return delivery_ids


async def list_notifications(
    *, actor: Actor, cursor: str | None = None, limit: int | None = None
) -> Page[NotificationRecord]:
    """The notifications of the caller's side in their scope, newest first (an inspector's side has none)."""
    require(actor, Action.READ_NOTIFICATIONS)
    size = clamp_limit(limit)
    side = None
    if actor.role is not Role.ADMIN:
        side = str(Audience.REGULATOR if actor.role is Role.REGULATOR else Audience.ENTERPRISE)
    items = await store.notifications_page(actor, side=side, before_id=decode_cursor(cursor), limit=size + 1)
    return page_of(items, size, lambda record: record.id)


# --- delivery ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this sender holds, with everything one try needs."""

    id: str
    token: str
    tries: int
    failures_in_row: int
    url: str
    secret: str
    kind: str
    body: bytes


@dataclass(frozen=True, slots=True)
class TryResult:
    """What one POST came to."""

    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str


@dataclass(slots=True)
class DeliveryReport:
    """What one sending pass did."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    lost_claims: int = 0  # another sender took over after our lease lapsed: its record stands
    delivery_ids: list[str] = field(default_factory=list)

    def count(self, status: DeliveryStatus | None) -> None:
        """Count one recorded try by what it led to (None: the claim was lost)."""
        match status:
            case DeliveryStatus.DELIVERED:
                self.delivered += 1
            case DeliveryStatus.PENDING:
                self.retrying += 1
            case DeliveryStatus.DEAD:
                self.dead += 1
            case None:
                self.lost_claims += 1


def webhook_body(delivery_id: str, notification: NotificationRecord) -> bytes:
    """The JSON body of a delivery: the same bytes on every try (keys sorted, data frozen in the notification)."""
    envelope = {
        "deliveryId": delivery_id,
        "notificationId": notification.id,
        "event": notification.kind,
        "audience": notification.audience,
        "enterpriseId": notification.enterprise_id,
        "occurredAt": notification.occurred_at.isoformat(),
        "data": notification.data,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


async def claim_due(
    *, now: datetime, limit: int = SEND_BATCH, delivery_ids: Sequence[str] | None = None, lease: timedelta = CLAIM_LEASE
) -> list[Claimed]:
    """Take due deliveries for this sender: one UPDATE whose condition only one concurrent writer can meet."""
    token = new_id()
    claimed = await store.claim_due(now=now, token=token, limit=limit, delivery_ids=delivery_ids, lease=lease)
    return [
        Claimed(
            id=delivery.id,
            token=token,
            tries=delivery.tries,
            failures_in_row=delivery.failures_in_row,
            url=delivery.url,
            secret=delivery.secret,
            kind=delivery.notification.kind,
            body=webhook_body(delivery.id, delivery.notification),
        )
        for delivery in claimed
    ]


async def post_once(http: httpx.AsyncClient, delivery: Claimed) -> TryResult:
    """One signed POST; every failure becomes a result (httpx's tree: TimeoutException and NetworkError are
    TransportErrors, as is an unsupported URL; InvalidURL is its own), never an exception."""
    started_at, clock = utcnow(), time.monotonic()
    headers = signed_headers(
        secret=delivery.secret,
        kind=delivery.kind,
        delivery_id=delivery.id,
        timestamp=int(started_at.timestamp()),
        body=delivery.body,
    )
    status_code, error = None, ""
    try:
        response = await http.post(delivery.url, content=delivery.body, headers=headers)
        status_code = response.status_code
        if not is_success(status_code):
            error = response.text[:300]
    except (httpx.HTTPError, httpx.InvalidURL) as failure:
        error = f"{type(failure).__name__}: {failure}"[:1000] or type(failure).__name__
    return TryResult(started_at, round((time.monotonic() - clock) * 1000), status_code, error)


async def record_try(
    delivery: Claimed, result: TryResult, *, now: datetime, schedule: Sequence[float] = RETRY_SCHEDULE_S
) -> DeliveryStatus | None:
    """Log the try and move the delivery on, if this sender still holds it; the new status, or None if not."""
    if result.status_code is not None and is_success(result.status_code):
        status, outcome, next_at = DeliveryStatus.DELIVERED, "delivered", now
    else:
        delay = retry_delay_s(delivery.failures_in_row + 1, schedule) if is_retryable(result.status_code) else None
        status, outcome = (DeliveryStatus.PENDING, "retry") if delay is not None else (DeliveryStatus.DEAD, "dead")
        next_at = now + timedelta(seconds=delay or 0)
    failed = status is not DeliveryStatus.DELIVERED
    moved = TryOutcome(
        status=status,
        outcome=outcome,
        tries=delivery.tries + 1,
        failures_in_row=delivery.failures_in_row + 1 if failed else delivery.failures_in_row,
        next_attempt_at=next_at,
        started_at=result.started_at,
        duration_ms=result.duration_ms,
        status_code=result.status_code,
        error=result.error,
    )
    return status if await store.record_try(delivery.id, delivery.token, moved, now=now) else None


def webhook_client(
    timeout_s: float = REQUEST_TIMEOUT_S, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The outbound client: explicit timeouts, no redirects followed (a redirect is the receiver's refusal), no
    proxies from the environment (endpoints are reached directly)."""
    timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport)


async def deliver_due(
    *,
    now: datetime | None = None,
    delivery_ids: Sequence[str] | None = None,
    schedule: Sequence[float] = RETRY_SCHEDULE_S,
    limit: int = SEND_BATCH,
    http: httpx.AsyncClient | None = None,
    budget_s: float = PASS_BUDGET_S,
) -> DeliveryReport:
    """Claim what is due (or only these deliveries, once), send each once and record it as soon as it is answered,
    batch after batch until nothing is due or the pass has used its time."""
    report = DeliveryReport()
    started, gate = time.monotonic(), asyncio.Semaphore(PARALLEL_SENDS)
    async with webhook_client() if http is None else contextlib.nullcontext(http) as client:

        async def send(delivery: Claimed) -> None:
            async with gate:
                result = await post_once(client, delivery)
            report.count(await record_try(delivery, result, now=utcnow(), schedule=schedule))

        while time.monotonic() - started < budget_s:
            claimed = await claim_due(now=now or utcnow(), limit=limit, delivery_ids=delivery_ids)
            report.claimed += len(claimed)
            report.delivery_ids += [delivery.id for delivery in claimed]
            await asyncio.gather(*(send(delivery) for delivery in claimed))
            if not claimed or delivery_ids is not None:
                break
    return report


# --- deliveries as administrators and regulators see them ----------------------------------------------------------


async def list_deliveries(
    *,
    actor: Actor,
    status: str | None = None,
    subscription_id: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[DeliveryRecord]:
    """Deliveries of the subscriptions in scope, newest first; `status=dead` is the dead-letter queue."""
    size = clamp_limit(limit)
    items = await store.deliveries_page(
        _subscription_scope(actor),
        status=DeliveryStatus(status).value if status is not None else None,
        subscription_id=subscription_id,
        before_id=decode_cursor(cursor),
        limit=size + 1,
    )
    return page_of(items, size, lambda record: record.id)


async def get_delivery(*, actor: Actor, delivery_id: str) -> DeliveryRecord:
    """One delivery in scope with every logged try, oldest first."""
    record = await store.delivery_under(_subscription_scope(actor), delivery_id)
    if record is None:
        raise NotFound("no such delivery", entity="delivery", id=delivery_id)
    attempts = await store.attempts_of(delivery_id)
    return DeliveryRecord(
        **{name: getattr(record, name) for name in DeliveryRecord.__dataclass_fields__ if name != "attempts"},
        attempts=attempts,
    )


async def redrive(*, actor: Actor, delivery_id: str, now: datetime | None = None) -> DeliveryRecord:
    """Send a dead-lettered delivery again, same id and body, on a fresh schedule (the outbox starts it now)."""
    now = now or utcnow()
    state = await store.delivery_state_under(_subscription_scope(actor), delivery_id)
    if state is None:
        raise NotFound("no such delivery", entity="delivery", id=delivery_id)
    subscription_id, status = state
    if not await store.subscription_is_active(subscription_id):
        raise RedriveNotAllowed("the webhook is disabled; enable it first", reason="subscription_disabled")
    async with transaction():
        if not await store.revive(delivery_id, now=now):
            raise RedriveNotAllowed("only a dead-lettered delivery is sent again", reason="not_dead", status=status)
        await add_to_outbox(DELIVER_JOB, delivery_id, now=now)
    return await get_delivery(actor=actor, delivery_id=delivery_id)
