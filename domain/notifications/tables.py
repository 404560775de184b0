"""Piccolo tables of webhook subscriptions, notifications, their deliveries and the log of every try."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class WebhookSubscription(Table, tablename="webhook_subscription"):
    """An endpoint that hears one side's notifications, filtered by kind, region subtree and enterprise."""

    id = Varchar(length=26, primary_key=True)
    url = Text()
    # Signs every request (HMAC); shown once when the subscription is made, never listed again.
    secret = Varchar(length=80)
    audience = Varchar(length=16, index=True)
    event_kinds = Text(default="[]")  # JSON list; empty hears every kind
    region_code = Varchar(length=12, null=True, default=None)
    region_path = Varchar(length=200, null=True, default=None, index=True)
    enterprise_id = Varchar(length=26, null=True, default=None, index=True)
    description = Varchar(length=200, default="")
    active = Boolean(default=True)
    created_by = Varchar(length=26)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Notification(Table, tablename="notification"):
    """Something one side should hear of; `event_key` is unique, so notifying the same event again adds nothing."""

    id = Varchar(length=26, primary_key=True)
    # "hazard:<hazard id>:<seq>:<audience>" or "escalation:<escalation id>"
    event_key = Varchar(length=120, unique=True)
    kind = Varchar(length=40, index=True)
    audience = Varchar(length=16)
    enterprise_id = Varchar(length=26, index=True)
    region_path = Varchar(length=200, index=True)
    subject_kind = Varchar(length=16)
    subject_id = Varchar(length=60)
    data = Text(default="{}")  # JSON: the `data` of the webhook body, frozen so every try sends the same bytes
    occurred_at = Timestamptz()
    created_at = Timestamptz()


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """One notification to one subscription (unique pair, in migration 0010b); its id is `X-Shuangfang-Delivery`."""

    id = Varchar(length=26, primary_key=True)
    notification_id = Varchar(length=26, index=True)
    subscription_id = Varchar(length=26, index=True)
    status = Varchar(length=16, index=True)
    tries = Integer(default=0)  # every try ever made (the log numbers them)
    failures_in_row = Integer(default=0)  # failed tries since the first send or the last redrive: the schedule's step
    next_attempt_at = Timestamptz(index=True)
    # A sender owns the delivery until then; another claims it only after, so no try is sent twice at once.
    claimed_until = Timestamptz()
    claim_token = Varchar(length=26, null=True, default=None)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(default="")
    delivered_at = Timestamptz(null=True, default=None)
    dead_at = Timestamptz(null=True, default=None)
    redriven_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DeliveryAttempt(Table, tablename="webhook_delivery_attempt"):
    """One try of a delivery: when, how long, the status code or the error, and what followed."""

    id = Varchar(length=26, primary_key=True)
    delivery_id = Varchar(length=26, index=True)
    attempt = Integer()
    started_at = Timestamptz()
    duration_ms = Integer()
    status_code = Integer(null=True, default=None)
    error = Text(default="")
    outcome = Varchar(length=16)  # delivered | retry | dead
