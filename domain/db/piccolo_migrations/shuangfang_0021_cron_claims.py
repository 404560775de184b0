"""Migration 0021: the cron tick claims, so several API processes running the in-process schedule run each tick once.

Plain SQL both engines share, written as piccolo would create `CronClaim` of `domain/outbox/tables.py`.
"""

from domain.db.migrate import raw_tables_migration

ID = "2026-12-03T09:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "cron tick claims"

TABLES = {
    "cron_claim": """CREATE TABLE "cron_claim" (
        "job_name" VARCHAR(80) PRIMARY KEY NOT NULL DEFAULT '',
        "tick" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "claimed_by" VARCHAR(120) NOT NULL DEFAULT '',
        "claimed_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )""",
}


async def forwards():
    return raw_tables_migration(ID, DESCRIPTION, TABLES)
