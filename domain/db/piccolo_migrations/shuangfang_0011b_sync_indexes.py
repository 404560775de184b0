"""Migration 0011b: the change feed's indexes and, on PostgreSQL, the sequence that seals rows in commit order.

Every scope read is one range scan of `(key, seq)` for each of the caller's keys, so its cost follows the changes
in the caller's scope since the cursor and not the size of the feed. Plain SQL both engines share, in its own
migration because piccolo runs raw statements before the tables of the same migration exist (see 0004).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T10:11:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync_change indexes by scope key and seq; sync_change_position sequence (PostgreSQL)"

INDEXES = {
    "sync_change_seq": "UNIQUE INDEX sync_change_seq ON sync_change (seq)",
    "sync_change_enterprise_seq": "INDEX sync_change_enterprise_seq ON sync_change (enterprise_id, seq)",
    "sync_change_grid_seq": "INDEX sync_change_grid_seq ON sync_change (grid_id, seq)",
    "sync_change_region1_seq": "INDEX sync_change_region1_seq ON sync_change (region1, seq)",
    "sync_change_region2_seq": "INDEX sync_change_region2_seq ON sync_change (region2, seq)",
    "sync_change_region3_seq": "INDEX sync_change_region3_seq ON sync_change (region3, seq)",
    "sync_change_user_seq": "INDEX sync_change_user_seq ON sync_change (user_id, seq)",
    "sync_change_entity": "INDEX sync_change_entity ON sync_change (kind, entity_id)",
    # the few rows not sealed yet, found without reading the sealed ones
    "sync_change_unsealed": "INDEX sync_change_unsealed ON sync_change (id) WHERE seq IS NULL",
    "sync_op_result_user": "INDEX sync_op_result_user ON sync_op_result (user_id, created_at)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in INDEXES.values():
            await engine.run_ddl(f"CREATE {statement}")
        if engine.engine_type == "postgres":
            await engine.run_ddl("CREATE SEQUENCE sync_change_position")

    async def drop():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")
        if engine.engine_type == "postgres":
            await engine.run_ddl("DROP SEQUENCE sync_change_position")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
