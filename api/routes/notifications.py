"""Webhooks (subscriptions, deliveries, the dead-letter queue and redrive) and the in-app notifications.

`/v1/webhooks` rather than `/v1/admin/webhooks`: regulators register and watch their own region's endpoints too.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter, QueryParameter

from domain.access.model import Actor
from domain.notifications import services as notifications
from mobile_contract import notifications as wire

Cursor = Annotated[str | None, Parameter(max_length=200)]
PageLimit = Annotated[int | None, Parameter(ge=1, le=1000)]


def webhook(record: notifications.SubscriptionRecord) -> wire.Webhook:
    """The wire form of a subscription."""
    return wire.Webhook(**{name: getattr(record, name) for name in wire.Webhook.__struct_fields__})


def delivery(record: notifications.DeliveryRecord) -> wire.Delivery:
    """The wire form of a delivery and its tries."""
    fields = {
        name: getattr(record, name)
        for name in wire.Delivery.__struct_fields__
        if name not in ("webhook_id", "event", "attempts")
    }
    attempts = [
        wire.DeliveryAttempt(**{name: getattr(a, name) for name in wire.DeliveryAttempt.__struct_fields__})
        for a in record.attempts
    ]
    return wire.Delivery(**fields, webhook_id=record.subscription_id, event=record.kind, attempts=attempts)


class WebhookController(Controller):
    """`/v1/webhooks`: administrators, and regulators for their region."""

    path = "/v1/webhooks"
    tags = ["notifications"]

    @post("/", summary="Register a webhook endpoint; the answer shows its signing secret this once")
    async def create(self, actor: Actor, data: wire.WebhookCreate) -> wire.WebhookCreated:
        """Administrators, or regulators for their region: a webhook endpoint; its signing secret is shown in this answer only."""
        new = notifications.NewSubscription(
            url=data.url,
            audience=data.audience,
            event_kinds=tuple(data.event_kinds),
            region_code=data.region_code,
            enterprise_id=data.enterprise_id,
            description=data.description,
        )
        record, secret = await notifications.create_subscription(actor=actor, new=new)
        return wire.WebhookCreated(webhook=webhook(record), secret=secret)

    @get("/", summary="Webhooks in the caller's scope")
    async def list_webhooks(self, actor: Actor) -> wire.WebhookList:
        """The webhooks the caller may manage."""
        return wire.WebhookList(items=[webhook(r) for r in await notifications.list_subscriptions(actor=actor)])

    @get("/deliveries", summary="Deliveries, newest first (status=dead: the dead-letter queue)")
    async def list_deliveries(
        self,
        actor: Actor,
        status: wire.DeliveryStatus | None = None,
        webhook_id: Annotated[str | None, QueryParameter(name="webhookId", max_length=40)] = None,
        cursor: Cursor = None,
        limit: PageLimit = None,
    ) -> wire.DeliveryPage:
        """Webhook deliveries, newest first; `status=dead` lists the dead-letter queue."""
        page = await notifications.list_deliveries(
            actor=actor, status=status, subscription_id=webhook_id, cursor=cursor, limit=limit
        )
        return wire.DeliveryPage(items=[delivery(r) for r in page.items], next_cursor=page.next_cursor)

    @get("/deliveries/{delivery_id:str}", summary="One delivery with every logged try")
    async def get_delivery(self, actor: Actor, delivery_id: str) -> wire.Delivery:
        """One delivery with every try logged (time, status, error)."""
        return delivery(await notifications.get_delivery(actor=actor, delivery_id=delivery_id))

    @post(
        "/deliveries/{delivery_id:str}/redrive",
        status_code=200,
        summary="Send a dead-lettered delivery again (same id and body, fresh retry schedule)",
    )
    async def redrive(self, actor: Actor, delivery_id: str) -> wire.Delivery:
        """Send a dead-lettered delivery again with the same id and body and a fresh retry schedule."""
        return delivery(await notifications.redrive(actor=actor, delivery_id=delivery_id))

    @get("/{webhook_id:str}", summary="One webhook")
    async def get_webhook(self, actor: Actor, webhook_id: str) -> wire.Webhook:
        """One webhook (without its secret)."""
        return webhook(await notifications.get_subscription(actor=actor, subscription_id=webhook_id))

    @post("/{webhook_id:str}/disable", status_code=200, summary="Stop sending to this webhook (pending tries wait)")
    async def disable(self, actor: Actor, webhook_id: str) -> wire.Webhook:
        """Stop sending to this webhook; pending tries wait until it is enabled again."""
        record = await notifications.set_subscription_active(actor=actor, subscription_id=webhook_id, active=False)
        return webhook(record)

    @post("/{webhook_id:str}/enable", status_code=200, summary="Send to this webhook again")
    async def enable(self, actor: Actor, webhook_id: str) -> wire.Webhook:
        """Send to this webhook again, including the tries that waited."""
        record = await notifications.set_subscription_active(actor=actor, subscription_id=webhook_id, active=True)
        return webhook(record)


class NotificationController(Controller):
    """`/v1/notifications`: what the caller's side has been told (enterprise staff, regulators, administrators)."""

    path = "/v1/notifications"
    tags = ["notifications"]

    @get("/", summary="Notifications of the caller's side in their scope, newest first")
    async def list_notifications(
        self, actor: Actor, cursor: Cursor = None, limit: PageLimit = None
    ) -> wire.NotificationPage:
        """Notifications (overdue, escalations …) for the caller's side in their scope, newest first."""
        page = await notifications.list_notifications(actor=actor, cursor=cursor, limit=limit)
        items = [
            wire.Notification(
                **{name: getattr(r, name) for name in wire.Notification.__struct_fields__ if name != "event"},
                event=r.kind,
            )
            for r in page.items
        ]
        return wire.NotificationPage(items=items, next_cursor=page.next_cursor)
