"""Piccolo tables of the append-only, hash-chained history and the exported chain heads."""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class HistoryEvent(Table, tablename="history_event"):
    """One link of a chain (a hazard's or an inspection's); rows are inserted, never updated or deleted.

    (chain_id, seq) is unique (an index made in the migration), so two writers can never both append seq n.
    """

    id = Varchar(length=26, primary_key=True)
    chain_id = Varchar(length=64, index=True)
    subject_kind = Varchar(length=32)
    seq = Integer()
    action = Varchar(length=40)
    name = Varchar(length=60)
    actor_id = Varchar(length=26)
    role = Varchar(length=16)
    at = Timestamptz()
    # Canonical JSON (domain.history.chain.canonical) of the payload and the list of photo hashes.
    payload = Text()
    photo_hashes = Text(default="[]")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class ChainHeadExport(Table, tablename="chain_head_export"):
    """A daily export of every chain's head, outside the chains: its file and digest, so a cut tail shows."""

    id = Varchar(length=26, primary_key=True)
    day = Varchar(length=10, unique=True)
    exported_at = Timestamptz()
    chains = Integer()
    digest = Varchar(length=64)
    path = Text()
    # The export itself, kept here too: the file can be copied elsewhere, the row survives a lost folder.
    body = Text()


class ChainAnchor(Table, tablename="chain_anchor"):
    """The ledger of heads: every appended event's (chain, seq, hash), the anchors chained to each other in order.

    Inserted in the event's own transaction; `position`, `prev_hash` and `anchor_hash` are given there on SQLite (one
    writer at a time) and by the sealer in commit order on PostgreSQL (`domain.history.store.seal_anchors`), so no
    writer waits for a global lock. A chain's last anchor must be its head: a cut tail shows at once.
    """

    id = Varchar(length=26, primary_key=True)
    position = BigInt(null=True, default=None)
    chain_id = Varchar(length=64)
    seq = Integer()
    event_hash = Varchar(length=64)
    prev_hash = Varchar(length=64, null=True, default=None)
    anchor_hash = Varchar(length=64, null=True, default=None)
