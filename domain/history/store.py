"""The history on disk: append a link in the caller's transaction, read a chain, verify them all, export the heads.

Only `append_event` writes `history_event`, and only by INSERT: no code path updates or deletes an event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.accounts.model import Actor
from domain.clock import utcnow
from domain.db.engine import unique_or
from domain.errors import Conflict
from domain.history.chain import (
    GENESIS_HASH,
    TRUNCATED,
    ChainHead,
    Event,
    HeadsFileError,
    export_heads,
    heads_digest,
    link,
    parse_heads,
    verify_chain,
)
from domain.history.tables import ChainHeadExport, HistoryEvent
from domain.ids import new_id


class ChainRaced(Conflict):
    """Another writer appended to the same chain first (the unique (chain_id, seq) index said so)."""

    code = "HISTORY_CHAIN_RACED"


async def append_event(
    *,
    chain_id: str,
    subject_kind: str,
    action: str,
    name: str,
    actor: Actor,
    at: datetime,
    payload: Mapping[str, Any],
    photo_hashes: Iterable[str] = (),
) -> Event:
    """Link and insert the next event of a chain; call it inside the transaction of the change it records."""
    last = (
        await HistoryEvent.select(HistoryEvent.seq, HistoryEvent.hash)
        .where(HistoryEvent.chain_id == chain_id)
        .order_by(HistoryEvent.seq, ascending=False)
        .first()
        .run()
    )
    seq, prev_hash = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS_HASH)
    event = link(chain_id, seq, action, actor.user_id, str(actor.role), at, payload, photo_hashes, prev_hash)
    record = event.to_record()
    with unique_or(ChainRaced("the history moved on; read it again", chain_id=chain_id)):
        await HistoryEvent.insert(
            HistoryEvent(
                id=new_id(),
                chain_id=chain_id,
                subject_kind=subject_kind,
                seq=seq,
                action=action,
                name=name,
                actor_id=actor.user_id,
                role=str(actor.role),
                at=event.at,
                payload=json.dumps(record["payload"], ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                photo_hashes=json.dumps(record["photo_hashes"]),
                prev_hash=prev_hash,
                hash=event.hash,
            )
        ).run()
    return event


def event_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row in the form `verify_chain` reads (`Event.to_record`'s shape)."""
    return {
        "chain_id": row["chain_id"],
        "seq": row["seq"],
        "action": row["action"],
        "actor_id": row["actor_id"],
        "role": row["role"],
        "at": row["at"],
        "payload": json.loads(row["payload"]),
        "photo_hashes": json.loads(row["photo_hashes"]),
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
    }


async def chain_rows(chain_id: str) -> list[dict[str, Any]]:
    """Every stored event of a chain, in chain order."""
    return await HistoryEvent.select().where(HistoryEvent.chain_id == chain_id).order_by(HistoryEvent.seq).run()


async def current_heads() -> list[ChainHead]:
    """The last link of every chain now."""
    rows = await HistoryEvent.raw(
        "SELECT e.chain_id, e.seq, e.hash FROM history_event e JOIN ("
        " SELECT chain_id, MAX(seq) AS seq FROM history_event GROUP BY chain_id"
        ") m ON m.chain_id = e.chain_id AND m.seq = e.seq ORDER BY e.chain_id"
    ).run()
    return [ChainHead(row["chain_id"], row["seq"], row["hash"]) for row in rows]


# --- the daily export ------------------------------------------------------------------------------------------------


def heads_dir(var_dir: Path) -> Path:
    """Where the exported heads files live (outside the database)."""
    return Path(var_dir) / "chain-heads"


async def export_chain_heads(var_dir: Path, day: str | None = None) -> dict[str, Any]:
    """Write today's heads file and its row; run again the same day, it recomputes and overwrites both."""
    now = utcnow()
    day = day or now.date().isoformat()
    heads = await current_heads()
    body = export_heads(heads)
    folder = heads_dir(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}.jsonl"
    if not path.exists() or path.read_bytes() != body:
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(body)
        temporary.replace(path)
    values = {"exported_at": now, "chains": len(heads), "digest": heads_digest(heads), "path": str(path),
              "body": body.decode("utf-8")}  # fmt: skip
    async with ChainHeadExport._meta.db.transaction():
        existing = await ChainHeadExport.select().where(ChainHeadExport.day == day).first().run()
        if existing and (existing["digest"], existing["path"]) == (values["digest"], values["path"]):
            pass  # the same heads: exporting again changes nothing (exported_at keeps the first time)
        elif existing:
            await ChainHeadExport.update(values).where(ChainHeadExport.id == existing["id"]).run()
        else:
            await ChainHeadExport.insert(ChainHeadExport(id=new_id(), day=day, **values)).run()
    return {"day": day, "path": str(path), **{k: values[k] for k in ("chains", "digest")}}


# --- verification ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrokenChain:
    """The first broken link of one chain."""

    chain_id: str
    seq: int
    reason: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What `shuangfang verify` found."""

    chains: int
    events: int
    broken: list[BrokenChain]
    heads_day: str | None
    heads_problem: str | None

    @property
    def ok(self) -> bool:
        return not self.broken and self.heads_problem is None


async def latest_heads(var_dir: Path) -> tuple[str | None, dict[str, ChainHead], str | None]:
    """The newest export's day, its heads by chain, and any problem with it; the file outranks the row's copy."""
    row = await ChainHeadExport.select().order_by(ChainHeadExport.day, ascending=False).first().run()
    if row is None:
        return None, {}, None
    path = heads_dir(var_dir) / f"{row['day']}.jsonl"
    data = path.read_bytes() if path.exists() else row["body"].encode("utf-8")
    try:
        heads = parse_heads(data, expected_digest=row["digest"])
    except HeadsFileError as error:
        return row["day"], {}, f"heads export of {row['day']}: {error}"
    return row["day"], {head.chain_id: head for head in heads}, None


async def verify_all(var_dir: Path) -> VerifyReport:
    """Verify every chain against its own links and against the newest exported head."""
    day, heads, heads_problem = await latest_heads(var_dir)
    chain_ids = [row["chain_id"] for row in await HistoryEvent.select(HistoryEvent.chain_id).distinct().run()]
    broken: list[BrokenChain] = []
    events = 0
    for chain_id in sorted(chain_ids):
        rows = await chain_rows(chain_id)
        events += len(rows)
        result = verify_chain((event_record(row) for row in rows), heads.get(chain_id), allow_extension=True)
        if not result.ok:
            broken.append(BrokenChain(chain_id, result.first_broken_seq or 0, result.reason or "unknown"))
    for chain_id in sorted(set(heads) - set(chain_ids)):
        broken.append(BrokenChain(chain_id, 1, TRUNCATED))  # a whole chain exported and now gone
    return VerifyReport(len(chain_ids), events, broken, day, heads_problem)
