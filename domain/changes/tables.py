"""Piccolo table of the change feed behind `GET /v1/sync/changes` (written here, read by domain/sync)."""

from __future__ import annotations

from piccolo.columns import BigInt, BigSerial, Timestamptz, Varchar
from piccolo.table import Table


class SyncChange(Table, tablename="sync_change"):
    """One change of an entity, written in the change's own transaction; readers page through it by `seq`.

    `seq` is the position readers see: given when the row is sealed after its transaction committed, so it follows
    commit order (PostgreSQL hands out `id`s in start order, and a cursor past a slow transaction's id would skip
    it). The scope keys are the enterprise's place when the change was made; `user_id` set makes the row that
    one user's alone (their own scope changed) and keeps it out of everyone's scope reads.
    """

    id = BigSerial(primary_key=True)
    seq = BigInt(null=True, default=None)
    kind = Varchar(length=16)  # enterprise | riskPoint | hazard | task
    entity_id = Varchar(length=26)
    op = Varchar(length=8)  # upsert | remove
    reason = Varchar(length=16, null=True, default=None)  # of a removal: leftScope
    enterprise_id = Varchar(length=26)
    grid_id = Varchar(length=26, null=True, default=None)
    region1 = Varchar(length=12, null=True, default=None)  # the city of the region path
    region2 = Varchar(length=12, null=True, default=None)  # the district or county
    region3 = Varchar(length=12, null=True, default=None)  # the town or subdistrict
    region_path = Varchar(length=200, default="")
    user_id = Varchar(length=26, null=True, default=None)
    at = Timestamptz()
