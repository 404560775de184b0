"""Migration 0016: the posts (岗位) users hold, so tasks reach people; and photos derived for an enterprise from a
public report's photo carry their stamp already (`photo.stamped`), so their display copies are not stamped twice.

Additive only (a new table, its indexes, a column with a default), in plain SQL both engines share (TIMESTAMPTZ is
PostgreSQL's alias and the type piccolo's SQLite adapter converts).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T17:16:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "user posts; photo.stamped"

FORWARDS = (
    "CREATE TABLE user_post ("
    " id VARCHAR(26) PRIMARY KEY NOT NULL,"
    " user_id VARCHAR(26) NOT NULL DEFAULT '',"
    " enterprise_id VARCHAR(26) NOT NULL DEFAULT '',"
    " post VARCHAR(100) NOT NULL DEFAULT '',"
    " assigned_by VARCHAR(26) NOT NULL DEFAULT '',"
    " assigned_at TIMESTAMPTZ NOT NULL)",
    "CREATE INDEX user_post_user_id ON user_post (user_id)",
    "CREATE INDEX user_post_enterprise_id ON user_post (enterprise_id)",
    "CREATE UNIQUE INDEX user_post_user_post ON user_post (user_id, post)",
    "ALTER TABLE photo ADD COLUMN stamped BOOLEAN NOT NULL DEFAULT FALSE",
)
BACKWARDS = ("ALTER TABLE photo DROP COLUMN stamped", "DROP TABLE user_post")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shuangfang", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in FORWARDS:
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for statement in BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
