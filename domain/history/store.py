"""The history on disk: append a link in the caller's transaction, read a chain, check them all, export the heads.

Only `append_event` writes `history_event`, and only by INSERT: no code path updates or deletes an event.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from piccolo.table import Table

from domain.access.model import Actor
from domain.clock import utcnow
from domain.db.engine import unique_or
from domain.db.transactions import transaction
from domain.errors import Conflict
from domain.history.chain import (
    ANCHOR_MISMATCH,
    ANCHORED_CHAIN_GONE,
    GENESIS_HASH,
    HEAD_MISMATCH,
    LEDGER_BROKEN,
    LEDGER_CHAIN_ID,
    NOT_ANCHORED,
    TRUNCATED,
    Anchor,
    CanonicalError,
    ChainHead,
    Event,
    HeadsFileError,
    ReplayFailed,
    anchor_hash,
    export_heads,
    heads_digest,
    link,
    parse_heads,
    verify_chain,
    verify_ledger,
)
from domain.history.tables import ChainAnchor, ChainHeadExport, HistoryEvent
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
    bind: tuple[type[Table], Any] | None = None,
) -> Event:
    """Link and insert the next event of a chain, and anchor it; call it inside the transaction of the change it
    records. `bind` = (table, primary key): that row, already written, now carries this event as its chain head."""
    last = (
        await HistoryEvent.select(HistoryEvent.seq, HistoryEvent.hash)
        .where(HistoryEvent.chain_id == chain_id)
        .order_by(HistoryEvent.seq, ascending=False)
        .first()
        .run()
    )
    seq, prev_hash = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS_HASH)
    event = link(chain_id, seq, action, actor.user_id, str(actor.role), at, payload, photo_hashes, prev_hash)
    await insert_linked(event, subject_kind=subject_kind, name=name)
    if bind is not None:
        await bind_row(bind[0], bind[1], event)
    return event


async def insert_linked(event: Event, *, subject_kind: str, name: str) -> None:
    """Insert and anchor an event the caller linked after the head it read (`head_sql`), in the caller's transaction;
    a head read stale is refused by the unique (chain_id, seq) index (`ChainRaced`)."""
    record = event.to_record()
    with unique_or(ChainRaced("the history moved on; read it again", chain_id=event.chain_id)):
        await HistoryEvent.insert(
            HistoryEvent(
                id=new_id(),
                chain_id=event.chain_id,
                subject_kind=subject_kind,
                seq=event.seq,
                action=event.action,
                name=name,
                actor_id=event.actor_id,
                role=event.role,
                at=event.at,
                payload=json.dumps(record["payload"], ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                photo_hashes=json.dumps(record["photo_hashes"]),
                prev_hash=event.prev_hash,
                hash=event.hash,
            )
        ).run()
    await _anchor(event)


def head_sql(chain_id: str, column: str) -> str:
    """A scalar subquery: `seq` or `hash` of the last event of the chain whose id is the SQL expression `chain_id`
    (NULL for an empty chain), for a store that reads its row and the row's chain head in one statement."""
    assert column in ("seq", "hash")
    return f"(SELECT {column} FROM history_event WHERE chain_id = {chain_id} ORDER BY seq DESC LIMIT 1)"


async def bind_row(table: type[Table], key: Any, event: Event) -> None:
    """Record `event` as the chain head of one row (its `chain_seq` and `chain_hash`), in the caller's transaction."""
    await (
        table.update({table.chain_seq: event.seq, table.chain_hash: event.hash})
        .where(table._meta.primary_key == key)
        .run()
    )


class ProtectedRows:
    """The rows of one table that hash chains protect, as `verify` reads them and the binding backfill binds them.

    The owning area's store makes one with its own table (`PROTECTED = ProtectedRows(Hazard)`) and hands it to
    domain/evidence, so no other module names that table; like `bind_row`, the statements are the chain's business
    (every column, compared field by field; the `chain_seq` / `chain_hash` pair every protected table carries)."""

    def __init__(self, table: type[Table]) -> None:
        self._table = table

    async def all(self) -> list[dict[str, Any]]:
        """Every row, every column."""
        return await self._table.select().run()

    async def unbound(self) -> list[dict[str, Any]]:
        """The rows that carry no chain head yet (written before the binding)."""
        return await self._table.select().where(self._table.chain_seq.is_null()).run()

    async def bind(self, row: Mapping[str, Any], *, chain_seq: int, chain_hash: str) -> None:
        """Record the chain head of one row (read from `all` or `unbound`)."""
        key = self._table._meta.primary_key
        await (
            self._table.update({self._table.chain_seq: chain_seq, self._table.chain_hash: chain_hash})
            .where(key == row[key._meta.name])
            .run()
        )

    async def bound_count(self) -> int:
        """How many rows carry their chain head."""
        return await self._table.count().where(self._table.chain_hash.is_not_null()).run()


