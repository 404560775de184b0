"""Rows bound to their chains: the one registry `verify` walks, and the comparison of each row with its replay.

Each kind of protected row names the chains that describe it (their `subject_kind`), the pure function of its area's
model that replays a chain into the rows it describes (`derive_*`, keyed within the chain), and how a stored row finds
its chain and key. A chain of several rows (an enterprise's credit chain holds every listing of it) binds each row to
the last event about that row. `verify` replays every intact chain, then compares field by field: a row no chain
describes, a chain whose row is gone, and every field that differs are named.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from domain.credit import services as credit
from domain.credit import store as credit_store
from domain.credit.model import derive_listings
from domain.hazards import store as hazard_store
from domain.hazards.model import derive_hazards
from domain.history.chain import Event, plain
from domain.history.store import ProtectedRows
from domain.inspections import store as inspection_store
from domain.inspections.model import derive_inspections
from domain.public_reports import store as report_store
from domain.public_reports.model import derive_reports
from domain.random_checks import services as random_checks
from domain.random_checks import store as random_checks_store
from domain.random_checks.model import derive_picks, derive_plans
from domain.safety_code import services as safety_code
from domain.safety_code import store as safety_code_store
from domain.safety_code.model import derive_colour
from domain.standardisation import services as standardisation
from domain.standardisation import store as standardisation_store
from domain.standardisation.model import derive_grades
from domain.statutory import services as statutory
from domain.statutory import store as statutory_store
from domain.statutory.model import derive_snapshots
from domain.supervision import services as supervision
from domain.supervision import store as supervision_store
from domain.supervision.model import derive_classes


@dataclass(frozen=True, slots=True)
class BoundKind:
    """One kind of protected row: its rows (through its area's store), its chains and how to replay them."""

    name: str
    subject_kind: str  # history_event.subject_kind of the chains that describe it
    rows: ProtectedRows
    derive: Callable[[Sequence[Event]], dict[Any, dict[str, Any]]]
    row_key: Callable[[dict], tuple[str, Any]]  # a stored row -> (its chain id, its key within the chain)
    # what the rows carry beyond their own columns (a hazard's photos), added to the rows before comparing
    extra: Callable[[list[dict]], Awaitable[None]] | None = None


@dataclass(frozen=True, slots=True)
class RowMismatch:
    """A protected row that disagrees with its chain; `field` is None when the row or its chain is missing."""

    kind: str
    key: Any
    chain_id: str
    field: str | None
    in_chain: Any
    in_row: Any

    def describe(self) -> str:
        """One line naming the row, the field and both values."""
        if self.field is None and self.in_row is None:
            return f"{self.kind} {self.key}: its chain {self.chain_id} describes it, but the row is gone"
        if self.field is None:
            return f"{self.kind} {self.key}: the row has no chain that describes it (expected chain {self.chain_id})"
        return (
            f"{self.kind} {self.key} field {self.field}: the row says {self.in_row!r}, "
            f"chain {self.chain_id} says {self.in_chain!r}"
        )


async def _hazard_photos(rows: list[dict]) -> None:
    photos = await hazard_store.chained_photos()
    for row in rows:
        row["photos"] = photos.get(row["id"], [])


def registry() -> tuple[BoundKind, ...]:
    """Every kind of row a chain protects."""
    return (
        BoundKind(
            "hazard", "hazard", hazard_store.PROTECTED, derive_hazards, lambda r: (r["id"], r["id"]), _hazard_photos
        ),
        BoundKind(
            "inspection", "inspection", inspection_store.PROTECTED, derive_inspections, lambda r: (r["id"], r["id"])
        ),
        BoundKind("publicReport", "publicReport", report_store.PROTECTED, derive_reports, lambda r: (r["id"], r["id"])),
        BoundKind(
            "randomCheckPlan",
            random_checks.PLAN_SUBJECT,
            random_checks_store.PROTECTED_PLANS,
            derive_plans,
            lambda r: (random_checks.chain_of(r["id"]), r["id"]),
        ),
        BoundKind(
            "randomCheckPick",
            random_checks.RESULT_SUBJECT,
            random_checks_store.PROTECTED_PICKS,
            derive_picks,
            lambda r: (random_checks.results_chain_of(r["plan_id"]), r["enterprise_id"]),
        ),
        BoundKind(
            "blacklistListing",
            "credit",
            credit_store.PROTECTED,
            derive_listings,
            lambda r: (credit.chain_of(r["enterprise_id"]), r["id"]),
        ),
        BoundKind(
            "standardisationGrade",
            "standardisation",
            standardisation_store.PROTECTED,
            derive_grades,
            lambda r: (standardisation.chain_of(r["enterprise_id"]), r["id"]),
        ),
        BoundKind(
            "statisticsSnapshot",
            "statistics",
            statutory_store.PROTECTED,
            derive_snapshots,
            lambda r: (statutory.chain_of(r["enterprise_id"]), r["period_key"]),
        ),
        BoundKind(
            "safetyCode",
            "safety_code",
            safety_code_store.PROTECTED,
            derive_colour,
            lambda r: (safety_code.chain_id(r["enterprise_id"]), ""),
        ),
        BoundKind(
            "supervisionClass",
            "supervision_class",
            supervision_store.PROTECTED,
            derive_classes,
            lambda r: (supervision.chain_id(r["enterprise_id"]), ""),
        ),
    )


def kinds_by_subject(kinds: Iterable[BoundKind]) -> dict[str, BoundKind]:
    """The registry by the subject kind of the chains it replays."""
    return {kind.subject_kind: kind for kind in kinds}


async def stored_rows(kind: BoundKind) -> dict[tuple[str, Any], dict]:
    """Every stored row of a kind, by (chain id, key), with its extras."""
    rows = await kind.rows.all()
    if kind.extra is not None:
        await kind.extra(rows)
    return {kind.row_key(row): row for row in rows}


def compare(
    kind: BoundKind,
    derived: dict[tuple[str, Any], dict[str, Any]],
    rows: dict[tuple[str, Any], dict],
    skip_chains: set[str],
) -> list[RowMismatch]:
    """Every disagreement of the stored rows with the rows their chains describe, in key order; rows of chains
    already named broken are left out (their replay means nothing)."""
    found: list[RowMismatch] = []
    for key in sorted(set(derived) | set(rows), key=lambda k: (k[0], str(k[1]))):
        chain_id, local = key
        if chain_id in skip_chains:
            continue
        row, expected = rows.get(key), derived.get(key)
        if row is None:
            found.append(RowMismatch(kind.name, local or chain_id, chain_id, None, "row", None))
            continue
        if expected is None:
            found.append(RowMismatch(kind.name, local or chain_id, chain_id, None, None, "row"))
            continue
        for field, value in expected.items():
            if field in row and plain(row[field]) != plain(value):
                found.append(
                    RowMismatch(kind.name, local or chain_id, chain_id, field, plain(value), plain(row[field]))
                )
    return found


async def bound_counts() -> dict[str, int]:
    """How many rows of each protected kind carry their chain head."""
    return {kind.name: await kind.rows.bound_count() for kind in registry()}
