"""Migration 0022: the supervision console's sign-in sessions (cookie token hashes), revocable at sign-out.

Plain SQL both engines share, written as piccolo would create `ConsoleSession` of `domain/accounts/tables.py`.
"""

from domain.db.migrate import raw_tables_migration

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
    return raw_tables_migration(ID, DESCRIPTION, TABLES, INDEXES)
