"""Every statement on the notifications area's tables: other modules call these functions and get typed records back.

Scope arrives as data: a subscription scope is a region path prefix (None: every subscription, an administrator's),
a notification scope is the caller's actor, whose visible enterprises org's store composes as a subquery.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.access.model import Actor, Role
from domain.access.scope import like_prefix
from domain.db.transactions import transaction
from domain.ids import new_id
from domain.notifications.model import DeliveryStatus, SubscriptionFilter
from domain.notifications.tables import DeliveryAttempt, Notification, WebhookDelivery, WebhookSubscription
from domain.org.store import enterprise_in_scope

# --- records ---------------------------------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class NewSubscriptionRow:
    """A subscription about to be stored, with its secret and the region path it hears."""

    id: str
    url: str
    secret: str
    audience: str
    event_kinds: list[str]
    region_code: str | None
    region_path: str | None
    enterprise_id: str | None
    description: str
    created_by: str
    created_at: datetime


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


@dataclass(frozen=True, slots=True)
class NewNotification:
    """A notification about to be stored (its `data` already JSON, as every try will send it)."""

    id: str
    event_key: str
    kind: str
    audience: str
    enterprise_id: str
    region_path: str
    subject_kind: str
    subject_id: str
    data: str
    occurred_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery a sender just claimed, with its endpoint and the notification it carries."""

    id: str
    tries: int
    failures_in_row: int
    url: str
    secret: str
    notification: NotificationRecord


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


@dataclass(frozen=True, slots=True)
class TryOutcome:
    """What one try of a delivery changes: its new status and schedule, and the line of its log."""

    status: DeliveryStatus
    outcome: str  # delivered | retry | dead
    tries: int
    failures_in_row: int
    next_attempt_at: datetime
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str


# --- subscriptions ---------------------------------------------------------------------------------------------------


def _subscription(row: dict) -> SubscriptionRecord:
    fields = {name: row[name] for name in SubscriptionRecord.__dataclass_fields__ if name != "event_kinds"}
    return SubscriptionRecord(**fields, event_kinds=json.loads(row["event_kinds"]))


def _subscriptions_under(region_prefix: str | None):
    """Subscriptions of a region subtree (None: all of them)."""
    if region_prefix is None:
        return WebhookSubscription.id.is_not_null()
    return WebhookSubscription.region_path.like(region_prefix + "%")


async def insert_subscription(new: NewSubscriptionRow) -> None:
    """Store a new, active subscription."""
    row = WebhookSubscription(
        id=new.id,
        url=new.url,
        secret=new.secret,
        audience=new.audience,
        event_kinds=json.dumps(new.event_kinds),
        region_code=new.region_code,
        region_path=new.region_path,
        enterprise_id=new.enterprise_id,
        description=new.description,
        active=True,
        created_by=new.created_by,
        created_at=new.created_at,
        updated_at=new.created_at,
    )
    async with transaction():
        await WebhookSubscription.insert(row).run()


async def subscription_under(region_prefix: str | None, subscription_id: str) -> SubscriptionRecord | None:
    """One subscription, if it lies in the region subtree (None: anywhere)."""
    row = (
        await WebhookSubscription.select()
        .where(WebhookSubscription.id == subscription_id, _subscriptions_under(region_prefix))
        .first()
        .run()
    )
    return _subscription(row) if row else None


async def subscriptions_under(region_prefix: str | None) -> list[SubscriptionRecord]:
    """The subscriptions of a region subtree (None: all), oldest first."""
    rows = (
        await WebhookSubscription.select()
        .where(_subscriptions_under(region_prefix))
        .order_by(WebhookSubscription.id)
        .run()
    )
    return [_subscription(row) for row in rows]


async def set_subscription_active(subscription_id: str, *, active: bool, now: datetime) -> None:
    """Disable or enable a subscription."""
    async with transaction():
        await (
            WebhookSubscription.update({WebhookSubscription.active: active, WebhookSubscription.updated_at: now})
            .where(WebhookSubscription.id == subscription_id)
            .run()
        )


