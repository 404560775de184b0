"""Wire types of the background work as administrators see it: failing jobs and the outbox backlog."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mobile_contract.base import WireOut


class JobFailure(WireOut):
    """A job that failed: `gaveUp` once its last try failed (a person should look), `succeededAt` if a retry won."""

    job_id: str
    job_name: str
    args: list[Any]
    tries: int
    last_error: str
    first_failed_at: datetime
    last_failed_at: datetime
    gave_up: bool
    succeeded_at: datetime | None = None


class JobFailurePage(WireOut):
    """`GET /v1/admin/jobs/failures`: the latest failures, and how many outbox entries wait for the queue."""

    items: list[JobFailure]
    outbox_pending: int
