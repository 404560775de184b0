"""Migration 0004: (chain_id, seq) is unique in the history, so two writers can never both append link n.

Piccolo declares single-column uniqueness only; this composite index is plain SQL that SQLite and PostgreSQL share.
It is its own migration because piccolo runs raw statements before the tables of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T23:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (chain_id, seq) in history_event"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl("CREATE UNIQUE INDEX history_event_chain_seq ON history_event (chain_id, seq)")

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX history_event_chain_seq")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