# --- the anchor ledger -----------------------------------------------------------------------------------------------


def _is_sqlite() -> bool:
    return ChainAnchor._meta.db.engine_type == "sqlite"


async def _anchor(event: Event) -> None:
    """Anchor the event in the ledger: sealed at once on SQLite (its write transactions run one at a time), left for
    the sealer on PostgreSQL, so concurrent writers never queue on the ledger's tail."""
    row = {"id": new_id(), "chain_id": event.chain_id, "seq": event.seq, "event_hash": event.hash}
    if _is_sqlite():
        last = await ChainAnchor.raw(
            "SELECT position, anchor_hash FROM chain_anchor WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1"
        ).run()
        position, prev = (last[0]["position"] + 1, last[0]["anchor_hash"]) if last else (1, GENESIS_HASH)
        row |= {
            "position": position,
            "prev_hash": prev,
            "anchor_hash": anchor_hash(position, event.chain_id, event.seq, event.hash, prev),
        }
    await ChainAnchor.insert(ChainAnchor(**row)).run()


# PostgreSQL advisory lock key of the anchor sealer ("sf-anchr" in ASCII).
_SEAL_LOCK = 0x73662D616E636872
_SEAL_BATCH = 5000


async def seal_anchors() -> int:
    """Give the committed unsealed anchors their positions and hashes, in commit order (a chain's anchors in seq
    order); one sealer at a time, the others go on without. Returns how many were sealed."""
    if _is_sqlite():
        return 0
    sealed = 0
    while True:
        async with transaction():
            locked = await ChainAnchor.raw("SELECT pg_try_advisory_xact_lock({}) AS locked", _SEAL_LOCK).run()
            if not (locked and locked[0]["locked"]):
                return sealed
            pending = await ChainAnchor.raw(
                "SELECT id, chain_id, seq, event_hash FROM chain_anchor WHERE position IS NULL ORDER BY id LIMIT {}",
                _SEAL_BATCH,
            ).run()
            if not pending:
                return sealed
            last = await ChainAnchor.raw(
                "SELECT position, anchor_hash FROM chain_anchor WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1"
            ).run()
            position, prev = (last[0]["position"], last[0]["anchor_hash"]) if last else (0, GENESIS_HASH)
            values = []
            # a chain's next link is only written after its previous one committed, so within a batch ordering by
            # (chain, seq) keeps every chain's anchors in seq order whatever the clocks of the writers said
            for row in sorted(pending, key=lambda r: (r["chain_id"], r["seq"])):
                position += 1
                digest = anchor_hash(position, row["chain_id"], row["seq"], row["event_hash"], prev)
                values.append((row["id"], position, prev, digest))
                prev = digest
            connection = await _raw_connection()
            if connection is not None:
                await connection.executemany(
                    "UPDATE chain_anchor SET position = $2, prev_hash = $3, anchor_hash = $4 WHERE id = $1", values
                )
            else:
                for anchor_id, at, before, digest in values:
                    await (
                        ChainAnchor.update(
                            {ChainAnchor.position: at, ChainAnchor.prev_hash: before, ChainAnchor.anchor_hash: digest}
                        )
                        .where(ChainAnchor.id == anchor_id)
                        .run()
                    )
            sealed += len(values)


async def _raw_connection():
    """The driver connection of the current PostgreSQL transaction, if piccolo exposes it (else None)."""
    from piccolo.engine.postgres import PostgresEngine

    engine = ChainAnchor._meta.db
    if not isinstance(engine, PostgresEngine):
        return None
    transaction = engine.current_transaction.get()
    return getattr(transaction, "connection", None) if transaction is not None else None


