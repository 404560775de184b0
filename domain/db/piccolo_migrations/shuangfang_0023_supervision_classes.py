"""Migration 0023: the supervision classes (分级分类监管) of the enterprises and their change history.

Plain SQL both engines share, written as piccolo would create `SupervisionClassRow` and `SupervisionClassChange` of
`domain/supervision/tables.py`; (enterprise_id, seq) of the history is unique, so two racing reclassifications
record one change.
"""

from domain.db.migrate import raw_tables_migration

ID = "2026-12-03T10:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "supervision classes"

TABLES = {
    "supervision_class": """CREATE TABLE "supervision_class" (
        "enterprise_id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "class_code" VARCHAR(1) NOT NULL DEFAULT '',
        "edition" VARCHAR(20) NOT NULL DEFAULT '',
        "points" INTEGER NOT NULL DEFAULT 0,
        "reasons" TEXT NOT NULL DEFAULT '[]',
        "inputs" TEXT NOT NULL DEFAULT '{}',
        "computed_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "class_since" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "version" INTEGER NOT NULL DEFAULT 1,
        "chain_seq" INTEGER NULL DEFAULT null,
        "chain_hash" VARCHAR(64) NULL DEFAULT null
    )""",
    "supervision_class_change": """CREATE TABLE "supervision_class_change" (
        "id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "enterprise_id" VARCHAR(26) NOT NULL DEFAULT '',
        "seq" INTEGER NOT NULL DEFAULT 0,
        "old_class" VARCHAR(1) NULL DEFAULT null,
        "new_class" VARCHAR(1) NOT NULL DEFAULT '',
        "edition" VARCHAR(20) NOT NULL DEFAULT '',
        "points" INTEGER NOT NULL DEFAULT 0,
        "reasons" TEXT NOT NULL DEFAULT '[]',
        "inputs" TEXT NOT NULL DEFAULT '{}',
        "changed_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )""",
}
INDEXES = [
    'CREATE INDEX "supervision_class_class_code" ON "supervision_class" ("class_code")',
    'CREATE INDEX "supervision_class_change_enterprise_id" ON "supervision_class_change" ("enterprise_id")',
    'CREATE UNIQUE INDEX "supervision_class_change_enterprise_seq" ON "supervision_class_change" ("enterprise_id", "seq")',
]


async def forwards():
    return raw_tables_migration(ID, DESCRIPTION, TABLES, INDEXES)
