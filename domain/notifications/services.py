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
from domain.access.scope import like_prefix
from domain.clock import utcnow
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.hazards.tables import Hazard
from domain.history.store import chain_rows
from domain.ids import new_id
from domain.notifications.model import (
    RETRY_SCHEDULE_S,
    Audience,
    DeliveryStatus,
    Notice,
    RedriveNotAllowed,
    SubscriptionFilter,
    check_webhook_url,
    hazard_notices,
    is_retryable,
    is_success,
    retry_delay_s,
    signed_headers,
    subscription_hears,
)
from domain.notifications.tables import DeliveryAttempt, Notification, WebhookDelivery, WebhookSubscription
from domain.org.scope import require_enterprise, require_region
from domain.org.store import enterprise_condition
from domain.org.tables import Enterprise
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


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """A subscription as listed (never with its secret)."""

    id: str
    url: str
    audience: str
    event_kinds: list[str]
    region_code: str | None
    enterprise_id: str | None
    description: str
    active: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


def _subscription(row: dict) -> SubscriptionRecord:
    fields = {name: row[name] for name in SubscriptionRecord.__dataclass_fields__ if name != "event_kinds"}
    return SubscriptionRecord(**fields, event_kinds=json.loads(row["event_kinds"]))


def _subscriptions_in_scope(actor: Actor):
    """Subscriptions the actor may see: all for an administrator, those inside a regulator's region for them."""
    require(actor, Action.MANAGE_WEBHOOKS)
    if actor.role is Role.ADMIN:
        return WebhookSubscription.id.is_not_null()
    return WebhookSubscription.region_path.like((actor.region_path or "/nowhere/") + "%")


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
    row = WebhookSubscription(
        id=new_id(),
        url=url,
        secret=secret,
        audience=str(audience),
        event_kinds=json.dumps(sorted(set(new.event_kinds))),
        region_code=region_code,
        region_path=region_path,
        enterprise_id=new.enterprise_id,
        description=new.description,
        active=True,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    async with transaction():
        await WebhookSubscription.insert(row).run()
    return await get_subscription(actor=actor, subscription_id=row.id), secret


async def _subscription_row(actor: Actor, subscription_id: str) -> dict:
    row = (
        await WebhookSubscription.select()
        .where(WebhookSubscription.id == subscription_id, _subscriptions_in_scope(actor))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("no such webhook", entity="webhook", id=subscription_id)
    return row


async def get_subscription(*, actor: Actor, subscription_id: str) -> SubscriptionRecord:
    """One subscription in the caller's scope."""
    return _subscription(await _subscription_row(actor, subscription_id))


async def list_subscriptions(*, actor: Actor) -> list[SubscriptionRecord]:
    """Subscriptions in the caller's scope, oldest first."""
    rows = (
        await WebhookSubscription.select().where(_subscriptions_in_scope(actor)).order_by(WebhookSubscription.id).run()
    )
    return [_subscription(row) for row in rows]


async def set_subscription_active(
    *, actor: Actor, subscription_id: str, active: bool, now: datetime | None = None
) -> SubscriptionRecord:
    """Disable (or enable again) a subscription; a disabled one's pending deliveries wait, nothing is deleted."""
    await _subscription_row(actor, subscription_id)
    async with transaction():
        await (
            WebhookSubscription.update(
                {WebhookSubscription.active: active, WebhookSubscription.updated_at: now or utcnow()}
            )
            .where(WebhookSubscription.id == subscription_id)
            .run()
        )
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


async def enterprise_place(enterprise_id: str) -> dict:
    """The enterprise's name and region (who hears of its events)."""
    return (
        await Enterprise.select(Enterprise.id, Enterprise.name, Enterprise.region_code, Enterprise.region_path)
        .where(Enterprise.id == enterprise_id)
        .first()
        .run()
    )


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
    inserted = (
        await Notification.insert(
            Notification(
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
        )
        .on_conflict(action="DO NOTHING")
        .returning(Notification.id)
        .run()
    )
    if not inserted:
        return []
    subscriptions = (
        await WebhookSubscription.select()
        .where(WebhookSubscription.active.eq(True), WebhookSubscription.audience == str(notice.audience))
        .run()
    )
    hearing = [
        row["id"]
        for row in subscriptions
        if subscription_hears(
            SubscriptionFilter(
                row["audience"], frozenset(json.loads(row["event_kinds"])), row["region_path"], row["enterprise_id"]
            ),
            kind=str(notice.kind),
            audience=str(notice.audience),
            enterprise_id=subject.enterprise_id,
            region_path=subject.region_path,
        )
    ]
    deliveries = [
        WebhookDelivery(
            id=new_id(),
            notification_id=notification_id,
            subscription_id=subscription_id,
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=now,
            claimed_until=now,
            created_at=now,
            updated_at=now,
        )
        for subscription_id in hearing
    ]
    if deliveries:
        await WebhookDelivery.insert(*deliveries).on_conflict(action="DO NOTHING").run()
    return [delivery.id for delivery in deliveries]


async def notify_hazard_event(*, hazard_id: str, seq: int, now: datetime | None = None) -> list[str]:
    """The notifications of event `seq` of a hazard's chain (the table in model.py); the new deliveries' ids."""
    now = now or utcnow()
    event = next((row for row in await chain_rows(hazard_id) if row["seq"] == seq), None)
    hazard = (
        await Hazard.select(Hazard.id, Hazard.enterprise_id, Hazard.title, Hazard.level, Hazard.status, Hazard.deadline)
        .where(Hazard.id == hazard_id)
        .first()
        .run()
    )
    if event is None or hazard is None:  # the outbox runs after commit, so this is a hazard that never was
        return []
    payload = json.loads(event["payload"])
    notices = hazard_notices(event["action"], payload, hazard["level"])
    if not notices:
        return []
    place = await enterprise_place(hazard["enterprise_id"])
    subject = NotificationSubject("hazard", hazard_id, hazard["enterprise_id"], place["region_path"])
    data = {
        "hazardId": hazard_id,
        "seq": seq,
        "action": event["action"],
        "name": event["name"],
        "title": hazard["title"],
        "level": payload.get("level") or hazard["level"],
        "status": payload.get("to_status") or payload.get("status"),
        "deadline": hazard["deadline"],
        "enterpriseName": place["name"],
        "regionCode": place["region_code"],
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


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """A notification as its side reads it in the app."""

    id: str
    kind: str
    audience: str
    enterprise_id: str
    subject_kind: str
    subject_id: str
    data: dict[str, Any]
    occurred_at: datetime
    created_at: datetime


async def list_notifications(
    *, actor: Actor, cursor: str | None = None, limit: int | None = None
) -> Page[NotificationRecord]:
    """The notifications of the caller's side in their scope, newest first (an inspector's side has none)."""
    require(actor, Action.READ_NOTIFICATIONS)
    size = clamp_limit(limit)
    in_scope = Notification.enterprise_id.is_in(Enterprise.select(Enterprise.id).where(enterprise_condition(actor)))
    # a notification about no enterprise (a public report routed by its place) belongs to its region's regulators
    if actor.role is Role.ADMIN:
        in_scope = in_scope | (Notification.enterprise_id == "")
    elif actor.role is Role.REGULATOR and actor.region_path:
        in_region = Notification.region_path.like(like_prefix(actor.region_path))
        in_scope = in_scope | ((Notification.enterprise_id == "") & in_region)
    query = Notification.select().where(in_scope).order_by(Notification.id, ascending=False).limit(size + 1)
    if actor.role is not Role.ADMIN:
        side = Audience.REGULATOR if actor.role is Role.REGULATOR else Audience.ENTERPRISE
        query = query.where(Notification.audience == str(side))
    if after := decode_cursor(cursor):
        query = query.where(Notification.id < after)
    page = page_of(await query.run(), size, lambda row: row["id"])
    items = [
        NotificationRecord(
            **{name: row[name] for name in NotificationRecord.__dataclass_fields__ if name != "data"},
            data=json.loads(row["data"]),
        )
        for row in page.items
    ]
    return Page(items=items, next_cursor=page.next_cursor)


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


def webhook_body(delivery_id: str, notification: dict) -> bytes:
    """The JSON body of a delivery: the same bytes on every try (keys sorted, data frozen in the notification)."""
    envelope = {
        "deliveryId": delivery_id,
        "notificationId": notification["id"],
        "event": notification["kind"],
        "audience": notification["audience"],
        "enterpriseId": notification["enterprise_id"],
        "occurredAt": notification["occurred_at"].isoformat(),
        "data": json.loads(notification["data"]),
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _due(now: datetime):
    active = WebhookSubscription.select(WebhookSubscription.id).where(WebhookSubscription.active.eq(True))
    return (
        (WebhookDelivery.status == DeliveryStatus.PENDING.value)
        & (WebhookDelivery.next_attempt_at <= now)
        & (WebhookDelivery.claimed_until < now)
        & WebhookDelivery.subscription_id.is_in(active)
    )


async def claim_due(
    *, now: datetime, limit: int = SEND_BATCH, delivery_ids: Sequence[str] | None = None, lease: timedelta = CLAIM_LEASE
) -> list[Claimed]:
    """Take due deliveries for this sender: one UPDATE whose condition only one concurrent writer can meet."""
    token = new_id()
    candidates = WebhookDelivery.select(WebhookDelivery.id).where(_due(now))
    if delivery_ids is not None:
        candidates = candidates.where(WebhookDelivery.id.is_in(list(delivery_ids) or [""]))
    candidates = candidates.order_by(WebhookDelivery.next_attempt_at).limit(limit)
    async with transaction():
        # the due condition again in the UPDATE itself: a row another sender claimed meanwhile no longer matches
        claimed = (
            await WebhookDelivery.update(
                {WebhookDelivery.claimed_until: now + lease, WebhookDelivery.claim_token: token}
            )
            .where(WebhookDelivery.id.is_in(candidates), _due(now))
            .returning(
                WebhookDelivery.id,
                WebhookDelivery.tries,
                WebhookDelivery.failures_in_row,
                WebhookDelivery.notification_id,
                WebhookDelivery.subscription_id,
            )
            .run()
        )
    if not claimed:
        return []
    notifications = {
        row["id"]: row
        for row in await Notification.select()
        .where(Notification.id.is_in([row["notification_id"] for row in claimed]))
        .run()
    }
    subscriptions = {
        row["id"]: row
        for row in await WebhookSubscription.select(
            WebhookSubscription.id, WebhookSubscription.url, WebhookSubscription.secret
        )
        .where(WebhookSubscription.id.is_in([row["subscription_id"] for row in claimed]))
        .run()
    }
    return [
        Claimed(
            id=row["id"],
            token=token,
            tries=row["tries"],
            failures_in_row=row["failures_in_row"],
            url=subscriptions[row["subscription_id"]]["url"],
            secret=subscriptions[row["subscription_id"]]["secret"],
            kind=notifications[row["notification_id"]]["kind"],
            body=webhook_body(row["id"], notifications[row["notification_id"]]),
        )
        for row in sorted(claimed, key=lambda row: row["id"])
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
    changes = {
        WebhookDelivery.status: status.value,
        WebhookDelivery.tries: delivery.tries + 1,
        WebhookDelivery.failures_in_row: delivery.failures_in_row + 1 if failed else delivery.failures_in_row,
        WebhookDelivery.next_attempt_at: next_at,
        WebhookDelivery.claimed_until: now,
        WebhookDelivery.claim_token: None,
        WebhookDelivery.last_status_code: result.status_code,
        WebhookDelivery.last_error: result.error,
        WebhookDelivery.updated_at: now,
    }
    if status is DeliveryStatus.DELIVERED:
        changes[WebhookDelivery.delivered_at] = now
    if status is DeliveryStatus.DEAD:
        changes[WebhookDelivery.dead_at] = now
    async with transaction():
        held = (
            await WebhookDelivery.update(changes)
            .where(WebhookDelivery.id == delivery.id, WebhookDelivery.claim_token == delivery.token)
            .returning(WebhookDelivery.id)
            .run()
        )
        if not held:
            return None
        await DeliveryAttempt.insert(
            DeliveryAttempt(
                id=new_id(),
                delivery_id=delivery.id,
                attempt=delivery.tries + 1,
                started_at=result.started_at,
                duration_ms=result.duration_ms,
                status_code=result.status_code,
                error=result.error,
                outcome=outcome,
            )
        ).run()
    return status


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


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One logged try."""

    attempt: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str
    outcome: str


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """A delivery with its notification's kind and, when asked for one, its log of tries."""

    id: str
    notification_id: str
    subscription_id: str
    kind: str
    status: str
    tries: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None
    dead_at: datetime | None
    redriven_at: datetime | None
    created_at: datetime
    attempts: list[AttemptRecord] = field(default_factory=list)


def _deliveries_in_scope(actor: Actor):
    return WebhookDelivery.subscription_id.is_in(
        WebhookSubscription.select(WebhookSubscription.id).where(_subscriptions_in_scope(actor))
    )


async def _delivery_records(rows: list[dict]) -> list[DeliveryRecord]:
    kinds = {}
    if rows:
        found = (
            await Notification.select(Notification.id, Notification.kind)
            .where(Notification.id.is_in(sorted({row["notification_id"] for row in rows})))
            .run()
        )
        kinds = {row["id"]: row["kind"] for row in found}
    fields = [
        name for name in DeliveryRecord.__dataclass_fields__ if name not in ("kind", "attempts", "next_attempt_at")
    ]
    return [
        DeliveryRecord(
            **{name: row[name] for name in fields},
            kind=kinds.get(row["notification_id"], ""),
            next_attempt_at=row["next_attempt_at"] if row["status"] == DeliveryStatus.PENDING else None,
        )
        for row in rows
    ]


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
    query = (
        WebhookDelivery.select()
        .where(_deliveries_in_scope(actor))
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(size + 1)
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == DeliveryStatus(status).value)
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    if after := decode_cursor(cursor):
        query = query.where(WebhookDelivery.id < after)
    page = page_of(await query.run(), size, lambda row: row["id"])
    return Page(items=await _delivery_records(page.items), next_cursor=page.next_cursor)


async def _delivery_row(actor: Actor, delivery_id: str) -> dict:
    row = (
        await WebhookDelivery.select()
        .where(WebhookDelivery.id == delivery_id, _deliveries_in_scope(actor))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("no such delivery", entity="delivery", id=delivery_id)
    return row


async def get_delivery(*, actor: Actor, delivery_id: str) -> DeliveryRecord:
    """One delivery in scope with every logged try, oldest first."""
    record = (await _delivery_records([await _delivery_row(actor, delivery_id)]))[0]
    tries = (
        await DeliveryAttempt.select()
        .where(DeliveryAttempt.delivery_id == delivery_id)
        .order_by(DeliveryAttempt.attempt)
        .run()
    )
    attempts = [AttemptRecord(**{name: row[name] for name in AttemptRecord.__dataclass_fields__}) for row in tries]
    return DeliveryRecord(
        **{name: getattr(record, name) for name in DeliveryRecord.__dataclass_fields__ if name != "attempts"},
        attempts=attempts,
    )


async def redrive(*, actor: Actor, delivery_id: str, now: datetime | None = None) -> DeliveryRecord:
    """Send a dead-lettered delivery again, same id and body, on a fresh schedule (the outbox starts it now)."""
    now = now or utcnow()
    row = await _delivery_row(actor, delivery_id)
    subscription = (
        await WebhookSubscription.select(WebhookSubscription.active)
        .where(WebhookSubscription.id == row["subscription_id"])
        .first()
        .run()
    )
    if not subscription["active"]:
        raise RedriveNotAllowed("the webhook is disabled; enable it first", reason="subscription_disabled")
    async with transaction():
        revived = (
            await WebhookDelivery.update(
                {
                    WebhookDelivery.status: DeliveryStatus.PENDING.value,
                    WebhookDelivery.failures_in_row: 0,
                    WebhookDelivery.next_attempt_at: now,
                    WebhookDelivery.claimed_until: now,
                    WebhookDelivery.dead_at: None,
                    WebhookDelivery.redriven_at: now,
                    WebhookDelivery.updated_at: now,
                }
            )
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.DEAD.value)
            .returning(WebhookDelivery.id)
            .run()
        )
        if not revived:
            raise RedriveNotAllowed(
                "only a dead-lettered delivery is sent again", reason="not_dead", status=row["status"]
            )
        await add_to_outbox(DELIVER_JOB, delivery_id, now=now)
    return await get_delivery(actor=actor, delivery_id=delivery_id)
