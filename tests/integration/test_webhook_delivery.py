"""Webhooks end to end on both engines, against a real HTTP receiver on localhost (no fakes: sockets and all).

Issue 5, acceptance 3: a receiver that fails twice then succeeds gets each notification exactly once, each verified
by its signature. Also: the dead letter after the last try and its redrive, a refusal (4xx) dead at once, two
senders never sending one try twice, notifying again adds nothing, and the overdue sweep run twice changes nothing.
Retry delays come from the job's context, so a schedule of hours runs in milliseconds here.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.access.model import Actor, Role
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.criteria.tables import MajorHazardCriterion
from domain.escalation.services import sweep_overdue as sweep
from domain.escalation.tables import Escalation
from domain.hazards import services as hazards
from domain.hazards.model import ReportToRegulator
from domain.hazards.tables import Hazard
from domain.history.chain import verify_chain
from domain.history.store import chain_rows, event_record
from domain.history.tables import HistoryEvent
from domain.inspections.services import generate_tasks
from domain.inspections.tables import InspectionTask
from domain.notifications import services as notifications
from domain.notifications.model import verify_signature
from domain.notifications.tables import DeliveryAttempt, Notification, WebhookDelivery
from domain.outbox.services import relay_outbox
from workers import dispatch
from workers.jobs import outbox as outbox_jobs
from workers.jobs.notifications import deliver_due_notifications, notify_hazard_event, sweep_overdue

FAST = (0.01, 0.01, 0.01)  # three retries: four tries in all, in milliseconds
ADMIN = Actor(user_id="admin-test", role=Role.ADMIN)


@dataclass
class Receiver:
    """A raw HTTP/1.1 server on a free local port: fails the first `failures` tries of each delivery with `status`,
    then answers 200; keeps every request and what it processed (once per delivery id, as a receiver should)."""

    failures: int = 2
    status: int = 500
    delay_s: float = 0.0
    secret: str = ""
    requests: list[dict] = field(default_factory=list)
    processed: Counter = field(default_factory=Counter)
    server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/hook"

    async def __aenter__(self) -> Receiver:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:] if line)}
        body = await reader.readexactly(int(headers["content-length"]))
        delivery_id = headers["x-shuangfang-delivery"]
        verified = verify_signature(
            self.secret,
            timestamp=headers["x-shuangfang-timestamp"],
            body=body,
            header=headers["x-shuangfang-signature"],
            now=utcnow().timestamp(),
        )
        tries = sum(1 for r in self.requests if r["delivery_id"] == delivery_id)
        self.requests.append({"delivery_id": delivery_id, "verified": verified, "body": body, "headers": headers})
        await asyncio.sleep(self.delay_s)
        status = self.status if tries < self.failures or not verified else 200
        if status == 200 and delivery_id not in self.processed:
            self.processed[delivery_id] += 1
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()


def job_context(db, schedule=FAST) -> dict:
    settings, engine = db
    return {"settings": settings, "engine": engine, "webhook_retry_schedule": schedule}


async def subscribe(receiver: Receiver, **fields) -> str:
    record, secret = await notifications.create_subscription(
        actor=ADMIN, new=notifications.NewSubscription(url=receiver.url, **fields)
    )
    receiver.secret = secret
    return record.id


async def deliveries_of(subscription_id: str) -> list[dict]:
    return (
        await WebhookDelivery.select()
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.id)
        .run()
    )


async def settle(ctx: dict, subscription_id: str, *, seconds: float = 15) -> list[dict]:
    """Run the minute's sending pass until none of the subscription's deliveries waits."""
    give_up = time.monotonic() + seconds
    while any(row["status"] == "pending" for row in await deliveries_of(subscription_id)):
        assert time.monotonic() < give_up, "deliveries did not settle"
        await deliver_due_notifications(ctx)
        await asyncio.sleep(0.02)
    return await deliveries_of(subscription_id)


async def actor(username: str) -> Actor:
    row = await AppUser.select().where(AppUser.username == username).first().run()
    return Actor(user_id=row["id"], role=Role(row["role"]), enterprise_id=row["enterprise_id"])


async def report_major_hazard(client_id: str) -> tuple[str, list[int]]:
    """A major hazard reported and then reported to the regulator, as officer1 does: two notified events."""
    officer = await actor("officer1")
    # The tank-farm emergency cut-off item of the chemical list, the industry of officer1's enterprise.
    criterion = await (
        MajorHazardCriterion.select(MajorHazardCriterion.id).where(MajorHazardCriterion.id == "HC2017-05").first().run()
    )
    record, _ = await hazards.create_hazard(
        actor=officer,
        new=hazards.NewHazard(
            client_id=client_id,
            enterprise_id=officer.enterprise_id,
            source="daily",
            category="unsafe_condition",
            title="储罐区紧急切断阀失效",
            level="major",
            major_criterion_id=criterion["id"],
        ),
    )
    now = utcnow()
    report = ReportToRegulator(
        "阀门锈死", "可能导致大量泄漏，需停罐检修", "停用储罐，更换阀门", now - timedelta(minutes=1)
    )
    moved = await hazards.transition(actor=officer, hazard_id=record.id, expected_version=1, command=report)
    return record.id, [1, moved.version]


async def test_a_receiver_failing_twice_then_succeeding_gets_each_notification_exactly_once_verified(db):
    ctx = job_context(db)
    async with Receiver(failures=2, status=500) as receiver:
        subscription_id = await subscribe(receiver)
        hazard_id, seqs = await report_major_hazard("wh-exactly-once")
        for seq in seqs:
            await notify_hazard_event(ctx, hazard_id, seq)  # the first try goes out at once, and fails
        rows = await settle(ctx, subscription_id)

        assert [row["status"] for row in rows] == ["delivered", "delivered"]
        ids = [row["id"] for row in rows]
        assert receiver.processed == Counter(dict.fromkeys(ids, 1))
        assert Counter(r["delivery_id"] for r in receiver.requests) == Counter(dict.fromkeys(ids, 3))
        assert all(r["verified"] for r in receiver.requests)
        events = {json.loads(r["body"])["event"] for r in receiver.requests}
        assert events == {"hazard.major_reported", "hazard.reported_to_regulator"}
        for delivery_id in ids:  # every try of a delivery sends the same bytes under the same id
            bodies = {r["body"] for r in receiver.requests if r["delivery_id"] == delivery_id}
            assert len(bodies) == 1 and json.loads(bodies.pop())["deliveryId"] == delivery_id
            attempts = (
                await DeliveryAttempt.select()
                .where(DeliveryAttempt.delivery_id == delivery_id)
                .order_by(DeliveryAttempt.attempt)
                .run()
            )
            assert [(a["attempt"], a["status_code"], a["outcome"]) for a in attempts] == [
                (1, 500, "retry"),
                (2, 500, "retry"),
                (3, 200, "delivered"),
            ]
            assert all(a["duration_ms"] >= 0 for a in attempts)

        # the same events notified again, and more sending passes: nothing new reaches the receiver
        sent = len(receiver.requests)
        for seq in seqs:
            assert await notify_hazard_event(ctx, hazard_id, seq) == {"deliveries": 0}
        await deliver_due_notifications(ctx)
        assert len(receiver.requests) == sent
        assert await deliveries_of(subscription_id) == rows


async def test_after_the_last_try_a_delivery_is_dead_lettered_and_a_redrive_delivers_it(db):
    ctx = job_context(db)
    async with Receiver(failures=10**6, status=503) as receiver:
        subscription_id = await subscribe(receiver, event_kinds=("hazard.major_reported",))
        hazard_id, seqs = await report_major_hazard("wh-dead-letter")
        for seq in seqs:
            await notify_hazard_event(ctx, hazard_id, seq)
        [dead] = await settle(ctx, subscription_id)  # only the kind it asked for

        assert dead["status"] == "dead" and dead["tries"] == len(FAST) + 1 and dead["last_status_code"] == 503
        dead_letters = await notifications.list_deliveries(actor=ADMIN, status="dead", subscription_id=subscription_id)
        assert [d.id for d in dead_letters.items] == [dead["id"]]
        logged = await notifications.get_delivery(actor=ADMIN, delivery_id=dead["id"])
        assert [a.outcome for a in logged.attempts] == ["retry", "retry", "retry", "dead"]
        assert [a.status_code for a in logged.attempts] == [503] * 4
        await deliver_due_notifications(ctx)
        assert len(receiver.requests) == 4  # a dead letter is left alone

        receiver.failures = 0  # the receiver is mended; an administrator redrives
        redriven = await notifications.redrive(actor=ADMIN, delivery_id=dead["id"])
        assert redriven.status == "pending" and redriven.redriven_at is not None
        [delivered] = await settle(ctx, subscription_id)

    assert delivered["id"] == dead["id"] and delivered["status"] == "delivered" and delivered["tries"] == 5
    assert receiver.processed == Counter({dead["id"]: 1})
    assert len({r["body"] for r in receiver.requests}) == 1
    with pytest.raises(notifications.RedriveNotAllowed):
        await notifications.redrive(actor=ADMIN, delivery_id=dead["id"])


async def test_a_receiver_that_refuses_with_a_4xx_is_dead_lettered_at_once(db):
    ctx = job_context(db)
    async with Receiver(failures=10**6, status=410) as receiver:
        subscription_id = await subscribe(receiver, event_kinds=("hazard.major_reported",))
        hazard_id, _ = await report_major_hazard("wh-refused")
        await notify_hazard_event(ctx, hazard_id, 1)
        [row] = await deliveries_of(subscription_id)
    assert (row["status"], row["tries"], row["last_status_code"]) == ("dead", 1, 410)


async def test_two_senders_at_once_never_send_the_same_try_twice(db):
    ctx = job_context(db)
    async with Receiver(failures=0, delay_s=0.2) as receiver:
        subscription_id = await subscribe(receiver)
        hazard_id, seqs = await report_major_hazard("wh-two-senders")
        for seq in seqs:
            await notifications.notify_hazard_event(hazard_id=hazard_id, seq=seq)  # made, not yet sent
        await asyncio.gather(*(deliver_due_notifications(ctx) for _ in range(4)))
        rows = await deliveries_of(subscription_id)

    assert [row["status"] for row in rows] == ["delivered", "delivered"]
    assert Counter(r["delivery_id"] for r in receiver.requests) == Counter({row["id"]: 1 for row in rows})


async def test_a_disabled_webhook_gets_nothing_until_enabled_again(db):
    ctx = job_context(db)
    async with Receiver(failures=0) as receiver:
        subscription_id = await subscribe(receiver)
        hazard_id, _ = await report_major_hazard("wh-disabled")
        await notifications.notify_hazard_event(hazard_id=hazard_id, seq=1)
        await notifications.set_subscription_active(actor=ADMIN, subscription_id=subscription_id, active=False)
        await deliver_due_notifications(ctx)
        assert receiver.requests == []
        await notifications.set_subscription_active(actor=ADMIN, subscription_id=subscription_id, active=True)
        [row] = await settle(ctx, subscription_id)
    assert row["status"] == "delivered" and len(receiver.requests) == 1


async def snapshot() -> dict[str, list[dict]]:
    tables = (Escalation, Notification, WebhookDelivery, HistoryEvent, Hazard)
    return {table._meta.tablename: await table.select().order_by(table._meta.primary_key).run() for table in tables}


@pytest.mark.clock
async def test_the_sweep_escalates_each_overdue_hazard_once_per_step_and_running_it_twice_changes_nothing(db):
    ctx = job_context(db)
    assert (await sweep()).escalated == 0  # the seed swept already
    later = utcnow() + timedelta(days=20)  # more hazards overdue then, majors and generals, some for a week
    before = await snapshot()
    first = await sweep(now=later)
    after_first = await snapshot()
    second = await sweep(now=later)

    assert first.escalated > 0 and second.escalated == 0 and second.delivery_ids == []
    assert await snapshot() == after_first
    assert after_first["hazard"] == before["hazard"]  # versions untouched: escalations are not transitions
    steps = (
        await Escalation.select(Escalation.subject_id, Escalation.step).where(Escalation.subject_kind == "hazard").run()
    )
    assert len(steps) == len({(row["subject_id"], row["step"]) for row in steps})
    owing = ["rectifying", "reported_to_regulator", "plan_submitted", "plan_approved"]
    overdue = (
        await Hazard.select(Hazard.id, Hazard.level, Hazard.deadline)
        .where(Hazard.status.is_in(owing), Hazard.deadline < later)
        .run()
    )
    assert overdue and {row["subject_id"] for row in steps if row["step"] == 1} == {row["id"] for row in overdue}
    to_regulator = {
        row["id"] for row in overdue if row["level"] == "major" or row["deadline"] <= later - timedelta(days=7)
    }
    assert to_regulator and {row["subject_id"] for row in steps if row["step"] == 2} == to_regulator
    # every hazard's escalations form one chain that verifies, and the hazard's own chain still equals its version
    chains = (
        await Escalation.select(Escalation.subject_id, Escalation.chain_id)
        .where(Escalation.subject_kind == "hazard")
        .run()
    )
    by_hazard: dict[str, set[str]] = {}
    for row in chains:
        by_hazard.setdefault(row["subject_id"], set()).add(row["chain_id"])
    for hazard_id, chain_ids in by_hazard.items():
        assert len(chain_ids) == 1
        assert verify_chain(event_record(row) for row in await chain_rows(chain_ids.pop())).ok
        version = (await Hazard.select(Hazard.version).where(Hazard.id == hazard_id).first().run())["version"]
        assert len(await chain_rows(hazard_id)) == version
    # the city regulator's seeded endpoint hears the step-2 escalations of its whole region
    regulator_side = (
        await Notification.select(Notification.id)
        .where(Notification.kind == "escalation.hazard_overdue", Notification.audience == "regulator")
        .run()
    )
    assert len(regulator_side) == len([row for row in steps if row["step"] == 2])
    assert (await sweep_overdue(ctx))["escalated"] == 0


@pytest.mark.clock
async def test_a_day_of_missed_tasks_reaches_the_principal_once_as_one_digest_per_enterprise(db):
    later = utcnow() + timedelta(days=2)
    await generate_tasks(now=later)  # the windows of two days come and go undone, and are marked missed
    first = await sweep(now=later)
    second = await sweep(now=later)

    assert first.missed_task_days > 0 and first.escalated >= first.missed_task_days and second.escalated == 0
    digests = await Notification.select().where(Notification.kind == "escalation.tasks_missed").run()
    assert len(digests) == first.missed_task_days
    assert len({(n["enterprise_id"], json.loads(n["data"])["day"]) for n in digests}) == len(digests)
    zhoushan = ZoneInfo("Asia/Shanghai")
    for notification in digests:
        data = json.loads(notification["data"])
        start = datetime.fromisoformat(data["day"]).replace(tzinfo=zhoushan)
        missed = (
            await InspectionTask.count()
            .where(
                InspectionTask.enterprise_id == notification["enterprise_id"],
                InspectionTask.status == "missed",
                InspectionTask.window_end > start,
                InspectionTask.window_end <= start + timedelta(days=1),
            )
            .run()
        )
        assert (notification["audience"], data["step"], data["missedTasks"]) == ("enterprise", 1, missed) and missed > 0
        assert start + timedelta(days=1) <= later


async def test_a_major_hazard_report_goes_from_the_outbox_to_the_receiver(db, monkeypatch):
    settings, engine = db
    monkeypatch.setattr(outbox_jobs, "HAZARD_FOLLOW_UPS", [notify_hazard_event])  # the lead's list of follow-ups
    async with Receiver(failures=1, status=502) as receiver:
        subscription_id = await subscribe(receiver, event_kinds=("hazard.major_reported",))
        await report_major_hazard("wh-outbox")  # the report's outbox entry is written with it
        dispatcher = dispatch.Dispatcher(settings, engine)
        await relay_outbox(dispatcher)
        await dispatcher.drain()
        await dispatcher.close()
        [row] = await settle(job_context(db), subscription_id)
    assert row["status"] == "delivered" and receiver.processed == Counter({row["id"]: 1})


async def test_a_sender_that_dies_after_claiming_loses_nothing(db):
    ctx = job_context(db)
    async with Receiver(failures=0) as receiver:
        subscription_id = await subscribe(receiver, event_kinds=("hazard.major_reported",))
        hazard_id, _ = await report_major_hazard("wh-died")
        await notifications.notify_hazard_event(hazard_id=hazard_id, seq=1)
        [delivery_id] = [row["id"] for row in await deliveries_of(subscription_id)]
        [claimed] = await notifications.claim_due(now=utcnow(), delivery_ids=[delivery_id], lease=timedelta(seconds=2))
        assert claimed.id == delivery_id  # ... and the process holding it dies here, before sending
        await deliver_due_notifications(ctx)
        assert receiver.requests == []  # nobody else sends it while the claim holds
        await asyncio.sleep(2.1)
        [row] = await settle(ctx, subscription_id)
    assert row["status"] == "delivered" and receiver.processed == Counter({delivery_id: 1})
