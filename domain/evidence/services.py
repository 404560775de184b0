"""`shuangfang verify` and the binding backfill of `shuangfang migrate`: the history checks its own chains, each
intact chain is replayed through its area's rules, and the rows it protects are compared field by field.

This area sits above every area whose rows a chain protects; the history below it knows nothing of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.evidence.binding import RowMismatch, compare, kinds_by_subject, registry, stored_rows
from domain.history.chain import Event
from domain.history.store import BrokenChain, anchor_unanchored, chain_events, check_chains


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
