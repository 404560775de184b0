"""`shuangfang verify` and the binding backfill of `shuangfang migrate`: the history checks its own chains, each
intact chain is replayed through its area's rules, and the rows it protects are compared field by field.

This area sits above every area whose rows a chain protects; the history below it knows nothing of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.evidence.binding import RowMismatch, compare, kinds_by_subject, registry, stored_rows
from domain.history.chain import Event, ReplayFailed, verify_chain
from domain.history.store import BrokenChain, anchor_unanchored, chain_events, chain_rows, check_chains, event_record


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What `shuangfang verify` found: broken chains, a broken anchor ledger, rows that disagree with their chains."""

    chains: int
    events: int
    broken: list[BrokenChain]
    heads_day: str | None
    heads_problem: str | None
    rows: int = 0
    anchors: int = 0
    ledger_problem: str | None = None
    mismatches: list[RowMismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken and self.heads_problem is None and self.ledger_problem is None and not self.mismatches

    def first_problem(self) -> str | None:
        """The first broken thing, in the order verify looks: exported heads, the ledger, chains, rows."""
        if self.heads_problem or self.ledger_problem:
            return self.heads_problem or self.ledger_problem
        if self.broken:
            first = self.broken[0]
            return f"chain {first.chain_id}: first broken link at seq {first.seq} ({first.reason})"
        return self.mismatches[0].describe() if self.mismatches else None


async def verify_all(var_dir: Path) -> VerifyReport:
    """Verify every chain against its own links, the anchor ledger and the newest exported head; replay each intact
    chain through its area's rules and compare the rows it protects, field by field."""
    kinds = registry()
    by_subject = kinds_by_subject(kinds)
    derived: dict[str, dict[tuple[str, Any], dict[str, Any]]] = {kind.name: {} for kind in kinds}

    def replay(subject_kind: str, chain_id: str, linked: list[Event]) -> None:
        kind = by_subject.get(subject_kind)
        if kind is not None:
            derived[kind.name].update({(chain_id, key): fields for key, fields in kind.derive(linked).items()})

    chains = await check_chains(var_dir, replay)
    skip = {b.chain_id for b in chains.broken}
    mismatches: list[RowMismatch] = []
    rows_count = 0
    for kind in kinds:
        stored = await stored_rows(kind)
        rows_count += len(stored)
        mismatches += compare(kind, derived[kind.name], stored, skip)
    return VerifyReport(
        chains.chains,
        chains.events,
        chains.broken,
        chains.heads_day,
        chains.heads_problem,
        rows_count,
        chains.anchors,
        chains.ledger_problem,
        mismatches,
    )


async def backfill_bindings() -> tuple[int, int]:
    """Anchor every event that has no anchor and bind every protected row that carries no chain head, from its
    chain's replay (`shuangfang migrate` runs it; a second run finds nothing). Returns (anchored, bound)."""
    anchored = await anchor_unanchored()
    bound_rows = 0
    for kind in registry():
        unbound = await kind.rows.unbound()
        chains: dict[str, list[dict]] = {}
        for row in unbound:
            chains.setdefault(kind.row_key(row)[0], []).append(row)
        for chain_id, rows_of_chain in chains.items():
            events = await chain_events(chain_id)
            if not events:
                continue  # a row no chain describes: verify names it
            described = kind.derive(events)
            for row in rows_of_chain:
                head = described.get(kind.row_key(row)[1])
                if head is not None:
                    await kind.rows.bind(row, chain_seq=head["chain_seq"], chain_hash=head["chain_hash"])
                    bound_rows += 1
    return anchored, bound_rows


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """One chain of an enterprise's records: how many events it holds and, if it is broken, where and why."""

    kind: str
    chain_id: str
    events: int
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class EnterpriseVerification:
    """The chains protecting one enterprise's records, checked link by link, and its rows compared with them."""

    enterprise_id: str
    chains: list[ChainCheck]
    rows: int
    mismatches: list[RowMismatch]

    @property
    def ok(self) -> bool:
        return all(chain.ok for chain in self.chains) and not self.mismatches


async def verify_enterprise(enterprise_id: str) -> EnterpriseVerification:
    """What `verify` checks, for one enterprise's protected records: each chain describing one of its rows is checked
    link by link, replayed through its area's rules, and its rows compared field by field (the anchor ledger and the
    exported heads are `verify`'s whole-database checks and are left to it). The caller checks the enterprise is in
    scope. Rows of a chain shared with other enterprises (a random-check plan's results) are compared for this one."""
    checks: list[ChainCheck] = []
    mismatches: list[RowMismatch] = []
    rows_count = 0
    for kind in registry():
        rows = [row for row in await kind.rows.all() if row.get("enterprise_id") == enterprise_id]
        if not rows:
            continue
        if kind.extra is not None:
            await kind.extra(rows)
        stored = {kind.row_key(row): row for row in rows}
        rows_count += len(stored)
        derived: dict[tuple[str, Any], dict[str, Any]] = {}
        broken: set[str] = set()
        for chain_id in sorted({key[0] for key in stored}):
            records = await chain_rows(chain_id)
            result = verify_chain(event_record(record) for record in records)
            if not result.ok:
                checks.append(ChainCheck(kind.name, chain_id, len(records), result.first_broken_seq, result.reason))
                broken.add(chain_id)
                continue
            try:
                described = kind.derive([Event.from_record(event_record(record)) for record in records])
            except ReplayFailed as failed:
                checks.append(ChainCheck(kind.name, chain_id, len(records), failed.seq, failed.reason))
                broken.add(chain_id)
                continue
            checks.append(ChainCheck(kind.name, chain_id, len(records)))
            for key, fields in described.items():
                # a chain shared with other enterprises (a plan's results) speaks for this one's rows only
                own_chain = enterprise_id in chain_id or fields.get("enterprise_id") == enterprise_id
                if (chain_id, key) in stored or own_chain:
                    derived[(chain_id, key)] = fields
        mismatches += compare(kind, derived, stored, broken)
    return EnterpriseVerification(enterprise_id, checks, rows_count, mismatches)