async def subscription_is_active(subscription_id: str) -> bool:
    """Whether the subscription exists and is active."""
    row = (
        await WebhookSubscription.select(WebhookSubscription.active)
        .where(WebhookSubscription.id == subscription_id)
        .first()
        .run()
    )
    return bool(row and row["active"])


async def subscription_exists_for(url: str) -> bool:
    """Whether any subscription posts to this URL."""
    return await WebhookSubscription.exists().where(WebhookSubscription.url == url).run()


async def active_filters(audience: str) -> list[tuple[str, SubscriptionFilter]]:
    """(subscription id, what it hears) of every active subscription of a side."""
    rows = (
        await WebhookSubscription.select()
        .where(WebhookSubscription.active.eq(True), WebhookSubscription.audience == audience)
        .run()
    )
    return [
        (
            row["id"],
            SubscriptionFilter(
                row["audience"], frozenset(json.loads(row["event_kinds"])), row["region_path"], row["enterprise_id"]
            ),
        )
        for row in rows
    ]


# --- notifications ---------------------------------------------------------------------------------------------------


def _notification(row: dict) -> NotificationRecord:
    return NotificationRecord(
        **{name: row[name] for name in NotificationRecord.__dataclass_fields__ if name != "data"},
        data=json.loads(row["data"]),
    )


async def insert_notification(new: NewNotification) -> bool:
    """Store a notification unless its event was notified before (its `event_key`); True when it was inserted."""
    inserted = (
        await Notification.insert(
            Notification(
                id=new.id,
                event_key=new.event_key,
                kind=new.kind,
                audience=new.audience,
                enterprise_id=new.enterprise_id,
                region_path=new.region_path,
                subject_kind=new.subject_kind,
                subject_id=new.subject_id,
                data=new.data,
                occurred_at=new.occurred_at,
                created_at=new.created_at,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(Notification.id)
        .run()
    )
    return bool(inserted)


async def insert_deliveries(notification_id: str, subscription_ids: Sequence[str], *, now: datetime) -> list[str]:
    """A pending delivery of the notification to each subscription, due now; their ids."""
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
        for subscription_id in subscription_ids
    ]
    if deliveries:
        await WebhookDelivery.insert(*deliveries).on_conflict(action="DO NOTHING").run()
    return [delivery.id for delivery in deliveries]


async def notifications_page(
    actor: Actor, *, side: str | None, before_id: str | None, limit: int
) -> list[NotificationRecord]:
    """Up to `limit` notifications in the actor's scope (of one side unless None), newest first, before `before_id`."""
    in_scope = enterprise_in_scope(Notification.enterprise_id, actor)
    # a notification about no enterprise (a public report routed by its place) belongs to its region's regulators
    if actor.role is Role.ADMIN:
        in_scope = in_scope | (Notification.enterprise_id == "")
    elif actor.role is Role.REGULATOR and actor.region_path:
        in_region = Notification.region_path.like(like_prefix(actor.region_path))
        in_scope = in_scope | ((Notification.enterprise_id == "") & in_region)
    query = Notification.select().where(in_scope).order_by(Notification.id, ascending=False).limit(limit)
    if side is not None:
        query = query.where(Notification.audience == side)
    if before_id:
        query = query.where(Notification.id < before_id)
    return [_notification(row) for row in await query.run()]


# --- delivery --------------------------------------------------------------------------------------------------------


def _due(now: datetime):
    active = WebhookSubscription.select(WebhookSubscription.id).where(WebhookSubscription.active.eq(True))
    return (
        (WebhookDelivery.status == DeliveryStatus.PENDING.value)
        & (WebhookDelivery.next_attempt_at <= now)
        & (WebhookDelivery.claimed_until < now)
        & WebhookDelivery.subscription_id.is_in(active)
    )


async def claim_due(
    *, now: datetime, token: str, limit: int, delivery_ids: Sequence[str] | None, lease: timedelta
) -> list[ClaimedDelivery]:
    """Take due deliveries under `token`: one UPDATE whose condition only one concurrent writer can meet; then their
    notifications and endpoints, in delivery id order."""
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
        row["id"]: _notification(row)
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
        ClaimedDelivery(
            id=row["id"],
            tries=row["tries"],
            failures_in_row=row["failures_in_row"],
            url=subscriptions[row["subscription_id"]]["url"],
            secret=subscriptions[row["subscription_id"]]["secret"],
            notification=notifications[row["notification_id"]],
        )
        for row in sorted(claimed, key=lambda row: row["id"])
    ]


