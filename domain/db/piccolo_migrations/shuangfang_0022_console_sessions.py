"""Migration 0022: the supervision console's sign-in sessions (cookie token hashes), revocable at sign-out.

Plain SQL both engines share, written as piccolo would create `ConsoleSession` of `domain/accounts/tables.py`.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T10:20:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "console sessions"

TABLES = {
    "console_session": """CREATE TABLE "console_session" (
        "id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "user_id" VARCHAR(26) NOT NULL DEFAULT '',
        "token_hash" VARCHAR(64) UNIQUE NOT NULL DEFAULT '',
        "client_ip" VARCHAR(64) NOT NULL DEFAULT '',
        "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "expires_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "revoked_at" TIMESTAMPTZ NULL DEFAULT null
    )""",
}
INDEXES = ['CREATE INDEX "console_session_user_id" ON "console_session" ("user_id")']


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in [*TABLES.values(), *INDEXES]:
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for name in reversed(TABLES):
            await engine.run_ddl(f'DROP TABLE "{name}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
