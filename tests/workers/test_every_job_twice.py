"""Issue 5, acceptance 1, as one sweep: every job the worker knows, run twice in a row on the demo data, changes
nothing the second time — jobs recompute and overwrite, they never increment.

Jobs that take ids get them from the seeded data; a job added to `workers.settings.JOBS` with required arguments
and no entry in `ARGUMENTS` fails the sweep, so a new job cannot skip it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from domain.hazards.tables import Hazard
from domain.notifications.tables import WebhookDelivery
from domain.org.tables import Enterprise
from domain.photos.tables import Photo
from domain.public_reports.tables import PublicReport
from tests.api.test_bad_input import stored_rows
from workers.settings import JOBS


async def _newest_hazard() -> tuple[str, int]:
    row = await Hazard.select(Hazard.id, Hazard.version).order_by(Hazard.updated_at, ascending=False).first().run()
    return row["id"], row["version"]


async def _a_photo() -> tuple[str]:
    return ((await Photo.select(Photo.id).order_by(Photo.id).first().run())["id"],)


async def _a_delivery() -> tuple[str]:
    row = await WebhookDelivery.select(WebhookDelivery.id).order_by(WebhookDelivery.id).first().run()
    assert row is not None, "the seed holds webhook deliveries"
    return (row["id"],)


async def _an_enterprise() -> tuple[str]:
    return ((await Enterprise.select(Enterprise.id).order_by(Enterprise.id).first().run())["id"],)


async def _a_public_report() -> tuple[str]:
    return ((await PublicReport.select(PublicReport.id).order_by(PublicReport.id).first().run())["id"],)


ARGUMENTS: dict[str, Callable[[], Awaitable[tuple[Any, ...]]]] = {
    "make_photo_derivatives": _a_photo,
    "hazard_changed": _newest_hazard,
    "notify_hazard_event": _newest_hazard,
    "deliver_notification": _a_delivery,
    "recompute_safety_code": _an_enterprise,
    "reclassify_enterprise": _an_enterprise,
    "notify_public_report": _a_public_report,
}


# The roll-up watermark is the job's clock (when its last run ended, so the next knows where to look), not a figure.
CLOCKS = {"rollup_watermark"}


def _needs_arguments(job) -> bool:
    parameters = list(inspect.signature(job).parameters.values())[1:]  # after ctx
    return any(p.default is p.empty and p.kind is not p.VAR_POSITIONAL for p in parameters)


@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.__name__)
async def test_running_a_job_a_second_time_changes_no_row(job, db):
    settings, engine = db
    name = job.__name__
    assert name in ARGUMENTS or not _needs_arguments(job), f"{name} takes ids: give it some in ARGUMENTS"
    arguments = await ARGUMENTS[name]() if name in ARGUMENTS else ()
    ctx = {"settings": settings, "engine": engine, "job_id": f"twice:{name}", "job_try": 1}
    await job(ctx, *arguments)
    after_first = await stored_rows()
    await job(ctx, *arguments)
    after_second = await stored_rows()
    changed = {
        table: [(a, b) for a, b in zip(after_first[table], after_second[table], strict=False) if a != b][:1]
        for table in after_first
        if after_first[table] != after_second[table] and table not in CLOCKS
    }
    assert changed == {}, f"{name} changed rows when run again"
