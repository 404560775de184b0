"""Migration 0020: a penalty carries the region of the department that imposed it, which alone decides the listing.

Penalties recorded before get the region of the regulator who recorded them (a regulator records its own department's
decisions); one recorded by an administrator gets the district its enterprise lies in (the path's second code: region
codes of cities and districts have six digits, so it starts at the path's ninth character). Plain SQL both engines
share.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T17:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "credit authority: the deciding department's region on every penalty"

BACKFILL = (
    "UPDATE credit_penalty SET authority_region_code = (SELECT u.region_code FROM app_user u"
    " WHERE u.id = credit_penalty.recorded_by AND u.role = 'regulator')",
    "UPDATE credit_penalty SET authority_region_code = (SELECT NULLIF(substr(e.region_path, 9, 6), '')"
    " FROM enterprise e WHERE e.id = credit_penalty.enterprise_id) WHERE authority_region_code IS NULL",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def add():
        engine = engine_finder()
        await engine.run_ddl("ALTER TABLE credit_penalty ADD COLUMN authority_region_code VARCHAR(12) NULL")
        for statement in BACKFILL:
            await engine.run_ddl(statement)

    async def drop():
        await engine_finder().run_ddl("ALTER TABLE credit_penalty DROP COLUMN authority_region_code")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