async def ledger_head() -> ChainHead | None:
    """The newest sealed anchor, as a head of the ledger's own chain (exported with the chain heads)."""
    last = await ChainAnchor.raw(
        "SELECT position, anchor_hash FROM chain_anchor WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1"
    ).run()
    return ChainHead(LEDGER_CHAIN_ID, last[0]["position"], last[0]["anchor_hash"]) if last else None


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
    heads = [ChainHead(row["chain_id"], row["seq"], row["hash"]) for row in rows]
    ledger = await ledger_head()
    return heads + ([ledger] if ledger else [])  # the ledger's own head goes out with the chains'


# --- the daily export ------------------------------------------------------------------------------------------------


def heads_dir(var_dir: Path) -> Path:
    """Where the exported heads files live (outside the database)."""
    return Path(var_dir) / "chain-heads"


async def export_chain_heads(var_dir: Path, day: str | None = None) -> dict[str, Any]:
    """Write today's heads file and its row; run again the same day, it recomputes and overwrites both."""
    now = utcnow()
    day = day or now.date().isoformat()
    await seal_anchors()
    heads = await current_heads()
    body = export_heads(heads)
    folder = heads_dir(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}.jsonl"
    if not path.exists() or path.read_bytes() != body:
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(body)
        temporary.replace(path)
    values = {
        "exported_at": now,
        "chains": len(heads),
        "digest": heads_digest(heads),
        "path": str(path),
        "body": body.decode("utf-8"),
    }
    async with transaction():
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
    """The first broken link of one chain (or the first event its anchors or its rules disown)."""

    chain_id: str
    seq: int
    reason: str


@dataclass(frozen=True, slots=True)
class ChainsReport:
    """What the history itself says of its chains: broken links, the anchor ledger, the newest exported head."""

    chains: int
    events: int
    broken: list[BrokenChain]
    heads_day: str | None
    heads_problem: str | None
    anchors: int = 0
    ledger_problem: str | None = None


# (subject kind, chain id, its events) of an intact chain -> None; raises `ReplayFailed` when its rules disown it
Replay = Callable[[str, str, list[Event]], None]


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


_LEDGER_PAGE = 20000
_CHAIN_BATCH = 500


async def _check_ledger(exported: ChainHead | None) -> tuple[int, str | None]:
    """Walk the sealed ledger in position order: how many anchors, and the first problem (None if whole)."""
    count, prev = 0, None
    while True:
        after = prev.position if prev else 0
        rows = await ChainAnchor.raw(
            "SELECT position, chain_id, seq, event_hash, prev_hash, anchor_hash FROM chain_anchor"
            " WHERE position > {} ORDER BY position LIMIT {}",
            after,
            _LEDGER_PAGE,
        ).run()
        anchors = [
            Anchor(r["position"], r["chain_id"], r["seq"], r["event_hash"], r["prev_hash"], r["anchor_hash"])
            for r in rows
        ]
        bad = verify_ledger(anchors, prev)
        if bad is not None:
            return count, f"anchor ledger: first broken entry at position {bad} ({LEDGER_BROKEN})"
        for anchor in anchors:
            if exported is not None and anchor.position == exported.seq and anchor.anchor_hash != exported.hash:
                return count, f"anchor ledger: position {anchor.position} is not the exported head ({HEAD_MISMATCH})"
        count += len(anchors)
        if len(anchors) < _LEDGER_PAGE:
            break
        prev = anchors[-1]
    if exported is not None and count < exported.seq:
        return count, f"anchor ledger: ends at position {count}, the exported head is at {exported.seq} ({TRUNCATED})"
    return count, None


def _anchor_problem(records: list[dict[str, Any]], anchors: dict[int, str]) -> BrokenChain | None:
    """The first event of an intact chain that its anchors disown: not anchored, anchored with another hash, or
    anchored events beyond the chain's end (a cut tail)."""
    for record in records:
        anchored = anchors.get(record["seq"])
        if anchored is None:
            return BrokenChain(record["chain_id"], record["seq"], NOT_ANCHORED)
        if anchored != record["hash"]:
            return BrokenChain(record["chain_id"], record["seq"], ANCHOR_MISMATCH)
    beyond = [seq for seq in anchors if seq > len(records)]
    if beyond:
        return BrokenChain(records[0]["chain_id"], len(records) + 1, ANCHOR_MISMATCH)
    return None


