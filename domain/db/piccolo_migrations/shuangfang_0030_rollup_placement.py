"""Migration 0030: where an enterprise sat (grid, industry) when its roll-up cells were computed.

An incremental roll-up changes each grid and region cell by the difference between an enterprise cell's old and
new figures; the old figures must be taken off the ancestors they were added to, which after a move to another grid
or industry are no longer those of the enterprise row. The enterprise cells stored now are stamped with the current
placement (they were computed with it). The indexes by `as_of` and by period were read by the period re-summing that
this replaces; a full run rebuilds the table with its indexes, so fewer of them is a faster run. Plain SQL both
engines share.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T14:30:00:000030"
VERSION = "1.38.0"
DESCRIPTION = "roll-up cells by delta: the placement of enterprise cells"

COLUMNS = {"grid_id": "VARCHAR(26) NULL DEFAULT null", "enterprise_industry": "VARCHAR(40) NULL DEFAULT null"}
DROPPED_INDEXES = {
    "rollup_cell_as_of": "INDEX rollup_cell_as_of ON rollup_cell (scope_kind, as_of)",
    "rollup_cell_kind_period": "INDEX rollup_cell_kind_period ON rollup_cell (scope_kind, period_kind, period_key)",
}
_STAMP = """UPDATE rollup_cell SET
  grid_id = (SELECT e.grid_id FROM enterprise e WHERE e.id = rollup_cell.scope_id),
  enterprise_industry = (SELECT e.industry FROM enterprise e WHERE e.id = rollup_cell.scope_id)
WHERE scope_kind = 'enterprise'"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def add():
        engine = engine_finder()
        for column, definition in COLUMNS.items():
            await engine.run_ddl(f"ALTER TABLE rollup_cell ADD COLUMN {column} {definition}")
        await engine.run_ddl(_STAMP)
        for name in DROPPED_INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    async def drop():
        engine = engine_finder()
        for statement in DROPPED_INDEXES.values():
            await engine.run_ddl(f"CREATE {statement}")
        for column in reversed(COLUMNS):
            await engine.run_ddl(f"ALTER TABLE rollup_cell DROP COLUMN {column}")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
