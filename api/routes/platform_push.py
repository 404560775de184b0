"""The push to the provincial platform: an enterprise's ledger (regulators) and the refused records (admins)."""

from __future__ import annotations

from litestar import Controller, get

from domain.access.model import Actor
from domain.platform_push import services as push
from mobile_contract import platform_push as wire


def _record(entry: push.LedgerEntry) -> wire.PushedRecord:
    return wire.PushedRecord(
        uuid=entry.uuid,
        kind=entry.kind,
        source_key=entry.source_key,
        enterprise_id=entry.enterprise_id,
        version=entry.version,
        state=entry.state,
        pushed_version=entry.pushed_version,
        reason=entry.reason,
        platform_batch_id=entry.platform_batch_id,
        attempts=entry.attempts,
        next_attempt_at=entry.next_attempt_at,
        updated_at=entry.updated_at,
    )


class PlatformPushController(Controller):
    """`/v1/enterprises/{id}/platform-push`, `/v1/platform-push/rejections`."""

    path = "/v1"
    tags = ["platform push"]

    @get("/enterprises/{enterprise_id:str}/platform-push", summary="What of the enterprise reached the platform")
    async def enterprise_push(self, actor: Actor, enterprise_id: str) -> wire.EnterprisePush:
        """Regulators in scope and administrators: each exchange record of the enterprise with its version, what
        the provincial platform acknowledged and what it refused (with its reason)."""
        found = await push.enterprise_push(actor=actor, enterprise_id=enterprise_id)
        return wire.EnterprisePush(
            enterprise_id=found.enterprise_id,
            counts=wire.PushCounts(**found.counts),
            records=[_record(entry) for entry in found.records],
        )

    @get("/platform-push/rejections", summary="Records the platform refused, with its reasons (administrators)")
    async def rejections(self, actor: Actor) -> wire.PushRejections:
        """Administrators: the records the provincial platform refused, newest answer first, with the payload."""
        entries = await push.rejections(actor=actor)
        items = [
            wire.PushedRecordWithData(
                **{f: getattr(_record(e), f) for f in wire.PushedRecord.__struct_fields__}, data=e.payload
            )
            for e in entries
        ]
        return wire.PushRejections(items=items)
