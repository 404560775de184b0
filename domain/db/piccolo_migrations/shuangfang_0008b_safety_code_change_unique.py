"""Migration 0008b: (enterprise_id, seq) is unique in the safety-code change log, so two racing recomputes record
one change, not two.

Plain SQL that SQLite and PostgreSQL share, in its own migration because piccolo runs raw statements before the
tables of the same migration exist (see 0004).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T07:08:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (enterprise_id, seq) in safety_code_change"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX safety_code_change_enterprise_seq ON safety_code_change (enterprise_id, seq)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX safety_code_change_enterprise_seq")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
