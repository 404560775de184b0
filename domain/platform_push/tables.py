"""Piccolo tables of the push ledger: a row per exchange record, the batches sent, each record's line in a batch,
and the change-feed cursor the ledger follows."""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class PushRecord(Table, tablename="platform_push_record"):
    """One record the exchange knows: its stable uuid, its current version and what the platform holds of it.

    `version` goes up when the mapped payload's hash changes; `pushed_version` is the newest version the platform
    acknowledged. `state` is that of `version`: pending, accepted, or rejected with the platform's `reason`."""

    uuid = Varchar(length=36, primary_key=True)
    kind = Varchar(length=16)
    source_key = Varchar(length=60)
    enterprise_id = Varchar(length=26, index=True)
    region_path = Varchar(length=200, index=True)  # the enterprise's place: picks the endpoint it goes to
    version = Integer(default=1)
    payload = Text()
    payload_hash = Varchar(length=64)
    state = Varchar(length=16, index=True)
    pushed_version = Integer(null=True, default=None)
    reason = Text(null=True, default=None)
    batch_id = Varchar(length=36, null=True, default=None)  # the last batch that carried it
    platform_batch_id = Varchar(length=100, null=True, default=None)
    attempts = Integer(default=0)  # failed tries of the current version (backoff)
    next_attempt_at = Timestamptz(null=True, default=None, index=True)
    updated_at = Timestamptz()


class PushBatch(Table, tablename="platform_push_batch"):
    """One batch sent to one region's endpoint, with the platform's batch id once acknowledged."""

    id = Varchar(length=36, primary_key=True)
    region_code = Varchar(length=12)
    state = Varchar(length=16, index=True)
    record_count = Integer()
    platform_batch_id = Varchar(length=100, null=True, default=None)
    error = Text(null=True, default=None)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class PushBatchItem(Table, tablename="platform_push_batch_item"):
    """A record's line in a batch: which version went and what the platform said of it."""

    id = Varchar(length=80, primary_key=True)  # "<batch id>:<record uuid>"
    batch_id = Varchar(length=36, index=True)
    record_uuid = Varchar(length=36, index=True)
    version = Integer()
    result = Varchar(length=16, null=True, default=None)
    reason = Text(null=True, default=None)


class PushCursor(Table, tablename="platform_push_cursor"):
    """How far into the change feed (`sync_change.seq`) the ledger has looked."""

    name = Varchar(length=16, primary_key=True)
    seq = BigInt(default=0)
