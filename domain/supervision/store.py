"""Every statement on the supervision area's tables: the current classes, their change history, the class chain."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Max

from domain.access.model import Actor
from domain.db.transactions import is_sqlite
from domain.history.store import ProtectedRows, append_event
from domain.ids import new_id
from domain.org import store as org_store
from domain.supervision.model import SupervisionClass
from domain.supervision.tables import SupervisionClassChange, SupervisionClassRow


@dataclass(frozen=True, slots=True)
class StoredClass:
    """A class row as stored (reasons and inputs as their JSON text), to compare a reclassification with."""

    enterprise_id: str
    class_code: str
    edition: str
    points: int
    reasons: str
    inputs: str
    computed_at: datetime
    class_since: datetime
    version: int

    def record(self) -> ClassRecord:
        """The class as the services hand it out."""
        return ClassRecord(
            enterprise_id=self.enterprise_id,
            supervision_class=SupervisionClass(self.class_code),
            edition=self.edition,
            points=self.points,
            reasons=json.loads(self.reasons),
            inputs=json.loads(self.inputs),
            computed_at=self.computed_at,
            class_since=self.class_since,
            version=self.version,
        )


@dataclass(frozen=True, slots=True)
class ClassRecord:
    """An enterprise's current supervision class with its reasons, the rules edition and when it was computed."""

    enterprise_id: str
    supervision_class: SupervisionClass
    edition: str
    points: int
    reasons: list[dict[str, Any]]
    inputs: dict[str, Any]
    computed_at: datetime
    class_since: datetime
    version: int


def _stored(row: dict) -> StoredClass:
    return StoredClass(**{f.name: row[f.name] for f in dataclasses.fields(StoredClass)})


async def class_for_update(enterprise_id: str) -> StoredClass | None:
    """The stored class, its row locked until the transaction ends on PostgreSQL (SQLite writes one at a time)."""
    query = SupervisionClassRow.select().where(SupervisionClassRow.enterprise_id == enterprise_id)
    if not is_sqlite():
        query = query.lock_rows()
    row = await query.first().run()
    return None if row is None else _stored(row)


async def class_of(enterprise_id: str) -> ClassRecord | None:
    """The stored class of an enterprise, None when it was never classified."""
    row = await SupervisionClassRow.select().where(SupervisionClassRow.enterprise_id == enterprise_id).first().run()
    return None if row is None else _stored(row).record()


async def classes_of(enterprise_ids: Sequence[str]) -> dict[str, ClassRecord]:
    """The stored classes of the enterprises that have one, by enterprise id (one statement)."""
    if not enterprise_ids:
        return {}
    rows = await SupervisionClassRow.select().where(SupervisionClassRow.enterprise_id.is_in(list(enterprise_ids))).run()
    return {row["enterprise_id"]: _stored(row).record() for row in rows}


async def save_class(stored: StoredClass, *, new: bool) -> None:
    """Insert the enterprise's class, or overwrite the one stored."""
    values = dataclasses.asdict(stored)
    if new:
        await SupervisionClassRow.insert(SupervisionClassRow(**values)).run()
        return
    await (
        SupervisionClassRow.update(
            {getattr(SupervisionClassRow, key): value for key, value in values.items() if key != "enterprise_id"}
        )
        .where(SupervisionClassRow.enterprise_id == stored.enterprise_id)
        .run()
    )


async def append_class_event(enterprise_id: str, **event: Any) -> None:
    """Append an event that the enterprise's class row, already written, carries as its chain head."""
    await append_event(bind=(SupervisionClassRow, enterprise_id), **event)


async def last_change_seq(enterprise_id: str) -> int:
    """The sequence number of the enterprise's last recorded change (0: none)."""
    last = (
        await SupervisionClassChange.select(Max(SupervisionClassChange.seq, alias="seq"))
        .where(SupervisionClassChange.enterprise_id == enterprise_id)
        .first()
        .run()
    )
    return last["seq"] if last and last["seq"] else 0


async def insert_change(**values: Any) -> None:
    """Record one reclassification (the unique (enterprise, seq) refuses the second of two racing ones)."""
    await SupervisionClassChange.insert(SupervisionClassChange(id=new_id(), **values)).run()


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One recorded reclassification."""

    id: str
    enterprise_id: str
    seq: int
    old_class: str | None
    new_class: str
    edition: str
    points: int
    reasons: list[dict[str, Any]]
    changed_at: datetime


async def changes(enterprise_id: str) -> list[ChangeRecord]:
    """Every reclassification of the enterprise, newest first."""
    rows = (
        await SupervisionClassChange.select()
        .where(SupervisionClassChange.enterprise_id == enterprise_id)
        .order_by(SupervisionClassChange.seq, ascending=False)
        .run()
    )
    return [
        ChangeRecord(
            **{f.name: row[f.name] for f in dataclasses.fields(ChangeRecord) if f.name != "reasons"},
            reasons=json.loads(row["reasons"]),
        )
        for row in rows
    ]


async def enterprises_with_class(enterprise_ids: Sequence[str]) -> set[str]:
    """Those of the enterprises that have a stored class."""
    if not enterprise_ids:
        return set()
    rows = (
        await SupervisionClassRow.select(SupervisionClassRow.enterprise_id)
        .where(SupervisionClassRow.enterprise_id.is_in(list(enterprise_ids)))
        .run()
    )
    return {row["enterprise_id"] for row in rows}


async def visible_classes(
    actor: Actor,
    *,
    region_path: str | None,
    supervision_class: SupervisionClass | None,
    after: str | None,
    limit: int | None,
) -> list[ClassRecord]:
    """The stored classes of the enterprises in the actor's scope (and the region subtree, of the class, when given),
    in enterprise id order after `after`, at most `limit` (all when None); one statement."""
    query = SupervisionClassRow.select().where(org_store.enterprise_in_scope(SupervisionClassRow.enterprise_id, actor))
    if region_path is not None:
        query = query.where(org_store.enterprise_in_region(SupervisionClassRow.enterprise_id, region_path))
    if supervision_class is not None:
        query = query.where(SupervisionClassRow.class_code == supervision_class.value)
    if after:
        query = query.where(SupervisionClassRow.enterprise_id > after)
    query = query.order_by(SupervisionClassRow.enterprise_id)
    if limit is not None:
        query = query.limit(limit)
    return [_stored(row).record() for row in await query.run()]


async def class_counts() -> dict[str, int]:
    """How many enterprises hold each class (the demo tour)."""
    rows = await SupervisionClassRow.select(SupervisionClassRow.class_code).run()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["class_code"]] = counts.get(row["class_code"], 0) + 1
    return counts


# --- the rows hash chains protect (domain/evidence reads and binds them through this) ------------------------------

PROTECTED = ProtectedRows(SupervisionClassRow)
