"""Migration 0006b: the natural key of a roll-up cell as a composite unique index, and the period lookup index.

(scope_kind, scope_id, industry, period_key) is the cell; reads go by (scope_kind, period_kind, period_key).
Plain SQL both engines share, in its own migration because piccolo runs raw statements before the tables of the
same migration exist (see 0004).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T07:06:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "keys of roll-up cells"

INDEXES = {
    "rollup_cell_scope_industry_period": "UNIQUE INDEX rollup_cell_scope_industry_period ON rollup_cell (scope_kind, scope_id, industry, period_key)",
    "rollup_cell_kind_period": "INDEX rollup_cell_kind_period ON rollup_cell (scope_kind, period_kind, period_key)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create_indexes():
        for statement in INDEXES.values():
            await engine_finder().run_ddl(f"CREATE {statement}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
