"""Statutory hazard statistics: an enterprise's frozen quarterly and annual snapshots, and the principal's signature."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post

from domain.access.model import Actor
from domain.statutory import services as statutory
from mobile_contract.standardisation import StatisticsSnapshot


class StatisticsController(Controller):
    """`/v1/enterprises/{id}/statistics*`."""

    path = "/v1/enterprises/{enterprise_id:str}/statistics"
    tags = ["statistics"]

    @get("/", summary="Frozen hazard statistics snapshots, newest due first, with their signature status")
    async def snapshots(self, actor: Actor, enterprise_id: str) -> list[StatisticsSnapshot]:
        """The enterprise's frozen quarterly and annual hazard statistics, newest due first, with their signature state."""
        records = await statutory.list_snapshots(actor=actor, enterprise_id=enterprise_id)
        return msgspec.convert(records, list[StatisticsSnapshot], from_attributes=True)

    @post("/{snapshot_id:str}/sign", status_code=200, summary="The principal signs the snapshot's figures (once)")
    async def sign(self, actor: Actor, enterprise_id: str, snapshot_id: str) -> StatisticsSnapshot:
        """The enterprise's principal signs a snapshot's figures; a snapshot is signed once."""
        record = await statutory.sign_snapshot(actor=actor, enterprise_id=enterprise_id, snapshot_id=snapshot_id)
        return msgspec.convert(record, StatisticsSnapshot, from_attributes=True)
