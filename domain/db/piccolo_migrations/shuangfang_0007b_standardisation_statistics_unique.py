"""Migration 0007b: the natural keys of standardisation and statutory statistics, as composite unique indexes.

(scope_id, enterprise_id): an enterprise is on a frozen list once. (enterprise_id, period_key): one snapshot per
period, so two freezing runs at once cannot both freeze it. (enterprise_id, certificate_no): a certificate is
recorded once. Plain SQL both engines share, in its own migration because piccolo runs raw statements before the
tables of the same migration exist (see 0004).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T07:07:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique keys of scope members, statistics snapshots and grades"

INDEXES = {
    "standardisation_scope_member_scope_enterprise": "standardisation_scope_member (scope_id, enterprise_id)",
    "statistics_snapshot_enterprise_period": "statistics_snapshot (enterprise_id, period_key)",
    "standardisation_grade_enterprise_certificate": "standardisation_grade (enterprise_id, certificate_no)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create_indexes():
        for name, columns in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX {name} ON {columns}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
