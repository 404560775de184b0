"""Migration 0025: revoked refresh-token families, so a spent refresh token presented again ends the family's access
tokens too (each access token names its family; the per-request actor lookup checks this table by primary key).

Plain SQL both engines share, written as piccolo would create `RevokedFamily` of `domain/accounts/tables.py`.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T14:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "revoked refresh-token families"

TABLES = {
    "revoked_family": """CREATE TABLE "revoked_family" (
        "family_id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "revoked_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )""",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in TABLES.values():
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for name in reversed(TABLES):
            await engine.run_ddl(f'DROP TABLE "{name}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