async def record_try(delivery_id: str, token: str, outcome: TryOutcome, *, now: datetime) -> bool:
    """Move the delivery on and log the try, if `token` still holds its claim; False (nothing written) if not."""
    changes = {
        WebhookDelivery.status: outcome.status.value,
        WebhookDelivery.tries: outcome.tries,
        WebhookDelivery.failures_in_row: outcome.failures_in_row,
        WebhookDelivery.next_attempt_at: outcome.next_attempt_at,
        WebhookDelivery.claimed_until: now,
        WebhookDelivery.claim_token: None,
        WebhookDelivery.last_status_code: outcome.status_code,
        WebhookDelivery.last_error: outcome.error,
        WebhookDelivery.updated_at: now,
    }
    if outcome.status is DeliveryStatus.DELIVERED:
        changes[WebhookDelivery.delivered_at] = now
    if outcome.status is DeliveryStatus.DEAD:
        changes[WebhookDelivery.dead_at] = now
    async with transaction():
        held = (
            await WebhookDelivery.update(changes)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claim_token == token)
            .returning(WebhookDelivery.id)
            .run()
        )
        if not held:
            return False
        await DeliveryAttempt.insert(
            DeliveryAttempt(
                id=new_id(),
                delivery_id=delivery_id,
                attempt=outcome.tries,
                started_at=outcome.started_at,
                duration_ms=outcome.duration_ms,
                status_code=outcome.status_code,
                error=outcome.error,
                outcome=outcome.outcome,
            )
        ).run()
    return True


# --- deliveries as administrators and regulators see them ------------------------------------------------------------


def _deliveries_under(region_prefix: str | None):
    return WebhookDelivery.subscription_id.is_in(
        WebhookSubscription.select(WebhookSubscription.id).where(_subscriptions_under(region_prefix))
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


async def deliveries_page(
    region_prefix: str | None,
    *,
    status: str | None,
    subscription_id: str | None,
    before_id: str | None,
    limit: int,
) -> list[DeliveryRecord]:
    """Up to `limit` deliveries of the subscriptions of a region subtree (None: all), newest first."""
    query = (
        WebhookDelivery.select()
        .where(_deliveries_under(region_prefix))
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(limit)
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    if before_id:
        query = query.where(WebhookDelivery.id < before_id)
    return await _delivery_records(await query.run())


async def delivery_under(region_prefix: str | None, delivery_id: str) -> DeliveryRecord | None:
    """One delivery of a subscription of the region subtree (None: any)."""
    row = (
        await WebhookDelivery.select()
        .where(WebhookDelivery.id == delivery_id, _deliveries_under(region_prefix))
        .first()
        .run()
    )
    return (await _delivery_records([row]))[0] if row else None


async def delivery_state_under(region_prefix: str | None, delivery_id: str) -> tuple[str, str] | None:
    """(subscription id, status) of one delivery of a subscription of the region subtree (None: any)."""
    row = (
        await WebhookDelivery.select(WebhookDelivery.subscription_id, WebhookDelivery.status)
        .where(WebhookDelivery.id == delivery_id, _deliveries_under(region_prefix))
        .first()
        .run()
    )
    return (row["subscription_id"], row["status"]) if row else None


async def attempts_of(delivery_id: str) -> list[AttemptRecord]:
    """Every logged try of a delivery, oldest first."""
    rows = (
        await DeliveryAttempt.select()
        .where(DeliveryAttempt.delivery_id == delivery_id)
        .order_by(DeliveryAttempt.attempt)
        .run()
    )
    return [AttemptRecord(**{name: row[name] for name in AttemptRecord.__dataclass_fields__}) for row in rows]


async def revive(delivery_id: str, *, now: datetime) -> bool:
    """Put a dead-lettered delivery back on a fresh schedule, due now (in the caller's transaction); False when it
    was not dead."""
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
    return bool(revived)
