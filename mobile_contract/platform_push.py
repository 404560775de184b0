"""Wire types of the push to the provincial platform: an enterprise's ledger and the records the platform refused."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from mobile_contract.base import WireOut

RecordKind = Literal["riskUnit", "riskEvent", "controlMeasure", "checkTask", "checkRecord", "danger", "riskReport"]
RecordState = Literal["pending", "accepted", "rejected"]


class PushedRecord(WireOut):
    """One record the data exchange knows: its stable uuid, the current version and what the platform holds of it
    (`pushedVersion`: the newest version it acknowledged; `reason`: why it refused the current one)."""

    uuid: str
    kind: RecordKind
    source_key: str
    enterprise_id: str
    version: int
    state: RecordState
    pushed_version: int | None
    reason: str | None
    platform_batch_id: str | None
    attempts: int
    next_attempt_at: datetime.datetime | None
    updated_at: datetime.datetime


class PushCounts(WireOut):
    """How many of the enterprise's records are in each state."""

    pending: int
    accepted: int
    rejected: int


class EnterprisePush(WireOut):
    """`GET /v1/enterprises/{id}/platform-push`: what of the enterprise reached the provincial platform."""

    enterprise_id: str
    counts: PushCounts
    records: list[PushedRecord]


class PushedRecordWithData(PushedRecord):
    """A refused record with the payload the platform refused."""

    data: dict[str, Any]


class PushRejections(WireOut):
    """`GET /v1/platform-push/rejections`: the records the platform refused, newest answer first (up to 200)."""

    items: list[PushedRecordWithData]
