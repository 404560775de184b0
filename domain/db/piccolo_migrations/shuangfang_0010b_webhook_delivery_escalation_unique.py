"""Migration 0010b: one delivery per (notification, subscription) and one escalation per (subject, occasion, step).

These uniques are what make notifying and sweeping again change nothing. Piccolo declares single-column
uniqueness only, so they are plain SQL that SQLite and PostgreSQL share, in their own migration because piccolo
runs raw statements before the tables of the same migration exist (see 0004).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T07:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (notification_id, subscription_id) and (subject_kind, subject_id, occasion, step)"

INDEXES = {
    "webhook_delivery_notification_subscription": "webhook_delivery (notification_id, subscription_id)",
    "escalation_subject_occasion_step": "escalation (subject_kind, subject_id, occasion, step)",
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
