"""Migration 0014: every row a chain protects carries its chain head (seq and hash), and heads are anchored.

`chain_seq` / `chain_hash` on the hazard, inspection, public report, blacklist listing, standardisation grade,
statistics snapshot and safety code rows name the last event about the row; `chain_anchor` is the ledger where every
appended event's (chain, seq, hash) is anchored, the anchors themselves chained by `prev_hash` / `anchor_hash` in
`position` order (given in the writer's transaction on SQLite, by a sealer in commit order on PostgreSQL). Rows of
an upgraded database are bound and its events anchored by `shuangfang migrate` (`domain.history.binding.backfill`),
since the hashes are computed in Python. Plain SQL both engines share.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T17:14:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "chain_seq/chain_hash on protected rows; chain_anchor ledger"

BOUND_TABLES = (
    "hazard",
    "inspection",
    "public_report",
    "blacklist_listing",
    "standardisation_grade",
    "statistics_snapshot",
    "safety_code",
)

CREATE_ANCHOR = (
    "CREATE TABLE chain_anchor ("
    " id VARCHAR(26) PRIMARY KEY,"
    " position BIGINT NULL,"
    " chain_id VARCHAR(64) NOT NULL,"
    " seq INTEGER NOT NULL,"
    " event_hash VARCHAR(64) NOT NULL,"
    " prev_hash VARCHAR(64) NULL,"
    " anchor_hash VARCHAR(64) NULL)"
)

INDEXES = {
    "chain_anchor_position": "UNIQUE INDEX chain_anchor_position ON chain_anchor (position)",
    # one anchor per event: a second writer of the same link fails like the history's own unique index
    "chain_anchor_link": "UNIQUE INDEX chain_anchor_link ON chain_anchor (chain_id, seq)",
    # the few anchors not sealed yet, found without reading the sealed ones
    "chain_anchor_unsealed": "INDEX chain_anchor_unsealed ON chain_anchor (id) WHERE position IS NULL",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for table in BOUND_TABLES:
            await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN chain_seq INTEGER NULL")
            await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN chain_hash VARCHAR(64) NULL")
        await engine.run_ddl(CREATE_ANCHOR)
        for statement in INDEXES.values():
            await engine.run_ddl(f"CREATE {statement}")

    async def drop():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")
        await engine.run_ddl("DROP TABLE chain_anchor")
        for table in BOUND_TABLES:
            await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN chain_hash")
            await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN chain_seq")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
