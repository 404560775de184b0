"""Every statement on the sync area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.sync.tables import SyncOpResult


@dataclass(frozen=True, slots=True)
class KeptResult:
    """The kept outcome of one batch operation of one user."""

    user_id: str
    op_id: str
    kind: str
    fingerprint: str  # sha256 of the kind and payload: the same opId with other content is refused
    ok: bool
    resource: str | None
    resource_id: str | None
    result: str  # JSON of the result as first answered
    created_at: datetime


async def kept_result(user_id: str, op_id: str) -> KeptResult | None:
    """The outcome kept for this user's operation, None before it was kept."""
    row = await SyncOpResult.select().where(SyncOpResult.id == f"{user_id}:{op_id}").first().run()
    if row is None:
        return None
    return KeptResult(
        row["user_id"],
        row["op_id"],
        row["kind"],
        row["fingerprint"],
        bool(row["ok"]),
        row["resource"],
        row["resource_id"],
        row["result"],
        row["created_at"],
    )


async def keep_result(kept: KeptResult) -> None:
    """Keep an operation's outcome (in the caller's transaction); a second keep of the same operation violates the
    unique key, which the caller reads as a concurrent send that kept it first."""
    await SyncOpResult.insert(
        SyncOpResult(
            id=f"{kept.user_id}:{kept.op_id}",
            user_id=kept.user_id,
            op_id=kept.op_id,
            kind=kept.kind,
            fingerprint=kept.fingerprint,
            ok=int(kept.ok),
            resource=kept.resource,
            resource_id=kept.resource_id,
            result=kept.result,
            created_at=kept.created_at,
        )
    ).run()
