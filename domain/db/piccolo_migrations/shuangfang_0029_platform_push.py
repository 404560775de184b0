"""Migration 0029: the push ledger to the provincial platform — a row per exchange record with its stable uuid and
version, the batches sent with the platform's batch id, each record's line in a batch, and the change-feed cursor.

Plain SQL both engines share, written as piccolo would create the tables of `domain/platform_push/tables.py`.
"""

from domain.db.migrate import raw_tables_migration

ID = "2026-12-03T14:29:00:000029"
VERSION = "1.38.0"
DESCRIPTION = "platform push ledger"

TABLES = {
    "platform_push_record": """CREATE TABLE "platform_push_record" (
        "uuid" VARCHAR(36) PRIMARY KEY NOT NULL DEFAULT '',
        "kind" VARCHAR(16) NOT NULL DEFAULT '',
        "source_key" VARCHAR(60) NOT NULL DEFAULT '',
        "enterprise_id" VARCHAR(26) NOT NULL DEFAULT '',
        "region_path" VARCHAR(200) NOT NULL DEFAULT '',
        "version" INTEGER NOT NULL DEFAULT 1,
        "payload" TEXT NOT NULL DEFAULT '',
        "payload_hash" VARCHAR(64) NOT NULL DEFAULT '',
        "state" VARCHAR(16) NOT NULL DEFAULT '',
        "pushed_version" INTEGER NULL DEFAULT null,
        "reason" TEXT NULL DEFAULT null,
        "batch_id" VARCHAR(36) NULL DEFAULT null,
        "platform_batch_id" VARCHAR(100) NULL DEFAULT null,
        "attempts" INTEGER NOT NULL DEFAULT 0,
        "next_attempt_at" TIMESTAMPTZ NULL DEFAULT null,
        "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )""",
    "platform_push_batch": """CREATE TABLE "platform_push_batch" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL DEFAULT '',
        "region_code" VARCHAR(12) NOT NULL DEFAULT '',
        "state" VARCHAR(16) NOT NULL DEFAULT '',
        "record_count" INTEGER NOT NULL DEFAULT 0,
        "platform_batch_id" VARCHAR(100) NULL DEFAULT null,
        "error" TEXT NULL DEFAULT null,
        "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "finished_at" TIMESTAMPTZ NULL DEFAULT null
    )""",
    "platform_push_batch_item": """CREATE TABLE "platform_push_batch_item" (
        "id" VARCHAR(80) PRIMARY KEY NOT NULL DEFAULT '',
        "batch_id" VARCHAR(36) NOT NULL DEFAULT '',
        "record_uuid" VARCHAR(36) NOT NULL DEFAULT '',
        "version" INTEGER NOT NULL DEFAULT 0,
        "result" VARCHAR(16) NULL DEFAULT null,
        "reason" TEXT NULL DEFAULT null
    )""",
    "platform_push_cursor": """CREATE TABLE "platform_push_cursor" (
        "name" VARCHAR(16) PRIMARY KEY NOT NULL DEFAULT '',
        "seq" BIGINT NOT NULL DEFAULT 0
    )""",
}
INDEXES = [
    'CREATE INDEX "platform_push_record_enterprise_id" ON "platform_push_record" ("enterprise_id")',
    'CREATE INDEX "platform_push_record_region_path" ON "platform_push_record" ("region_path")',
    'CREATE INDEX "platform_push_record_state" ON "platform_push_record" ("state")',
    'CREATE INDEX "platform_push_record_next_attempt_at" ON "platform_push_record" ("next_attempt_at")',
    'CREATE INDEX "platform_push_batch_state" ON "platform_push_batch" ("state")',
    'CREATE INDEX "platform_push_batch_item_batch_id" ON "platform_push_batch_item" ("batch_id")',
    'CREATE INDEX "platform_push_batch_item_record_uuid" ON "platform_push_batch_item" ("record_uuid")',
]


async def forwards():
    return raw_tables_migration(ID, DESCRIPTION, TABLES, INDEXES)
