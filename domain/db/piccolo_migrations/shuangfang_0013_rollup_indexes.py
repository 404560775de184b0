"""Migration 0013: the indexes the set-based roll-up reads by.

An incremental run finds the enterprises touched since its watermark by these timestamps (each an index range
instead of a scan of the table), and the periods whose enterprise cells were written since then by `as_of`; cells
by scope and by period already have 0006b's indexes. Plain SQL both engines share.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T10:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for the incremental roll-up: change timestamps, rollup_cell by as_of"

INDEXES = {
    "hazard_updated_at": "INDEX hazard_updated_at ON hazard (updated_at)",
    "hazard_created_at": "INDEX hazard_created_at ON hazard (created_at)",
    "inspection_task_created_at": "INDEX inspection_task_created_at ON inspection_task (created_at)",
    "inspection_created_at": "INDEX inspection_created_at ON inspection (created_at)",
    "enterprise_updated_at": "INDEX enterprise_updated_at ON enterprise (updated_at)",
    "enterprise_created_at": "INDEX enterprise_created_at ON enterprise (created_at)",
    "rollup_cell_as_of": "INDEX rollup_cell_as_of ON rollup_cell (scope_kind, as_of)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in INDEXES.values():
            await engine.run_ddl(f"CREATE {statement}")

    async def drop():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
