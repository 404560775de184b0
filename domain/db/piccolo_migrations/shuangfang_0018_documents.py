"""Migration 0018: documents (PDF reports) beside photos, their uploads, and their attachments to hazards.

Plain SQL both engines share, written as piccolo would create `domain/documents/tables.py` (the same column types,
defaults and index names), so the tables and this migration stay one schema.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T17:18:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "documents, document uploads, hazard documents"

TABLES = {
    "document": """CREATE TABLE "document" (
        "id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "sha256" VARCHAR(64) UNIQUE NOT NULL DEFAULT '',
        "media_type" VARCHAR(32) NOT NULL DEFAULT '',
        "size_bytes" INTEGER NOT NULL DEFAULT 0,
        "page_count" INTEGER NOT NULL DEFAULT 0,
        "pdf_version" VARCHAR(8) NOT NULL DEFAULT '',
        "filename" VARCHAR(120) NOT NULL DEFAULT '',
        "enterprise_id" VARCHAR(26) DEFAULT null,
        "uploaded_by" VARCHAR(26) NOT NULL DEFAULT '',
        "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )""",
    "document_upload": """CREATE TABLE "document_upload" (
        "id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "client_key" VARCHAR(100) UNIQUE NOT NULL DEFAULT '',
        "document_id" VARCHAR(26) NOT NULL DEFAULT '',
        "user_id" VARCHAR(26) NOT NULL DEFAULT '',
        "filename" VARCHAR(120) NOT NULL DEFAULT '',
        "uploaded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )""",
    "hazard_document": """CREATE TABLE "hazard_document" (
        "id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "hazard_id" VARCHAR(26) NOT NULL DEFAULT '',
        "document_id" VARCHAR(26) NOT NULL DEFAULT '',
        "action" VARCHAR(32) NOT NULL DEFAULT '',
        "event_seq" INTEGER NOT NULL DEFAULT 0,
        "position" INTEGER NOT NULL DEFAULT 0,
        "attached_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )""",
}
INDEXES = {
    "document_enterprise_id": 'INDEX document_enterprise_id ON "document" ("enterprise_id")',
    "document_uploaded_by": 'INDEX document_uploaded_by ON "document" ("uploaded_by")',
    "document_upload_document_id": 'INDEX document_upload_document_id ON "document_upload" ("document_id")',
    "document_upload_user_id": 'INDEX document_upload_user_id ON "document_upload" ("user_id")',
    "hazard_document_hazard_id": 'INDEX hazard_document_hazard_id ON "hazard_document" ("hazard_id")',
    "hazard_document_document_id": 'INDEX hazard_document_document_id ON "hazard_document" ("document_id")',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in TABLES.values():
            await engine.run_ddl(statement)
        for statement in INDEXES.values():
            await engine.run_ddl(f"CREATE {statement}")

    async def drop():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")
        for name in reversed(TABLES):
            await engine.run_ddl(f'DROP TABLE "{name}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
