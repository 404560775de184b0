"""Migration 0009b: (enterprise_id, decision_no) is unique among penalties, so one decision is recorded once.

Piccolo declares single-column uniqueness only; this composite index is plain SQL that SQLite and PostgreSQL share.
It is its own migration because piccolo runs raw statements before the tables of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T07:09:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (enterprise_id, decision_no) in credit_penalty"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX credit_penalty_enterprise_decision ON credit_penalty (enterprise_id, decision_no)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX credit_penalty_enterprise_decision")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