async def check_chains(var_dir: Path, replay: Replay) -> ChainsReport:
    """Verify every chain against its own links, the anchor ledger and the newest exported head, and hand each intact
    chain to `replay` (its area's rules, through domain/evidence): a chain they disown is broken at that event."""
    await seal_anchors()  # PostgreSQL: anchors committed since the sealer last ran join the ledger first
    day, heads, heads_problem = await latest_heads(var_dir)
    anchors_count, ledger_problem = await _check_ledger(heads.get(LEDGER_CHAIN_ID))
    chain_ids = sorted(row["chain_id"] for row in await HistoryEvent.select(HistoryEvent.chain_id).distinct().run())
    anchored_ids = {row["chain_id"] for row in await ChainAnchor.select(ChainAnchor.chain_id).distinct().run()}
    broken: list[BrokenChain] = []
    events = 0
    for start in range(0, len(chain_ids), _CHAIN_BATCH):
        batch = chain_ids[start : start + _CHAIN_BATCH]
        rows = (
            await HistoryEvent.select()
            .where(HistoryEvent.chain_id.is_in(batch))
            .order_by(HistoryEvent.chain_id)
            .order_by(HistoryEvent.seq)
            .run()
        )
        anchors: dict[str, dict[int, str]] = {}
        for anchor in (
            await ChainAnchor.select(ChainAnchor.chain_id, ChainAnchor.seq, ChainAnchor.event_hash)
            .where(ChainAnchor.chain_id.is_in(batch))
            .run()
        ):
            anchors.setdefault(anchor["chain_id"], {})[anchor["seq"]] = anchor["event_hash"]
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(row["chain_id"], []).append(row)
        for chain_id in batch:
            chain = grouped.get(chain_id, [])
            events += len(chain)
            records = [event_record(row) for row in chain]
            try:
                linked = [Event.from_record(record) for record in records]  # read once: verified, then replayed
            except CanonicalError:
                linked = records  # verify_chain names the malformed one
            result = verify_chain(linked, heads.get(chain_id), allow_extension=True)
            if not result.ok:
                broken.append(BrokenChain(chain_id, result.first_broken_seq or 0, result.reason or "unknown"))
                continue
            if (problem := _anchor_problem(records, anchors.get(chain_id, {}))) is not None:
                broken.append(problem)
                continue
            try:
                replay(chain[0]["subject_kind"], chain_id, linked)
            except ReplayFailed as failed:
                broken.append(BrokenChain(chain_id, failed.seq, f"replay: {failed.reason}"))
    gone = sorted((set(heads) | anchored_ids) - set(chain_ids) - {LEDGER_CHAIN_ID})
    # a whole chain exported or anchored and now gone
    broken += [BrokenChain(chain_id, 1, TRUNCATED if chain_id in heads else ANCHORED_CHAIN_GONE) for chain_id in gone]
    return ChainsReport(len(chain_ids), events, broken, day, heads_problem, anchors_count, ledger_problem)


# --- upgrading a database written before the binding -------------------------------------------------------------


async def anchor_unanchored() -> int:
    """Anchor every event that has no anchor (`shuangfang migrate` runs it; a second run finds nothing). Returns how
    many were anchored."""
    missing = await HistoryEvent.raw(
        "SELECT e.chain_id, e.seq, e.hash FROM history_event e LEFT JOIN chain_anchor a"
        " ON a.chain_id = e.chain_id AND a.seq = e.seq WHERE a.id IS NULL ORDER BY e.chain_id, e.seq"
    ).run()
    async with transaction():
        last = await ChainAnchor.raw(
            "SELECT position, anchor_hash FROM chain_anchor WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1"
        ).run()
        position, prev = (last[0]["position"], last[0]["anchor_hash"]) if last else (0, GENESIS_HASH)
        rows = []
        for event in missing:
            row = ChainAnchor(id=new_id(), chain_id=event["chain_id"], seq=event["seq"], event_hash=event["hash"])
            if _is_sqlite():
                position += 1
                digest = anchor_hash(position, event["chain_id"], event["seq"], event["hash"], prev)
                row.position, row.prev_hash, row.anchor_hash, prev = position, prev, digest, digest
            rows.append(row)
        for start in range(0, len(rows), 500):
            await ChainAnchor.insert(*rows[start : start + 500]).run()
    await seal_anchors()
    return len(missing)


async def chain_events(chain_id: str) -> list[Event]:
    """Every event of a chain, in chain order, as linked events."""
    return [Event.from_record(event_record(row)) for row in await chain_rows(chain_id)]


async def counts() -> tuple[int, int]:
    """How many events the chains hold and how many of them the ledger anchors."""
    return await HistoryEvent.count().run(), await ChainAnchor.count().run()
