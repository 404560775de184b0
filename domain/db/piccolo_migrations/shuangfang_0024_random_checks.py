"""Migration 0024: 双随机一公开 — random-check plans, the once-only draw claim, and the picks with their results.

Plain SQL both engines share, written as piccolo would create `RandomCheckPlan`, `RandomCheckDraw` and
`RandomCheckPick` of `domain/random_checks/tables.py`; a plan's draw claim is its primary key, so two racing draws
cannot both succeed, and (plan_id, enterprise_id) of the picks is unique.
"""

from domain.db.migrate import raw_tables_migration

ID = "2026-12-03T10:40:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "random checks"

TABLES = {
    "random_check_plan": """CREATE TABLE "random_check_plan" (
        "id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "name" VARCHAR(200) NOT NULL DEFAULT '',
        "year" INTEGER NOT NULL DEFAULT 0,
        "period" VARCHAR(100) NOT NULL DEFAULT '',
        "region_code" VARCHAR(12) NOT NULL DEFAULT '',
        "region_path" VARCHAR(200) NOT NULL DEFAULT '',
        "industries" TEXT NOT NULL DEFAULT '[]',
        "classes" TEXT NOT NULL DEFAULT '[]',
        "rates" TEXT NOT NULL DEFAULT '{}',
        "exclusion_months" INTEGER NOT NULL DEFAULT 0,
        "officer_ids" TEXT NOT NULL DEFAULT '[]',
        "status" VARCHAR(16) NOT NULL DEFAULT 'draft',
        "created_by" VARCHAR(26) NOT NULL DEFAULT '',
        "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "approved_by" VARCHAR(26) NULL DEFAULT null,
        "approved_at" TIMESTAMPTZ NULL DEFAULT null,
        "seed" VARCHAR(64) NULL DEFAULT null,
        "seed_hash" VARCHAR(64) NULL DEFAULT null,
        "drawn_by" VARCHAR(26) NULL DEFAULT null,
        "drawn_at" TIMESTAMPTZ NULL DEFAULT null,
        "pools" TEXT NULL DEFAULT null,
        "picks" TEXT NULL DEFAULT null,
        "closed_by" VARCHAR(26) NULL DEFAULT null,
        "closed_at" TIMESTAMPTZ NULL DEFAULT null,
        "version" INTEGER NOT NULL DEFAULT 1,
        "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "chain_seq" INTEGER NULL DEFAULT null,
        "chain_hash" VARCHAR(64) NULL DEFAULT null
    )""",
    "random_check_draw": """CREATE TABLE "random_check_draw" (
        "plan_id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "drawn_by" VARCHAR(26) NOT NULL DEFAULT '',
        "drawn_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )""",
    "random_check_pick": """CREATE TABLE "random_check_pick" (
        "id" VARCHAR(26) PRIMARY KEY NOT NULL DEFAULT '',
        "plan_id" VARCHAR(26) NOT NULL DEFAULT '',
        "enterprise_id" VARCHAR(26) NOT NULL DEFAULT '',
        "enterprise_name" VARCHAR(200) NOT NULL DEFAULT '',
        "class_code" VARCHAR(1) NOT NULL DEFAULT '',
        "officer_ids" TEXT NOT NULL DEFAULT '[]',
        "position" INTEGER NOT NULL DEFAULT 0,
        "inspected_on" DATE NULL DEFAULT null,
        "findings" TEXT NULL DEFAULT null,
        "hazard_ids" TEXT NOT NULL DEFAULT '[]',
        "penalty_ids" TEXT NOT NULL DEFAULT '[]',
        "recorded_by" VARCHAR(26) NULL DEFAULT null,
        "recorded_at" TIMESTAMPTZ NULL DEFAULT null,
        "version" INTEGER NOT NULL DEFAULT 1,
        "chain_seq" INTEGER NULL DEFAULT null,
        "chain_hash" VARCHAR(64) NULL DEFAULT null
    )""",
}
INDEXES = [
    'CREATE INDEX "random_check_plan_region_code" ON "random_check_plan" ("region_code")',
    'CREATE INDEX "random_check_plan_region_path" ON "random_check_plan" ("region_path")',
    'CREATE INDEX "random_check_plan_status" ON "random_check_plan" ("status")',
    'CREATE INDEX "random_check_pick_plan_id" ON "random_check_pick" ("plan_id")',
    'CREATE INDEX "random_check_pick_enterprise_id" ON "random_check_pick" ("enterprise_id")',
    'CREATE UNIQUE INDEX "random_check_pick_plan_enterprise" ON "random_check_pick" ("plan_id", "enterprise_id")',
]


async def forwards():
    return raw_tables_migration(ID, DESCRIPTION, TABLES, INDEXES)
