"""Migration 0025: revoked refresh-token families, so a spent refresh token presented again ends the family's access
tokens too (each access token names its family; the per-request actor lookup checks this table by primary key).

Plain SQL both engines share, written as piccolo would create `RevokedFamily` of `domain/accounts/tables.py`.
"""

from domain.db.migrate import raw_tables_migration

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
    return raw_tables_migration(ID, DESCRIPTION, TABLES)
